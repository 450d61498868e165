module github.com/macro-ai/macro-ai/functions/rotate-secrets

go 1.26.8
