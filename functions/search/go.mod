module github.com/macro-ai/macro-ai/functions/search

go 1.26.8
