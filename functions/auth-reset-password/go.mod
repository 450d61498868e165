module github.com/macro-ai/macro-ai/functions/auth-reset-password

go 1.26.8
