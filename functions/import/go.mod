module github.com/macro-ai/macro-ai/functions/import

go 1.26.8
