// Package templatecheck holds the tests that keep template.yaml honest: every
// function folder has its resource and every resource its folder, every HTTP
// route is in openapi.yaml and every documented route in the template, public
// and signed-in routes are the publicRoutes table in both template.yaml and
// openapi.yaml, every $ref of openapi.yaml resolves (the web app's types are
// generated from it: web/src/api/schema.d.ts), no IAM statement grants "*" or a wildcard resource
// beyond what AWS requires, each function reads exactly the secrets it
// declares in SECRETS, only the warmup invokes functions (exactly the HTTP
// ones), every function logs JSON to its own log group kept 14 days
// with X-Ray tracing, the schedules, the migrations custom resource, the
// budget alert and the outputs are there, and every function is built the
// same way (make, provided.al2023, arm64, bootstrap). The account routes that
// check a password or an authenticator code (POST /me/password, POST
// /me/delete, POST /auth/mfa/setup, /verify, /disable) are signed in, and no
// function holds a Cognito IAM action: they act with the caller's own token.
// The user pool's MFA is OPTIONAL with exactly SOFTWARE_TOKEN_MFA enabled.
// The data bucket of imports and exports is private, encrypted, TLS only and
// forgets everything within a day, allows the app's origin to PUT and GET
// only, notifies the import function of uploads under imports/ only, and
// each function touching it may touch only its own prefix (S3 object
// actions may name a key prefix ending in /*: the keys are made at run
// time); the import function's policy does not name the bucket (a cycle).
// The web app is hosted by the stack: a private bucket read only by its one
// CloudFront distribution through origin access control, a viewer-request
// function for the app's routes (its JavaScript run with node) and no custom
// error responses, a response headers policy with a strict CSP (connect-src
// the API, the stream and the data bucket, named without a cycle) and the
// security headers; the HTTP API, the Function URL and the data bucket allow
// the app's origin only, never "*"; make deploy uploads the app with the
// stack's outputs (deploy-web.sh, run dry). The alarms e-mail through one
// SNS topic (subscribed only when AlertEmail is set), fit CloudWatch's ten
// free alarm metrics and cover each signal of docs/operating.md (errors,
// throttles, API 5xx, the chat turn's error rate on observe's metric, the
// chat turn near its timeout, dead 5-minute schedules, the failures queue,
// the free tier at 80%); every schedule has the failures queue as its
// dead-letter queue and every asynchronous function as its on-failure
// destination; the dashboard graphs every function (SEARCH) and every app
// metric; only the usage watch reads metrics and lists functions.
//
// Each check is also run on doctored copies that it must fault.
//
// The package has no code of its own: run it with go test.
package templatecheck
