module github.com/macro-ai/macro-ai/functions/me

go 1.26.8
