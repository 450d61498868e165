module github.com/macro-ai/macro-ai/functions/auth-forgot-password

go 1.26.8
