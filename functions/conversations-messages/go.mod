module github.com/macro-ai/macro-ai/functions/conversations-messages

go 1.26.8
