module github.com/macro-ai/macro-ai/functions/conversations-update

go 1.26.8
