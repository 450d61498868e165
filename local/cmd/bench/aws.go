package main

import (
	"net/http"
	"strings"

	"github.com/macro-ai/macro-ai/shared/secrets/ssmtest"
)

// localAWS stands in for the AWS APIs the scheduled functions call, so that
// their rows measure their own work rather than a failed dial: Parameter
// Store (rotate-secrets, seeded with the stack's values and nothing pending)
// and Lambda Invoke (warmup), which answers every function's warmup event
// with {"warm":true} at once. Both share one endpoint, told apart as AWS
// does: SSM by its X-Amz-Target header.
func localAWS(stage string, vars map[string]string) http.Handler {
	params := ssmtest.New()
	for name, v := range map[string]string{"critical/database-url": vars["DATABASE_URL"],
		"standard/redis-url": vars["REDIS_URL"], "critical/openai-api-key": vars["OPENAI_API_KEY"]} {
		params.Put("/macro-ai/"+stage+"/"+name, v)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSSM.") {
			params.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"warm":true}`))
			return
		}
		http.NotFound(w, r)
	})
}
