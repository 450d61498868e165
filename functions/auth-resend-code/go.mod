module github.com/macro-ai/macro-ai/functions/auth-resend-code

go 1.26.8
