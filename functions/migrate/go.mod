module github.com/macro-ai/macro-ai/functions/migrate

go 1.26.8
