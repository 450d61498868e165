module github.com/macro-ai/macro-ai/functions/auth-mfa-disable

go 1.26.8
