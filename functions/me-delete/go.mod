module github.com/macro-ai/macro-ai/functions/me-delete

go 1.26.8
