module github.com/macro-ai/macro-ai/functions/usage-watch

go 1.26.8
