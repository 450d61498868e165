module github.com/macro-ai/macro-ai/functions/auth-sign-in

go 1.26.8
