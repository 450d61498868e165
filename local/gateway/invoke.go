package gateway

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/macro-ai/macro-ai/local/lambdaemu"
)

// InvokeAPI serves the Lambda Invoke API (POST
// /2015-03-31/functions/{name}/invocations, RequestResponse) over the
// template's functions, so that the real aws-sdk-go-v2 Lambda client (the
// warmup function's) works locally with LAMBDA_ENDPOINT pointing here. The
// name may be a function's folder, its LogicalID or an ARN ending in either.
func (g *Gateway) InvokeAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
		name, ok2 := strings.CutSuffix(name, "/invocations")
		if !ok || !ok2 || r.Method != http.MethodPost {
			lambdaError(w, http.StatusNotFound, "UnknownOperationException", "only Invoke is served here")
			return
		}
		if i := strings.LastIndex(name, ":function:"); i >= 0 {
			name = name[i+len(":function:"):]
		}
		if t := r.Header.Get("X-Amz-Invocation-Type"); t != "" && t != "RequestResponse" {
			lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "only RequestResponse invocations are emulated")
			return
		}
		fn, err := g.Function(name)
		if err != nil {
			lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
			return
		}
		payload, err := io.ReadAll(r.Body)
		if err != nil {
			lambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
			return
		}
		if len(payload) == 0 {
			payload = []byte("{}")
		}
		res, err := fn.Invoke(r.Context(), payload)
		switch {
		case errors.Is(err, lambdaemu.ErrThrottled):
			lambdaError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
			return
		case err != nil:
			lambdaError(w, http.StatusInternalServerError, "ServiceException", err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		if res.Err != nil {
			// Like Lambda: 200 with the error document and X-Amz-Function-Error.
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			body := res.Err.Body
			if len(body) == 0 {
				body = []byte(`{"errorMessage":` + quote(res.Err.Message) + `,"errorType":` + quote(res.Err.Type) + `}`)
			}
			w.Write(body)
			return
		}
		w.Write(res.Payload)
	})
}

func lambdaError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(status)
	io.WriteString(w, `{"Type":"User","message":`+quote(msg)+`}`)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
