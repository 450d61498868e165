module github.com/macro-ai/macro-ai/functions/conversations-get

go 1.26.8
