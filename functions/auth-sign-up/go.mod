module github.com/macro-ai/macro-ai/functions/auth-sign-up

go 1.26.8
