module github.com/macro-ai/macro-ai/functions/me-password

go 1.26.8
