module github.com/macro-ai/macro-ai/functions/embed

go 1.26.8
