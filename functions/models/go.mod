module github.com/macro-ai/macro-ai/functions/models

go 1.26.8
