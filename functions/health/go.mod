module github.com/macro-ai/macro-ai/functions/health

go 1.26.8
