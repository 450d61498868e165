module github.com/macro-ai/macro-ai/functions/auth-mfa-verify

go 1.26.8
