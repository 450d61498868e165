module github.com/macro-ai/macro-ai/functions/chat-stream

go 1.26.8
