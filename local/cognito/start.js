// Starts cognito-local with the operations Macro AI uses that it lacks or gets
// wrong, written to behave as Cognito documents them:
// - GlobalSignOut signs the user out everywhere by revoking every refresh token
//   the user holds, so a later REFRESH_TOKEN_AUTH fails with NotAuthorizedException;
// - ResendConfirmationCode issues and "sends" a new sign-up code (UserNotFound
//   for an unknown user, InvalidParameter for a confirmed one);
// - TOTP MFA (software tokens), replacing cognito-local 5.3's versions:
//   AssociateSoftwareToken (a new base32 secret, pending until verified: a
//   verified one keeps working meanwhile), VerifySoftwareToken (an RFC 6238
//   check, SHA-1, 6 digits, 30 s steps, one step either side; a wrong code is
//   EnableSoftwareTokenMFAException; it does not turn MFA on, which is
//   SetUserMFAPreference's job), SetUserMFAPreference, and the
//   SOFTWARE_TOKEN_MFA challenge: InitiateAuth answers it with an opaque
//   session bound to the user and the app client, valid 3 minutes (the
//   pool's default AuthSessionValidity) and for 5 wrong codes at most;
//   RespondToAuthChallenge checks the session and the code and issues tokens
//   whose refresh token works. Every access-token call verifies the token's
//   signature (cognito-local only decodes it).
// Everything else is cognito-local as published.
"use strict";

const crypto = require("node:crypto");
const { Targets } = require("cognito-local/lib/targets/targets");
const {
  CognitoError, CodeMismatchError, NotAuthorizedError, InvalidParameterError, UserNotFoundError,
} = require("cognito-local/lib/errors");
const { attributeValue } = require("cognito-local/lib/services/userPoolService");
const jwt = require("jsonwebtoken");
const publicKey = require("cognito-local/lib/keys/cognitoLocal.public.json").pem;

if (!Targets.GlobalSignOut) {
  Targets.GlobalSignOut = ({ cognito }) => async (ctx, req) => {
    if (!req.AccessToken) {
      throw new InvalidParameterError("AccessToken is required");
    }
    let token;
    try {
      token = jwt.verify(req.AccessToken, publicKey, { algorithms: ["RS256"] });
    } catch (err) {
      throw new NotAuthorizedError();
    }
    if (token.token_use !== "access") {
      throw new NotAuthorizedError();
    }
    const userPool = await cognito.getUserPoolForClientId(ctx, token.client_id);
    const user = await userPool.getUserByUsername(ctx, token.sub);
    if (!user) {
      throw new NotAuthorizedError();
    }
    await userPool.saveUser(ctx, { ...user, RefreshTokens: [] });
    return {};
  };
}

if (!Targets.ResendConfirmationCode) {
  Targets.ResendConfirmationCode = ({ cognito, clock, messages, otp }) => async (ctx, req) => {
    const userPool = await cognito.getUserPoolForClientId(ctx, req.ClientId);
    const user = await userPool.getUserByUsername(ctx, req.Username);
    if (!user) {
      throw new UserNotFoundError();
    }
    if (user.UserStatus === "CONFIRMED") {
      throw new InvalidParameterError("User is already confirmed.");
    }
    const email = attributeValue("email", user.Attributes);
    const details = { AttributeName: "email", DeliveryMedium: "EMAIL", Destination: email };
    const code = otp();
    await messages.deliver(ctx, "SignUp", req.ClientId, userPool.options.Id, user, code, req.ClientMetadata, details);
    await userPool.saveUser(ctx, { ...user, UserLastModifiedDate: clock.get(), ConfirmationCode: code });
    return { CodeDeliveryDetails: details };
  };
}

// --- TOTP (RFC 6238 over RFC 4226), with node:crypto only ---

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const STEP_SECONDS = 30;

function base32Encode(buf) {
  let bits = 0, value = 0, out = "";
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(s) {
  let bits = 0, value = 0;
  const out = [];
  for (const c of s.replace(/=+$/, "").toUpperCase()) {
    const i = BASE32.indexOf(c);
    if (i < 0) throw new Error("not base32");
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// hotp is RFC 4226's HOTP: HMAC-SHA-1 of the counter, dynamic truncation, 6 digits.
function hotp(key, counter) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac("sha1", key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, "0");
}

// totpValid: code is the secret's code for this 30 s step or the one before
// or after (clock drift), compared in constant time.
function totpValid(secret, code) {
  if (typeof code !== "string" || !/^[0-9]{6}$/.test(code) || !secret) return false;
  const key = base32Decode(secret);
  const step = Math.floor(Date.now() / 1000 / STEP_SECONDS);
  let ok = false;
  for (const d of [-1, 0, 1]) {
    ok = crypto.timingSafeEqual(Buffer.from(hotp(key, step + d)), Buffer.from(code)) || ok;
  }
  return ok;
}

class EnableSoftwareTokenMFAError extends CognitoError {
  constructor() {
    super("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA");
  }
}

// userOfAccessToken verifies an access token as Cognito does (signature,
// expiry, token_use) and returns its pool and user: NotAuthorized otherwise.
async function userOfAccessToken(cognito, ctx, accessToken) {
  if (!accessToken) {
    throw new InvalidParameterError("AccessToken is required");
  }
  let token;
  try {
    token = jwt.verify(accessToken, publicKey, { algorithms: ["RS256"] });
  } catch (err) {
    throw new NotAuthorizedError("Invalid Access Token");
  }
  if (token.token_use !== "access") {
    throw new NotAuthorizedError("Invalid Access Token");
  }
  const userPool = await cognito.getUserPoolForClientId(ctx, token.client_id);
  const user = await userPool.getUserByUsername(ctx, token.sub);
  if (!user) {
    throw new NotAuthorizedError("Invalid Access Token");
  }
  return { userPool, user };
}

Targets.AssociateSoftwareToken = ({ cognito }) => async (ctx, req) => {
  if (!req.AccessToken) {
    // The MFA_SETUP challenge's Session form: Macro AI's pool makes MFA optional.
    throw new InvalidParameterError("AccessToken is required");
  }
  const { userPool, user } = await userOfAccessToken(cognito, ctx, req.AccessToken);
  const secret = base32Encode(crypto.randomBytes(20));
  await userPool.saveUser(ctx, { ...user, SoftwareTokenMfaPending: { Secret: secret } });
  return { SecretCode: secret };
};

Targets.VerifySoftwareToken = ({ cognito }) => async (ctx, req) => {
  if (!req.UserCode || !/^[0-9]{6}$/.test(req.UserCode)) {
    throw new InvalidParameterError("1 validation error detected: Value at 'userCode' failed to satisfy constraint");
  }
  if (!req.AccessToken) {
    throw new InvalidParameterError("AccessToken is required");
  }
  const { userPool, user } = await userOfAccessToken(cognito, ctx, req.AccessToken);
  const pending = user.SoftwareTokenMfaPending?.Secret;
  if (!pending) {
    throw new InvalidParameterError("User has not associated a software token");
  }
  if (!totpValid(pending, req.UserCode)) {
    throw new EnableSoftwareTokenMFAError();
  }
  await userPool.saveUser(ctx, {
    ...user,
    SoftwareTokenMfaPending: undefined,
    SoftwareTokenMfaConfiguration: { Secret: pending, Verified: true, FriendlyDeviceName: req.FriendlyDeviceName },
  });
  return { Status: "SUCCESS" };
};

const setUserMFAPreference = Targets.SetUserMFAPreference;
Targets.SetUserMFAPreference = (services) => {
  const original = setUserMFAPreference(services);
  return async (ctx, req) => {
    await userOfAccessToken(services.cognito, ctx, req.AccessToken);
    return original(ctx, req);
  };
};

// sessions are the pending SOFTWARE_TOKEN_MFA challenges, by session string.
const sessions = new Map();
const SESSION_MS = 3 * 60 * 1000;
const SESSION_ATTEMPTS = 5;

function newSession(username, clientId) {
  const now = Date.now();
  for (const [k, v] of sessions) if (v.expires < now) sessions.delete(k);
  const session = crypto.randomBytes(192).toString("base64");
  sessions.set(session, { username, clientId, expires: now + SESSION_MS, wrong: 0 });
  return session;
}

const initiateAuth = Targets.InitiateAuth;
Targets.InitiateAuth = (services) => {
  const original = initiateAuth(services);
  return async (ctx, req) => {
    const res = await original(ctx, req);
    if (res.ChallengeName === "SOFTWARE_TOKEN_MFA") {
      res.Session = newSession(res.ChallengeParameters.USER_ID_FOR_SRP, req.ClientId);
    }
    return res;
  };
};

const respondToAuthChallenge = Targets.RespondToAuthChallenge;
Targets.RespondToAuthChallenge = (services) => {
  const original = respondToAuthChallenge(services);
  return async (ctx, req) => {
    if (req.ChallengeName !== "SOFTWARE_TOKEN_MFA") {
      return original(ctx, req);
    }
    const expired = () => new NotAuthorizedError("Invalid session for the user, session is expired.");
    const s = req.Session && sessions.get(req.Session);
    if (!s || s.expires < Date.now() || s.clientId !== req.ClientId) {
      throw expired();
    }
    const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
    const client = await services.cognito.getAppClient(ctx, req.ClientId);
    const username = req.ChallengeResponses?.USERNAME;
    const user = username && (await userPool.getUserByUsername(ctx, username));
    if (!user || !client || user.Username !== s.username) {
      throw expired();
    }
    const config = user.SoftwareTokenMfaConfiguration;
    if (!config?.Verified || !totpValid(config.Secret, req.ChallengeResponses.SOFTWARE_TOKEN_MFA_CODE)) {
      if (++s.wrong >= SESSION_ATTEMPTS) sessions.delete(req.Session);
      throw new CodeMismatchError();
    }
    sessions.delete(req.Session);
    const groups = await userPool.listUserGroupMembership(ctx, user);
    const tokens = await services.tokenGenerator.generate(ctx, user, groups, client, req.ClientMetadata, "Authentication");
    await userPool.storeRefreshToken(ctx, tokens.RefreshToken, user);
    return { ChallengeParameters: {}, AuthenticationResult: tokens };
  };
};

require("cognito-local/lib/bin/start");
