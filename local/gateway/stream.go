package gateway

// Streaming: a function's Function URL (FunctionURL), and the response of a
// RESPONSE_STREAM function copied to the HTTP client as it arrives — the
// HTTP integration prelude turned into the status and headers, then the
// body (server-sent events included) passed through chunk by chunk.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/macro-ai/macro-ai/local/lambdaemu"
	"github.com/macro-ai/macro-ai/local/template"
)

const (
	// preludeContentType marks aws-lambda-go's LambdaFunctionURLStreamingResponse:
	// a JSON prelude (statusCode, headers, cookies), 8 NUL bytes, then the body.
	preludeContentType = "application/vnd.awslambda.http-integration-response"
	maxPreludeBytes    = 64 << 10
)

// FunctionURL serves every request to the named function as its Function
// URL (AuthType NONE) would: no routes, no authorizer, routeKey $default;
// streamed when the function streams. Function errors are 502, as Function
// URLs answer them.
func (g *Gateway) FunctionURL(name string) (http.Handler, error) {
	tf, ok := g.cfg.Template.Function(name)
	if !ok {
		return nil, fmt.Errorf("gateway: no function %q in the template", name)
	}
	cors := newCORSPolicy(g.cfg.Template, tf.URLCORS, http.StatusOK)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		requestID := newRequestID()
		rw := &statusWriter{ResponseWriter: w}
		defer func() {
			g.logf("%s %s %d %.2fms %s (function URL) %s", r.Method, r.URL.RequestURI(), rw.status, ms(time.Since(start)), tf.Dir, requestID)
		}()
		withCORS(cors, rw, r, func(w http.ResponseWriter) { g.serveFunctionURL(w, r, tf, requestID, start) })
	}), nil
}

// serveFunctionURL invokes tf with r as its Function URL's event.
func (g *Gateway) serveFunctionURL(rw http.ResponseWriter, r *http.Request, tf *template.Function, requestID string, start time.Time) {
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, 6<<20))
	if err != nil {
		writeMessage(rw, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	payload, _ := json.Marshal(buildEvent(r, body, "$default", nil, requestID, start))
	fn, err := g.function(tf)
	if err != nil {
		g.logf("%v", err)
		writeMessage(rw, http.StatusBadGateway, "Internal Server Error")
		return
	}
	if tf.Streaming {
		g.serveStream(rw, r, fn, payload, http.StatusBadGateway)
		return
	}
	g.serveBuffered(rw, fn, payload)
}

// writeThrottled is a Function URL's answer to an invocation Lambda
// throttled (the function's reserved or the account's concurrency is used
// up): 429 with Lambda's TooManyRequestsException. (Behind the HTTP API the
// same throttle is a 500.)
func writeThrottled(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = io.WriteString(w, `{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}`)
}

// serveStream invokes fn and copies its response to w as it arrives. A client
// that leaves (its connection closes: a stop, a closed tab) ends the response
// at once, between two writes, as a Function URL does: the function learns it
// within one token, not at its next write.
func (g *Gateway) serveStream(w http.ResponseWriter, r *http.Request, fn *lambdaemu.Function, payload []byte, errStatus int) {
	s, err := fn.InvokeStream(context.Background(), payload)
	if err != nil {
		g.logf("%s: invoke: %v", fn.Name(), err)
		if errors.Is(err, lambdaemu.ErrThrottled) {
			writeThrottled(w)
			return
		}
		writeMessage(w, errStatus, "Internal Server Error")
		return
	}
	ended := make(chan struct{})
	defer close(ended)
	go func() {
		select {
		case <-r.Context().Done():
			s.Body.Close() // the caller left: lambdaemu drops the runtime's connection
		case <-ended:
		}
	}()
	defer func() {
		s.Body.Close()
		// Wait for the instance to be released before the client sees the
		// end of the response, so that its next request finds it warm.
		s.Report()
	}()
	if s.Err != nil {
		g.logf("%s: function error %s", fn.Name(), s.Err)
		writeMessage(w, errStatus, "Internal Server Error")
		return
	}
	if !strings.EqualFold(s.ContentType, preludeContentType) {
		// No HTTP integration prelude: read it whole as a payload 2.0
		// response. (A RESPONSE_STREAM Function URL on AWS would pass these
		// bytes through as the body; the HTTP API route reads them as here.)
		body, err := io.ReadAll(s.Body)
		if err != nil {
			g.logf("%s: function error %v", fn.Name(), err)
			writeMessage(w, errStatus, "Internal Server Error")
			return
		}
		resp, err := decodeResponse(body)
		if err != nil {
			g.logf("%s: malformed response without a streaming prelude: %v", fn.Name(), err)
			writeMessage(w, errStatus, "Internal Server Error")
			return
		}
		resp.write(w)
		return
	}

	br := bufio.NewReaderSize(s.Body, 32<<10)
	prelude, err := readPrelude(br)
	if err != nil {
		g.logf("%s: streaming prelude: %v", fn.Name(), err)
		writeMessage(w, errStatus, "Internal Server Error")
		return
	}
	var head struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Cookies    []string          `json:"cookies"`
	}
	if err := json.Unmarshal(prelude, &head); err != nil {
		g.logf("%s: streaming prelude %q: %v", fn.Name(), prelude, err)
		writeMessage(w, errStatus, "Internal Server Error")
		return
	}
	if head.StatusCode == 0 {
		head.StatusCode = http.StatusOK
	}
	h := w.Header()
	for k, v := range head.Headers {
		h.Set(k, v)
	}
	for _, c := range head.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		h["Content-Type"] = nil // no sniffing
	}
	w.WriteHeader(head.StatusCode)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	buf := make([]byte, 32<<10)
	for {
		n, err := br.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return // the client left
			}
			_ = rc.Flush()
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			// A mid-stream failure: the status is long sent, so end the
			// body abruptly (no final chunk): the client sees a truncated
			// response rather than a complete one.
			g.logf("%s: stream ended by %v", fn.Name(), err)
			s.Body.Close()
			s.Report()
			panic(http.ErrAbortHandler)
		}
	}
}

// readPrelude reads up to and without the 8 NUL bytes that end the prelude.
func readPrelude(br *bufio.Reader) ([]byte, error) {
	var prelude []byte
	sep := make([]byte, 8)
	for len(prelude) <= maxPreludeBytes {
		b, err := br.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("the response ended inside the prelude: %w", err)
		}
		prelude = append(prelude, b)
		if bytes.HasSuffix(prelude, sep) {
			return prelude[:len(prelude)-8], nil
		}
	}
	return nil, errors.New("prelude too long")
}
