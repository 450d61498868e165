module github.com/macro-ai/macro-ai/functions/me-usage

go 1.26.8
