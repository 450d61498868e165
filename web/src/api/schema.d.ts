// Generated from openapi.yaml by openapi-typescript: do not edit.
// Regenerate with `npm run types` in web/; npm run build and npm test fail while it is stale.
// web/src/api/types.ts names the schemas the app uses.

export interface paths {
    "/auth/sign-up": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create an account
         * @description The e-mail is trimmed and lower-cased and the password policy is checked before
         *     Cognito is called. Cognito then e-mails a confirmation code (see `POST /auth/confirm`).
         *     A deployment may allow only listed addresses or domains, or nobody (`SIGN_UP_ALLOWED`):
         *     any other address is 403 `sign_up_closed`, before anything is sent.
         */
        post: operations["signUp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm the e-mail with its code
         * @description A wrong or expired code is 400 with a detail on `code`; an unknown or already
         *     confirmed e-mail answers like a wrong code (no account enumeration).
         */
        post: operations["confirmSignUp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/resend-code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a new confirmation code
         * @description 204 also for an unknown or an already confirmed e-mail (no account enumeration).
         */
        post: operations["resendCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Tokens for an e-mail and password
         * @description A wrong password and an unknown e-mail are the same 401 `invalid_credentials`; an
         *     account whose e-mail is not confirmed yet is 403 `user_not_confirmed`. The password
         *     policy is not checked here, so that every wrong password meets the same 401.
         *
         *     With two-step sign-in on (`POST /auth/mfa/verify`), a right password answers 200
         *     `{"challenge": "mfa_required", "session": "…"}` (`MFAChallenge`) instead of tokens: send
         *     the session with the e-mail and the authenticator app's code to `POST /auth/mfa/challenge`
         *     within 3 minutes. Tell the two 200 bodies apart by `challenge`.
         */
        post: operations["signIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/challenge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Finish a two-step sign-in with the authenticator app's code
         * @description The second step of a sign-in that answered `mfa_required`: the e-mail, that answer's
         *     `session` and the 6-digit code of the authenticator app (Cognito's `SOFTWARE_TOKEN_MFA`
         *     challenge). The answer is the tokens, as `POST /auth/sign-in` answers them. A wrong code,
         *     an expired (3 minutes) or spent session and an e-mail that is not the session's are all
         *     the one 401 `invalid_credentials` of a wrong password. A session takes 5 wrong codes at
         *     most; then sign in again.
         */
        post: operations["answerMfaChallenge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start enrolling an authenticator app (two-step sign-in)
         * @description A new TOTP secret (base32; SHA-1, 6 digits, 30 s) for the caller, and its `otpauth://totp/…`
         *     URI for a QR code. Nothing changes until `POST /auth/mfa/verify` confirms a code of it; a
         *     new setup replaces a secret not yet confirmed. While two-step sign-in is on, a setup is 409
         *     `mfa_enabled` (turn it off first, with the password and a code), so that a stolen access
         *     token cannot move the second factor. No body. Limited like the password routes (10 a
         *     minute), per client IP and per user.
         */
        post: operations["setUpMfa"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm the authenticator app and turn two-step sign-in on
         * @description A current code of the secret `POST /auth/mfa/setup` gave (Cognito's `VerifySoftwareToken`),
         *     then two-step sign-in on (`SetUserMFAPreference`): every later sign-in asks for a code. A
         *     wrong code is 400 `validation_failed` on `code` (not 401, which would read as a session
         *     that ended); no setup waiting is 409 `mfa_not_set_up`. Limited like the password routes.
         */
        post: operations["verifyMfa"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/mfa/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Turn two-step sign-in off, with the password and a current code
         * @description Cognito checks a code of an enrolled app only within a sign-in, so both are checked by one:
         *     the caller's e-mail and `password`, then the `code`. A wrong password and a wrong code are
         *     the same 400 `validation_failed` on `code` ("the password or the code is wrong"), which
         *     never tells which one was right. The check's own session is revoked. Two-step sign-in that
         *     is off is 409 `mfa_not_enabled`. Limited like the password routes.
         */
        post: operations["disableMfa"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * New tokens from a refresh token
         * @description A revoked (signed out), expired or unknown refresh token is 401 `invalid_credentials`.
         */
        post: operations["refreshTokens"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/forgot-password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * E-mail a password reset code
         * @description 204 also for an unknown e-mail (no account enumeration).
         */
        post: operations["forgotPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/reset-password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Set a new password with the e-mailed code
         * @description The new password meets the policy before Cognito is called. A wrong or expired code,
         *     or an unknown e-mail, is 400 with a detail on `code`.
         */
        post: operations["resetPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/sign-out": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Global sign-out
         * @description Every refresh token of the caller is revoked, so no session can be renewed; access
         *     tokens already issued stay valid until they expire (at most an hour). No body.
         */
        post: operations["signOut"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's account */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * The caller's settings
         * @description Custom instructions for every conversation and the default model. Each field is optional
         *     (at least one): absent leaves it, `null` clears it. A `defaultModel` not in `GET /models`
         *     is 400 on `defaultModel`.
         */
        patch: operations["updateMe"];
        trace?: never;
    };
    "/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Change the password, giving the current one
         * @description The new password meets the policy and differs from the current one (400 on `newPassword`,
         *     before Cognito is called). The current password is checked by a sign-in with the caller's
         *     e-mail: a wrong one is 400 on `currentPassword` (not 401, which would read as a session
         *     that ended). Then every session of the caller is signed out (every refresh token revoked,
         *     this device's too) and this one signed in again with the new password: the answer is its
         *     new tokens, as `POST /auth/sign-in` answers — with two-step sign-in on, its `mfa_required`
         *     challenge, to finish at `POST /auth/mfa/challenge` with a code. Limited like the public auth
         *     routes (10 a minute), per client IP and per user.
         */
        post: operations["changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Delete the account and all its data, giving the password
         * @description The password is checked by a sign-in with the caller's e-mail: a wrong one is 400 on
         *     `password`, and nothing is deleted. Then, in this order: every row of the caller in
         *     PostgreSQL (conversations, messages, their vectors, imports, settings) in one statement,
         *     which also records the deletion so that an access token issued before it (valid until it
         *     expires, at most an hour) can never create the account again — every route answers such a
         *     token 401 or finds nothing; every key of the caller in Redis (history windows, rate limits,
         *     quotas, cached query vectors); last the Cognito user, so that sign-in fails from then on.
         *     A failure midway (503, 502) leaves the login able to sign in but with its data gone: the
         *     same request again completes the deletion. A `POST`, not `DELETE /me`, because it carries a
         *     body, which `DELETE` has no defined meaning for. Limited like the public auth routes (10 a
         *     minute), per client IP and per user.
         */
        post: operations["deleteAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's tokens and estimated cost per model
         * @description Sums the caller's answers (their stored `usage`) from `from` (inclusive) to `to`
         *     (exclusive) per model, most tokens first. The cost is an estimate from the deployment's
         *     prices (`OPENAI_PRICES`, USD per million tokens); a model without a price has
         *     `costUsd: null` and is left out of the total's cost. One query.
         */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export the whole account as one JSON document to download
         * @description Every conversation of the caller with its whole message tree (each message's `parentId`,
         *     each conversation's `leafId`), each answer's model and usage, and the usage per model:
         *     the `AccountExport` schema, which `POST /imports` reads back (importing it into another
         *     account gives the same conversations and trees).
         *
         *     An account runs to tens of MB, over what API Gateway carries (6 MB a response), so the
         *     document is not the response: it is streamed into the deployment's private bucket as it
         *     is read, a page at a time, and the answer is a pre-signed `url` to `GET` it from until
         *     `expiresAt` (15 minutes). The file is deleted after a day.
         */
        get: operations["exportAccount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start importing a file of conversations
         * @description Imports conversations from this app's own JSON exports (`macro-ai.conversation.v1`,
         *     `macro-ai.account.v1`) or from ChatGPT's `conversations.json`, up to 60 MB
         *     (`IMPORT_MAX_BYTES`). A file that large cannot go through the API: this records a
         *     `pending` import and answers a pre-signed `upload.url`; `PUT` exactly `size` bytes there
         *     with `upload.headers` before `upload.expiresAt` (the length is signed: any other is
         *     refused). Once the file is in, the import runs by itself; follow it with
         *     `GET /imports/{id}`.
         *
         *     The file is read as a stream and written in one transaction: either every conversation
         *     in it is imported or, on any problem (not one of the formats, malformed JSON anywhere,
         *     nesting deeper than 64 levels, over the size), none is and the import is `failed` with
         *     an `error` that says why. Importing the same file again creates nothing new (each
         *     conversation is known by its source id, per user; ids in a file never become ids here).
         *     Imported messages are embedded for search by the backfill within minutes.
         */
        post: operations["startImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/imports/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The import's id. */
                id: string;
            };
            cookie?: never;
        };
        /** How far an import got */
        get: operations["getImport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The chat models a user may choose
         * @description The deployment's list (`OPENAI_CHAT_MODELS`, or `OPENAI_CHAT_MODEL` alone), in its order, the
         *     default first. A conversation's `model` and a user's `defaultModel` must be one of them.
         */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's conversations, newest first
         * @description Newest `updatedAt` first, keyset-paginated (stable under inserts): pass `nextCursor`
         *     back as `cursor` for the next page. A cursor that is malformed or was issued to
         *     another user is 400 with a detail on `cursor`.
         */
        get: operations["listConversations"];
        put?: never;
        /**
         * Start a conversation
         * @description Without a title (or with an empty body) the conversation is titled "New conversation",
         *     and its first user message then names it (first line, at most 60 characters).
         */
        post: operations["createConversation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        /** One conversation */
        get: operations["getConversation"];
        put?: never;
        post?: never;
        /**
         * Delete a conversation
         * @description Its messages and their vectors are deleted with it.
         */
        delete: operations["deleteConversation"];
        options?: never;
        head?: never;
        /**
         * Rename a conversation, or set its model or system prompt
         * @description Each field is optional (at least one): absent leaves it, `null` clears it (not the
         *     title). A rename moves the conversation to the top of the list; a change of model or
         *     prompt does not. A `model` not in `GET /models` is 400 on `model`.
         */
        patch: operations["updateConversation"];
        trace?: never;
    };
    "/conversations/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        /**
         * A page of a conversation's messages
         * @description The newest messages before `before`, returned oldest → newest; `nextCursor` pages
         *     toward older messages (pass it back as `before`). A cursor that is malformed or was
         *     issued to another user is 400 with a detail on `before`.
         *
         *     A conversation is a tree (an edit makes a sibling of the edited message, a regenerated
         *     answer a sibling of the answer; the old branches stay): this lists the branch shown,
         *     from its first message to its leaf (`PUT /conversations/{id}/leaf` switches it), and
         *     each message carries its `parentId` and `siblingIds` for a "‹ 2/3 ›" switcher.
         *
         *     The order is the conversation's, not the time of each write: an answer always comes
         *     right after the message it answers, even when it was stored later (a stopped answer
         *     is stored when the stop is noticed, possibly after the next question).
         */
        get: operations["listMessages"];
        put?: never;
        /**
         * One chat turn, streamed
         * @description Stores the user's message and answers with the model's reply as server-sent events,
         *     in this order: one `start` (`StartEvent`), one or more `delta` (`DeltaEvent`), then
         *     `done` (`DoneEvent`). Each event is `event: <name>` and `data: <JSON>` lines ended by
         *     a blank line.
         *
         *     If the model fails after `start`, the stream ends with `event: error` (`ErrorEvent`)
         *     instead of `done`: the user message stays stored and whatever the assistant produced
         *     is stored with `status: "incomplete"`.
         *
         *     Validation, auth, not-found and rate-limit failures happen before the stream starts
         *     and use the normal error shape and status.
         *
         *     The model sees a system prompt (the deployment's, then the user's `instructions`, then the
         *     conversation's `systemPrompt`), the most relevant earlier messages of the same user (vector
         *     search) and the newest messages of this conversation that fit a token budget. It is the
         *     conversation's `model`, else the user's `defaultModel`, else the deployment's default (one no
         *     longer in `GET /models` is skipped).
         *
         *     A conversation that its first message titled (it was `New conversation`) is named after
         *     its first answer by one short call to the default model, once the stream has closed (it
         *     never delays the answer); a rename by the user meanwhile wins, and if the call fails the
         *     first line of the message stays the title.
         *
         *     On AWS this route is served streamed by the chat function's Lambda Function URL
         *     (`POST {StreamUrl}conversations/{id}/messages`, response streaming); the same handler
         *     also sits behind this HTTP API route, where the events arrive in one buffered response.
         */
        post: operations["sendMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/conversations/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        /**
         * Download a conversation as Markdown or JSON
         * @description The conversation and all its messages, in the conversation's order, as a file to save
         *     (`Content-Disposition: attachment`; the file name is the title made ASCII-safe, or
         *     `conversation`, with `.md` or `.json`).
         *
         *     `markdown` (the default) is for people: the title as a heading, the conversation's
         *     dates, then each message with who wrote it (**You** or **Assistant**) and when (UTC),
         *     its content exactly as written (code blocks included; a block an answer left open when
         *     it was cut off is closed), and for an answer its model and tokens when known; an
         *     answer cut off before it was finished is marked *Incomplete*. `json` is the
         *     `ConversationExport` schema, for programs.
         *
         *     API Gateway's HTTP API buffers a function's response and refuses one over 6 MB, so an
         *     export is bounded (5 MB of body by default, `EXPORT_MAX_BYTES`): a conversation over
         *     it is 413 `payload_too_large` ("the conversation is too large to export this way").
         *     The whole account, without that bound, is `GET /me/export`.
         */
        get: operations["exportConversation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/conversations/{id}/messages/{messageId}/regenerate": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
                /** @description An answer of the conversation. */
                messageId: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A new answer in place of one, streamed
         * @description Asks the model again for the question that `messageId` answers and streams the new
         *     answer exactly like `POST /conversations/{id}/messages` (the same events, on the chat
         *     Function URL `POST {StreamUrl}conversations/{id}/messages/{messageId}/regenerate`, and
         *     buffered on this HTTP API route). The new answer is a sibling of the old one: both are
         *     kept, and the new one ends the branch shown. No body. A user message is 400 on
         *     `messageId` (edit it instead: send a new message with its `parentId`); a regenerate
         *     while the question is being answered is 409 `turn_in_progress`.
         */
        post: operations["regenerateAnswer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/conversations/{id}/leaf": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Show another branch
         * @description The branch through `messageId` becomes the one shown and continued: the conversation's
         *     leaf becomes the newest message below it (following the newest child down). A message
         *     that is not of the caller's conversation is 404.
         */
        put: operations["switchBranch"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Embed one text or a batch
         * @description One batched call to the embedding model; `data[i]` is the vector of `input[i]`.
         */
        post: operations["createEmbeddings"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search the caller's messages by meaning, by exact words, or both
         * @description Best first. Only the caller's messages are searched. A `conversationId` that is not
         *     one of the caller's conversations is 404.
         *
         *     `mode` chooses the search, and with it what `score` means:
         *
         *     - `hybrid` (the default): the keyword matches and the nearest messages by meaning,
         *       fused by reciprocal rank fusion (k = 60): `score` is the sum over both lists of
         *       1 / (60 + the message's rank there), between 0 and 2/61 (about 0.033). A message
         *       holding the query's exact words (an error code, an identifier, a name) ranks first
         *       even when its embedding is far from the query's.
         *     - `semantic`: the nearest messages by meaning; `score` is the cosine similarity
         *       between the query's embedding and the message's, in [-1, 1].
         *     - `keyword`: full-text search; a message matches when it holds every word of `q`
         *       (`"quoted words"` are a phrase, `or` is either, `-word` excludes; words are
         *       lower-cased, not stemmed). `score` is PostgreSQL's `ts_rank` normalised to [0, 1).
         *       Asks no model and counts nothing against the daily embedding quota; finds messages
         *       not yet embedded too.
         *
         *     Scores are comparable only within one mode.
         */
        get: operations["searchMessages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health of the API and its dependencies
         * @description `ok` when every dependency answers; `degraded` (still 200) when only a non-essential
         *     one (the cache) is down and the API still works; 503 `unhealthy` when the database
         *     is down. The checks run at once, each bounded by a short timeout. An instance answers
         *     its last check for a few seconds (`timestamp` says when it ran), and each client IP may
         *     ask 60 times a minute (429 beyond).
         */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description The one error shape of every route, whatever function answers; only API Gateway's own answers differ (`GatewayMessage`). */
        Error: {
            error: {
                code: components["schemas"]["ErrorCode"];
                /** @description For people; written for the client, never carries internals. */
                message: string;
                /** @description One entry per failing field (validation_failed). */
                details?: components["schemas"]["FieldError"][];
                /** @description The same value as the `X-Request-Id` header. */
                requestId: string;
            };
        };
        /**
         * @description 400 `validation_failed`, `invalid_json`; 401 `unauthorized`, `invalid_credentials`,
         *     `token_expired`; 403 `user_not_confirmed`, `sign_up_closed`; 404 `not_found`; 409 `user_exists`,
         *     `conflict`, `turn_in_progress`, `mfa_enabled`, `mfa_not_enabled`, `mfa_not_set_up`; 413 `payload_too_large`; 429 `rate_limited`,
         *     `quota_exceeded`; 500 `internal`;
         *     502 `upstream_error`; 503 `unavailable`, `database_unavailable`.
         * @enum {string}
         */
        ErrorCode: "validation_failed" | "invalid_json" | "unauthorized" | "invalid_credentials" | "token_expired" | "user_not_confirmed" | "sign_up_closed" | "not_found" | "user_exists" | "conflict" | "turn_in_progress" | "mfa_enabled" | "mfa_not_enabled" | "mfa_not_set_up" | "payload_too_large" | "rate_limited" | "quota_exceeded" | "internal" | "upstream_error" | "unavailable" | "database_unavailable";
        FieldError: {
            /** @description The body field or query parameter, e.g. `email` or `input[3]`. */
            field: string;
            message: string;
        };
        /**
         * @description What API Gateway itself sends, not a function: its JWT authorizer's 401, 403, an unknown
         *     route's 404, its throttling's 429, 413 over its 10 MB limit, 500 for a function that
         *     crashed or timed out, 503 when the integration timed out. No `code` and no `requestId`
         *     (the `X-Request-Id` / `Apigw-Requestid` header has it); the message is HTTP's reason phrase.
         */
        GatewayMessage: {
            /**
             * @example Unauthorized
             * @example Forbidden
             * @example Not Found
             * @example Too Many Requests
             * @example Internal Server Error
             */
            message: string;
        };
        /**
         * Format: email
         * @description Trimmed and lower-cased by the server.
         */
        Email: string;
        /**
         * Format: password
         * @description At least 8 characters with upper case, lower case, a digit and a symbol (the user pool's policy), and no space at either end.
         */
        Password: string;
        /** @description The code Cognito e-mailed (trimmed). */
        VerificationCode: string;
        SignUpRequest: {
            email: components["schemas"]["Email"];
            password: components["schemas"]["Password"];
        };
        SignUpResponse: {
            /**
             * Format: uuid
             * @description The new user's id (the tokens' `sub`).
             */
            userSub: string;
            /** @description Whether the user pool confirmed the account already. */
            confirmed: boolean;
        };
        ConfirmRequest: {
            email: components["schemas"]["Email"];
            code: components["schemas"]["VerificationCode"];
        };
        EmailRequest: {
            email: components["schemas"]["Email"];
        };
        SignInRequest: {
            email: components["schemas"]["Email"];
            /**
             * Format: password
             * @description Not checked against the policy here.
             */
            password: string;
        };
        RefreshRequest: {
            refreshToken: string;
        };
        ResetPasswordRequest: {
            email: components["schemas"]["Email"];
            code: components["schemas"]["VerificationCode"];
            newPassword: components["schemas"]["Password"];
        };
        Tokens: {
            /** @description Send as `Authorization: Bearer <accessToken>`. */
            accessToken: string;
            idToken: string;
            /** @description For `POST /auth/refresh`; revoked by `POST /auth/sign-out`. */
            refreshToken: string;
            /** @description Seconds until the access token expires. */
            expiresIn: number;
            /** @constant */
            tokenType: "Bearer";
        };
        RefreshedTokens: {
            accessToken: string;
            idToken: string;
            /** @description Seconds until the access token expires. */
            expiresIn: number;
            /** @constant */
            tokenType: "Bearer";
        };
        User: {
            /**
             * Format: uuid
             * @description The Cognito user's `sub`.
             */
            id: string;
            /** Format: email */
            email: string;
            /** Format: date-time */
            createdAt: string;
            /** @description Custom instructions added to the system prompt of every conversation; `null` is none. */
            instructions?: string | null;
            /** @description The model of a conversation that names none; `null` is the deployment's default. */
            defaultModel?: string | null;
        };
        UpdateMeRequest: {
            /** @description Trimmed; 1–4 000 characters; `null` clears them. */
            instructions?: string | null;
            /** @description One of `GET /models`; `null` is the deployment's default. */
            defaultModel?: string | null;
        };
        ChangePasswordRequest: {
            /**
             * Format: password
             * @description Not checked against the policy (it may predate it).
             */
            currentPassword: string;
            newPassword: components["schemas"]["Password"];
        };
        DeleteAccountRequest: {
            /**
             * Format: password
             * @description The caller's password, asked again.
             */
            password: string;
        };
        /**
         * @description The 6-digit code the authenticator app shows now; spaces (`123 456`) are ignored.
         * @example 123456
         */
        MFACode: string;
        /** @description A right password of an account with two-step sign-in on; no tokens yet. */
        MFAChallenge: {
            /** @constant */
            challenge: "mfa_required";
            /** @description Opaque; for `POST /auth/mfa/challenge`, within 3 minutes. Never log it. */
            session: string;
        };
        MFAChallengeRequest: {
            email: components["schemas"]["Email"];
            session: string;
            code: components["schemas"]["MFACode"];
        };
        MFASetup: {
            /** @description The TOTP secret, base32, for typing into an app by hand. */
            secret: string;
            /** @description The `otpauth://totp/Macro%20AI:<e-mail>?secret=…&issuer=Macro%20AI&algorithm=SHA1&digits=6&period=30` URI, for a QR code. */
            otpauthUri: string;
        };
        MFACodeRequest: {
            code: components["schemas"]["MFACode"];
        };
        MFADisableRequest: {
            /** Format: password */
            password: string;
            code: components["schemas"]["MFACode"];
        };
        MFAStatus: {
            mfaEnabled: boolean;
        };
        Conversation: {
            /** Format: uuid */
            id: string;
            title: string;
            /** Format: date-time */
            createdAt: string;
            /**
             * Format: date-time
             * @description The time of the user's own last action on the conversation: created, renamed,
             *     or a message sent. An answer, stored when the model is done, does not move it,
             *     so a late write never lifts a conversation above ones touched after it. Lists
             *     are ordered by it.
             */
            updatedAt: string;
            messageCount: number;
            /** @description The conversation's chat model; `null` is the user's default, else the deployment's. */
            model?: string | null;
            /** @description The conversation's own system prompt; `null` is none. */
            systemPrompt?: string | null;
            /**
             * Format: uuid
             * @description Only in an export, the end of the branch shown (the JSON export holds the whole tree).
             */
            leafId?: string;
        };
        CreateConversationRequest: {
            /**
             * @description Trimmed; 1–255 characters. Absent or null is the default.
             * @default New conversation
             */
            title?: string | null;
        };
        UpdateConversationRequest: {
            /** @description Trimmed; 1–255 characters. */
            title?: string;
            /** @description One of `GET /models`; `null` is the user's default (else the deployment's). */
            model?: string | null;
            /** @description Trimmed; 1–4 000 characters, added to the deployment's system prompt for this conversation; `null` is none. */
            systemPrompt?: string | null;
        };
        ConversationPage: {
            /** @description Newest `updatedAt` first. */
            items: components["schemas"]["Conversation"][];
            /** @description Opaque; pass it as `cursor` for the next page. `null` on the last page. */
            nextCursor: string | null;
        };
        Message: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            role: "user" | "assistant";
            content: string;
            /**
             * @description `incomplete`: the model failed, or the client left, before the answer was finished.
             * @enum {string}
             */
            status: "complete" | "incomplete";
            /** Format: date-time */
            createdAt: string;
            /** @description Of an answer, the model that wrote it (absent for the user's messages and older answers). */
            model?: string;
            usage?: components["schemas"]["Usage"];
            /** @description Of an answer, how long the model took, from the call to its last token. */
            durationMs?: number;
            /**
             * Format: uuid
             * @description In a listed branch, the message this one follows (absent for a first message).
             */
            parentId?: string;
            /**
             * @description In a listed branch, this message and its siblings (the other edits of it, the other
             *     answers to its question), oldest first: this one's position is its place in the list.
             *     Switch to one with `PUT /conversations/{id}/leaf`.
             */
            siblingIds?: string[];
        };
        /** @description A conversation exported as JSON (`GET /conversations/{id}/export?format=json`). */
        ConversationExport: {
            /**
             * @description The format and its version; a change that is not backward-compatible gets a new one.
             * @constant
             */
            format: "macro-ai.conversation.v1";
            /** Format: date-time */
            exportedAt: string;
            conversation: components["schemas"]["Conversation"];
            /** @description All the conversation's messages, in its order (an answer right after its question). */
            messages: components["schemas"]["ExportedMessage"][];
        };
        ExportedMessage: components["schemas"]["Message"] & {
            /**
             * Format: uuid
             * @description Of an answer, the id of the message it answers; `null` for the user's messages.
             */
            parentId?: string | null;
        };
        /**
         * @description An answer's tokens: its prompt's and its own, as the provider reported them (estimated
         *     when it reports none, or when the answer was cut short).
         */
        Usage: {
            promptTokens: number;
            completionTokens: number;
        };
        MessagePage: {
            /** @description Oldest → newest. */
            items: components["schemas"]["Message"][];
            /** @description Opaque; pass it as `before` for older messages. `null` when there are none. */
            nextCursor: string | null;
        };
        SendMessageRequest: {
            /** @description The user's message; 1–10 000 characters, not only white space. */
            content: string;
            /**
             * Format: uuid
             * @description Makes a retry idempotent: the same id never stores the user message twice. A retry of
             *     a finished turn streams the stored answer again; a retry while the turn is still being
             *     answered is 409 `turn_in_progress`.
             */
            clientMessageId?: string;
            /**
             * Format: uuid
             * @description The message the new one follows. Absent: the end of the branch shown. A message of the
             *     conversation: an edit (send the edited message's `parentId`), which makes a sibling of
             *     the edited message and a new branch, the old one kept; `null`: an edit of the first
             *     message. The model sees only the new message's branch. One that is not a message of
             *     this conversation is 400 on `parentId`, and nothing is stored.
             */
            parentId?: string | null;
        };
        /** @description The data of `event: start`, the first event. */
        StartEvent: {
            /** Format: uuid */
            conversationId: string;
            /** Format: uuid */
            userMessageId: string;
            /** Format: uuid */
            assistantMessageId: string;
        };
        /** @description The data of `event: delta`: the next piece of the answer. */
        DeltaEvent: {
            text: string;
        };
        /** @description The data of `event: done`, the last event of a finished answer. */
        DoneEvent: {
            /** Format: uuid */
            assistantMessageId: string;
            /**
             * @description The model's reason to stop, e.g. `stop` or `length`.
             * @example stop
             * @example length
             */
            finishReason: string;
            usage: components["schemas"]["Usage"];
            /** @description The model that answered (the conversation's, else the user's default, else the deployment's). */
            model?: string;
            /** @description How long the model took. */
            durationMs?: number;
        };
        /**
         * @description The data of `event: error`, the last event when the answer failed after `start`
         *     (`upstream_error`: the model failed). The user message stays stored; what the
         *     assistant produced is stored with `status: "incomplete"`.
         */
        ErrorEvent: {
            error: {
                /** @enum {string} */
                code: "upstream_error";
                message: string;
            };
        };
        EmbeddingsRequest: {
            input: string | string[];
        };
        EmbeddingsResponse: {
            /** @description The embedding model, e.g. `text-embedding-3-small`. */
            model: string;
            /** @description The length of every embedding. */
            dimensions: number;
            data: {
                /** @description The position of the input this vector embeds. */
                index: number;
                embedding: number[];
            }[];
        };
        SearchResult: {
            /** Format: uuid */
            conversationId: string;
            conversationTitle: string;
            /** Format: uuid */
            messageId: string;
            /** @enum {string} */
            role: "user" | "assistant";
            content: string;
            /** Format: date-time */
            createdAt: string;
            /** @description Depends on the `mode`: the cosine similarity (`semantic`, in [-1, 1]), the normalised `ts_rank` (`keyword`, in [0, 1)) or the reciprocal rank fusion score (`hybrid`, in [0, 2/61]). Higher is better. */
            score: number;
        };
        UsageReport: {
            /** Format: date-time */
            from: string;
            /** Format: date-time */
            to: string;
            models: {
                model: string;
                answers: number;
                promptTokens: number;
                completionTokens: number;
                /** @description Estimated, in USD; `null` when the model has no price. */
                costUsd: number | null;
            }[];
            total: {
                answers: number;
                promptTokens: number;
                completionTokens: number;
                /** @description Estimated, in USD, of the models with a price. */
                costUsd: number;
            };
        };
        AccountExportLink: {
            /** @description A pre-signed GET of the `AccountExport` document. */
            url: string;
            /** Format: date-time */
            expiresAt: string;
            bytes: number;
            conversations: number;
            messages: number;
        };
        /** @description The whole account (`GET /me/export`), what `POST /imports` reads back. */
        AccountExport: {
            /**
             * @description The format and its version; it comes first, and an importer reads it first.
             * @constant
             */
            format: "macro-ai.account.v1";
            /** Format: date-time */
            exportedAt: string;
            /** @description All the answers' tokens per model, since the account began. */
            usage: {
                model: string;
                answers: number;
                promptTokens: number;
                completionTokens: number;
            }[];
            /** @description Oldest first; each as `ConversationExport` has it, without its `format`. */
            conversations: {
                conversation: components["schemas"]["Conversation"];
                messages: components["schemas"]["ExportedMessage"][];
            }[];
        };
        StartImportRequest: {
            /** @description The file's length in bytes; over the limit (60 MB by default) is 413. */
            size: number;
        };
        Import: {
            /** Format: uuid */
            id: string;
            /**
             * @description `pending` until the file is uploaded, `running` while it is read, then `done` or
             *     `failed`. A failed import wrote nothing.
             * @enum {string}
             */
            status: "pending" | "running" | "done" | "failed";
            /** @description The size given to `POST /imports`. */
            size: number;
            /** @description The file's format once recognised: `macro-ai.conversation.v1`, `macro-ai.account.v1` or `chatgpt`. */
            format: string | null;
            bytesRead: number;
            /** @description Conversations created (so far */
            conversations: number;
            messages: number;
            /** @description Conversations imported before */
            skipped: number;
            /** @description Of a failed import, why, in words for the user (with the byte where the file went wrong). */
            error: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: date-time */
            finishedAt: string | null;
        };
        ImportStarted: {
            import: components["schemas"]["Import"];
            upload: {
                /** @description The pre-signed URL of the file's upload. */
                url: string;
                /** @constant */
                method: "PUT";
                /** @description The headers to send with the PUT (`Content-Type`), signed with it. */
                headers: {
                    [key: string]: string;
                };
                /** Format: date-time */
                expiresAt: string;
            };
        };
        /**
         * @example {
         *       "items": [
         *         {
         *           "id": "gpt-4o-mini",
         *           "default": true
         *         },
         *         {
         *           "id": "gpt-4o",
         *           "default": false
         *         }
         *       ]
         *     }
         */
        ModelList: {
            items: {
                /** @description The model as the provider names it, e.g. `gpt-4o-mini`. */
                id: string;
                /** @description True for the first: the model of a conversation and a user that name none. */
                default: boolean;
            }[];
        };
        SearchResponse: {
            /** @description Best first. */
            items: components["schemas"]["SearchResult"][];
        };
        Health: {
            /**
             * @description `degraded`: only a non-essential dependency (the cache) is down. `unhealthy` (503): the database is down.
             * @enum {string}
             */
            status: "ok" | "degraded" | "unhealthy";
            checks: {
                database: components["schemas"]["HealthCheck"];
                cache: components["schemas"]["HealthCheck"];
            } & {
                [key: string]: components["schemas"]["HealthCheck"];
            };
            /** @description The deployed build. */
            version: string;
            /** Format: date-time */
            timestamp: string;
        };
        HealthCheck: {
            /** @enum {string} */
            status: "ok" | "down";
            /** @description How long the check took, in milliseconds. */
            latencyMs: number;
            /**
             * @description Only when `status` is `down`; the kind of failure, never the error's text.
             * @enum {string}
             */
            error?: "timeout" | "unreachable" | "error";
        };
    };
    responses: {
        /** @description Done; no body. */
        NoContent: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content?: never;
        };
        /**
         * @description `validation_failed` (the body or the query fails validation; `details` names each
         *     field) or `invalid_json` (the body is not one JSON object).
         */
        BadRequest: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "validation_failed",
                 *         "message": "email: must be a valid email address",
                 *         "details": [
                 *           {
                 *             "field": "email",
                 *             "message": "must be a valid email address"
                 *           }
                 *         ],
                 *         "requestId": "4f1b2c3d-0000-4000-8000-000000000000"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /**
         * @description `unauthorized`: the access token is missing or invalid (`token_expired` for an expired
         *     one on the streamed chat route; `invalid_credentials` when Cognito rejects the token).
         *     On the HTTP API the JWT authorizer refuses a missing, expired or invalid token before any
         *     function runs, with API Gateway's own `{"message": "Unauthorized"}` (a `GatewayMessage`).
         */
        Unauthorized: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayMessage"];
            };
        };
        /** @description `invalid_credentials`: wrong e-mail or password, or a refresh token that is no longer valid. */
        InvalidCredentials: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `sign_up_closed`: this deployment does not let this address sign up (its owner allows only listed addresses or domains, or nobody); the same answer whatever the reason. */
        SignUpClosed: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `user_not_confirmed`: sign-in before the e-mail was confirmed. */
        UserNotConfirmed: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `not_found`: an unknown id, or one that belongs to another user (never 403). */
        NotFound: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `user_exists`: an account with this e-mail already exists. */
        UserExists: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `turn_in_progress`: a turn with this `clientMessageId` is still being answered (the model is never asked twice for one message); retry after `Retry-After` seconds to get the stored answer. */
        Conflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                /** @description Seconds until the turn will have answered or given up. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `mfa_enabled`: two-step sign-in is on already (turn it off first); `mfa_not_enabled`: it is off; `mfa_not_set_up`: no secret of `POST /auth/mfa/setup` waits for a code. */
        MFAConflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `payload_too_large`: the body is over 64 KiB. */
        PayloadTooLarge: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `payload_too_large`: the conversation is too large to export this way, its export would be over the bound of a buffered response (5 MB by default). */
        ExportTooLarge: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `payload_too_large`: the file is larger than an import may be (60 MB by default). */
        ImportTooLarge: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `rate_limited`: over the rate limit; retry after `Retry-After` seconds. Or API Gateway's own throttling: `{"message": "Too Many Requests"}`, without `Retry-After`. */
        RateLimited: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayMessage"];
            };
        };
        /** @description `rate_limited`: over the rate limit; retry after `Retry-After` seconds. Or `quota_exceeded`: one of the caller's daily quotas (UTC days) is used up — chat turns, model tokens, characters embedded (messages, answers, search queries) or bytes of messages stored, each configured by the deployment's owner (`QUOTA_*`). The message names the quota, its limit and when it resets (the next midnight UTC, RFC 3339); `Retry-After` is the seconds until then. A refused message is not stored. Or API Gateway's own throttling: `{"message": "Too Many Requests"}`, without `Retry-After`. */
        RateLimitedOrQuota: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "quota_exceeded",
                 *         "message": "the daily quota of chat turns (500) is used up; it resets at 2026-12-02T00:00:00Z",
                 *         "requestId": "3f1c2b7a-8d4e-4c1a-9b2f-6e5d4c3b2a10"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayMessage"];
            };
        };
        /** @description `internal`: a bug; the message never leaks internals. Or API Gateway's `{"message": "Internal Server Error"}` when a function crashed or timed out. */
        Internal: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayMessage"];
            };
        };
        /** @description `upstream_error`: the model provider or Cognito failed. */
        UpstreamError: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /**
         * @description `database_unavailable` or `unavailable`: a dependency is down; answered fast, not
         *     after a timeout. May carry `Retry-After`.
         *     Or API Gateway's `{"message": "Service Unavailable"}` when the integration timed out.
         */
        Unavailable: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                /** @description Seconds to wait before trying again. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayMessage"];
            };
        };
    };
    parameters: {
        /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
        ConversationId: string;
    };
    requestBodies: never;
    headers: {
        /** @description The API Gateway / Lambda request id; also the error body's `requestId`. */
        "X-Request-Id": string;
        /** @description Seconds to wait before trying again. */
        "Retry-After": number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    signUp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignUpRequest"];
            };
        };
        responses: {
            /** @description The account exists; unless `confirmed`, confirm it with the e-mailed code. */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignUpResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["SignUpClosed"];
            409: components["responses"]["UserExists"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    confirmSignUp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConfirmRequest"];
            };
        };
        responses: {
            204: components["responses"]["NoContent"];
            400: components["responses"]["BadRequest"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    resendCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EmailRequest"];
            };
        };
        responses: {
            204: components["responses"]["NoContent"];
            400: components["responses"]["BadRequest"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    signIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SignInRequest"];
            };
        };
        responses: {
            /** @description Signed in (`Tokens`), or the password was right and a code is needed (`MFAChallenge`). */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tokens"] | components["schemas"]["MFAChallenge"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["InvalidCredentials"];
            403: components["responses"]["UserNotConfirmed"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    answerMfaChallenge: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MFAChallengeRequest"];
            };
        };
        responses: {
            /** @description Signed in. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tokens"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["InvalidCredentials"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    setUpMfa: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The secret, to type in, and its URI, to scan. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MFASetup"];
                };
            };
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["MFAConflict"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    verifyMfa: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MFACodeRequest"];
            };
        };
        responses: {
            /** @description Two-step sign-in is on. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MFAStatus"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["MFAConflict"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    disableMfa: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MFADisableRequest"];
            };
        };
        responses: {
            /** @description Two-step sign-in is off. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MFAStatus"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["MFAConflict"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    refreshTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshRequest"];
            };
        };
        responses: {
            /** @description New access and id tokens; the refresh token stays the same. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RefreshedTokens"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["InvalidCredentials"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    forgotPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EmailRequest"];
            };
        };
        responses: {
            204: components["responses"]["NoContent"];
            400: components["responses"]["BadRequest"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    resetPassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResetPasswordRequest"];
            };
        };
        responses: {
            204: components["responses"]["NoContent"];
            400: components["responses"]["BadRequest"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    signOut: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: components["responses"]["NoContent"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateMeRequest"];
            };
        };
        responses: {
            /** @description The caller, as `GET /me`. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePasswordRequest"];
            };
        };
        responses: {
            /** @description Changed; the new tokens of this session (the refresh token is new too), or the challenge of its new sign-in. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tokens"] | components["schemas"]["MFAChallenge"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    deleteAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeleteAccountRequest"];
            };
        };
        responses: {
            204: components["responses"]["NoContent"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
            503: components["responses"]["Unavailable"];
        };
    };
    getUsage: {
        parameters: {
            query?: {
                /** @description An RFC 3339 time or a date (midnight UTC). Default, the first of this month (UTC). */
                from?: string;
                /** @description Exclusive; after `from`, at most 367 days later. Default, now. */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The totals. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsageReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    exportAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Where to download the export. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountExportLink"];
                };
            };
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    startImport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartImportRequest"];
            };
        };
        responses: {
            /** @description The import, pending, and where to upload its file. */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportStarted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["ImportTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getImport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The import's id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The import. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Import"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The models, the default first. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listConversations: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description Opaque; the `nextCursor` of the previous page. Absent for the first page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createConversation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CreateConversationRequest"];
            };
        };
        responses: {
            /** @description The new conversation. */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getConversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conversation. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteConversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: components["responses"]["NoContent"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateConversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateConversationRequest"];
            };
        };
        responses: {
            /** @description The conversation as it is now. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listMessages: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: number;
                /** @description Opaque; the `nextCursor` of the previous page. Absent for the newest page. */
                before?: string;
            };
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page, oldest → newest. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessagePage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    sendMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendMessageRequest"];
            };
        };
        responses: {
            /** @description The answer as a stream of server-sent events. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    /** @description Always `no-cache`. */
                    "Cache-Control"?: "no-cache";
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example event: start
                     *     data: {"conversationId":"5f0c1d2e-8a41-4b0e-9a55-1d4c7b2e9f10","userMessageId":"0b6f6f4c-3b1e-4f6e-8d2a-3c9e1f7a2b44","assistantMessageId":"9a2d7c1e-5b3f-4e8a-b6c4-2f1e0d9c8b77"}
                     *
                     *     event: delta
                     *     data: {"text":"Hel"}
                     *
                     *     event: delta
                     *     data: {"text":"lo!"}
                     *
                     *     event: done
                     *     data: {"assistantMessageId":"9a2d7c1e-5b3f-4e8a-b6c4-2f1e0d9c8b77","finishReason":"stop","usage":{"promptTokens":12,"completionTokens":34}}
                     */
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimitedOrQuota"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    exportConversation: {
        parameters: {
            query?: {
                /** @description `markdown` (when absent) or `json`; anything else, the empty value too, is 400 on `format`. */
                format?: "markdown" | "json";
            };
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conversation as a file. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    /** @description `attachment; filename="<safe-title>.md"` (or `.json`). */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "text/markdown": string;
                    "application/json": components["schemas"]["ConversationExport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["ExportTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    regenerateAnswer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
                /** @description An answer of the conversation. */
                messageId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The new answer as server-sent events (see sendMessage). */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["RateLimitedOrQuota"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    switchBranch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A conversation id, a UUID in its canonical form (8-4-4-4-12 hexadecimal digits). An id that does not exist, is not in that form (urn:uuid:…, braces, bare digits) or belongs to another user is 404. */
                id: components["parameters"]["ConversationId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: uuid */
                    messageId: string;
                };
            };
        };
        responses: {
            /** @description The new leaf. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        leafId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createEmbeddings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EmbeddingsRequest"];
            };
        };
        responses: {
            /** @description The vectors, in input order. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmbeddingsResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
        };
    };
    searchMessages: {
        parameters: {
            query: {
                /** @description The query text (trimmed). */
                q: string;
                /** @description `hybrid` (keyword and semantic, fused), `semantic` (by meaning) or `keyword` (exact words). Anything else is 400 `validation_failed`. */
                mode?: "hybrid" | "semantic" | "keyword";
                /** @description At most this many results. */
                limit?: number;
                /** @description Search only this conversation. */
                conversationId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The best matches, best first. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimitedOrQuota"];
            500: components["responses"]["Internal"];
            502: components["responses"]["UpstreamError"];
            503: components["responses"]["Unavailable"];
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Healthy or degraded. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            /** @description Unhealthy (`status` is `unhealthy`): the database is down. The body is the health report, not an error. */
            503: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
}
