// Package templatecheck holds the tests that keep template.yaml honest: every
// function folder has its resource and every resource its folder, every HTTP
// route is in openapi.yaml and every documented route in the template, public
// and signed-in routes are the ones API.md says, no IAM statement grants "*"
// beyond what AWS requires, and every function is built the same way (make,
// provided.al2023, arm64, bootstrap).
//
// The package has no code of its own: run it with go test.
package templatecheck
