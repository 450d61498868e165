module github.com/macro-ai/macro-ai/functions/auth-sign-out

go 1.26.8
