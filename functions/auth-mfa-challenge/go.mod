module github.com/macro-ai/macro-ai/functions/auth-mfa-challenge

go 1.26.8
