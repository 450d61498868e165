module github.com/macro-ai/macro-ai/functions/conversations-create

go 1.26.8
