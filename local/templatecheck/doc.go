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
// check a password (POST /me/password, POST /me/delete) are signed in, and no
// function holds a Cognito IAM action: they act with the caller's own token.
// The data bucket of imports and exports is private, encrypted, TLS only and
// forgets everything within a day, allows the app's origin to PUT and GET
// only, notifies the import function of uploads under imports/ only, and
// each function touching it may touch only its own prefix (S3 object
// actions may name a key prefix ending in /*: the keys are made at run
// time); the import function's policy does not name the bucket (a cycle).
//
// Each check is also run on doctored copies that it must fault.
//
// The package has no code of its own: run it with go test.
package templatecheck
