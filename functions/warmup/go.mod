module github.com/macro-ai/macro-ai/functions/warmup

go 1.26.8
