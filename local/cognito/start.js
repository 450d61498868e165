// Starts cognito-local with the two operations Macro AI uses that it lacks,
// written to behave as Cognito documents them:
// - GlobalSignOut signs the user out everywhere by revoking every refresh token
//   the user holds, so a later REFRESH_TOKEN_AUTH fails with NotAuthorizedException;
// - ResendConfirmationCode issues and "sends" a new sign-up code (UserNotFound
//   for an unknown user, InvalidParameter for a confirmed one).
// Everything else is cognito-local as published.
"use strict";

const { Targets } = require("cognito-local/lib/targets/targets");
const { NotAuthorizedError, InvalidParameterError, UserNotFoundError } = require("cognito-local/lib/errors");
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

require("cognito-local/lib/bin/start");
