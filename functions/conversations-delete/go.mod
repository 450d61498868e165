module github.com/macro-ai/macro-ai/functions/conversations-delete

go 1.26.8
