module github.com/macro-ai/macro-ai/functions/conversations-export

go 1.26.8
