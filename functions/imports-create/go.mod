module github.com/macro-ai/macro-ai/functions/imports-create

go 1.26.8
