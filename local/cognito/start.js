// Starts cognito-local with the one operation Macro AI uses that it lacks:
// GlobalSignOut. Like Cognito's, it signs the user out everywhere by revoking
// every refresh token the user holds, so a later REFRESH_TOKEN_AUTH fails with
// NotAuthorizedException. Everything else is cognito-local as published.
"use strict";

const { Targets } = require("cognito-local/lib/targets/targets");
const { NotAuthorizedError, InvalidParameterError } = require("cognito-local/lib/errors");
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

require("cognito-local/lib/bin/start");
