module github.com/macro-ai/macro-ai/functions/auth-refresh

go 1.26.8
