module github.com/macro-ai/macro-ai/functions/conversations-leaf

go 1.26.8
