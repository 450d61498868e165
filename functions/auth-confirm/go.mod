module github.com/macro-ai/macro-ai/functions/auth-confirm

go 1.26.8
