module github.com/macro-ai/macro-ai/functions/imports-get

go 1.26.8
