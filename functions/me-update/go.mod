module github.com/macro-ai/macro-ai/functions/me-update

go 1.26.8
