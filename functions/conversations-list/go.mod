module github.com/macro-ai/macro-ai/functions/conversations-list

go 1.26.8
