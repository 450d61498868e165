module github.com/macro-ai/macro-ai/local

go 1.26.8
