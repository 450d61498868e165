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
// same way (make, provided.al2023, arm64, bootstrap).
//
// Each check is also run on doctored copies that it must fault.
//
// The package has no code of its own: run it with go test.
package templatecheck
