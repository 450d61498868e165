module github.com/macro-ai/macro-ai/functions/auth-mfa-setup

go 1.26.8
