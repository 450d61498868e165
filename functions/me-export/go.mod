module github.com/macro-ai/macro-ai/functions/me-export

go 1.26.8
