// Command testfn is a tiny Lambda function (aws-lambda-go, built with -tags
// lambda.norpc) for the tests of the emulator and the gateway.
//
// TESTFN_INIT chooses how its init phase goes: "" (fine), "error" (it posts
// to /init/error itself and waits to be stopped), "exit" (it exits).
// TESTFN_MODE=stream makes it a response-streaming function.
//
// Each invocation does what its event's "do" says (a top-level field, or the
// query parameter of an HTTP API event): "" echoes the event and some of its
// environment as JSON; "sleep" (ms), "error", "panic", "exit", "alloc" (mb),
// "string" (a plain JSON string), "object" (an object without statusCode),
// "binary" (a base64 body with cookies). A streaming function writes chunks
// ("n" of them, 3 by default, "gap" ms apart, 300 by default) and with
// "fail" ends the stream with an error.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

var initAt = time.Now()

func main() {
	switch os.Getenv("TESTFN_INIT") {
	case "error":
		body := `{"errorMessage":"missing setting FOO","errorType":"InitError"}`
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "InitError")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		time.Sleep(time.Minute)
		os.Exit(1)
	case "exit":
		fmt.Fprintln(os.Stderr, "cannot start")
		os.Exit(3)
	}
	if os.Getenv("TESTFN_MODE") == "stream" {
		lambda.Start(stream)
	}
	lambda.Start(handle)
}

type event struct {
	events.APIGatewayV2HTTPRequest
	Do      string `json:"do"`
	Ms      int    `json:"ms"`
	Mb      int    `json:"mb"`
	N       int    `json:"n"`
	Gap     int    `json:"gap"`
	Warmup  bool   `json:"warmup"`
	Payload string `json:"payload"`
}

func parse(raw json.RawMessage) (event, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return ev, err
	}
	q := ev.QueryStringParameters
	num := func(k string, into *int) {
		if v, err := strconv.Atoi(q[k]); err == nil {
			*into = v
		}
	}
	if q["do"] != "" {
		ev.Do = q["do"]
	}
	num("ms", &ev.Ms)
	num("mb", &ev.Mb)
	num("n", &ev.N)
	num("gap", &ev.Gap)
	return ev, nil
}

var sink [][]byte

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	ev, err := parse(raw)
	if err != nil {
		return nil, err
	}
	if ev.Warmup {
		return map[string]bool{"warm": true}, nil
	}
	switch ev.Do {
	case "sleep":
		time.Sleep(time.Duration(ev.Ms) * time.Millisecond)
	case "error":
		return nil, errors.New("something broke")
	case "panic":
		panic("oh no")
	case "exit":
		os.Exit(4)
	case "alloc":
		b := make([]byte, ev.Mb<<20)
		for i := range b {
			b[i] = byte(i)
		}
		sink = append(sink, b)
	case "string":
		return "hello from lambda", nil
	case "object":
		return map[string]string{"message": "no status code"}, nil
	case "binary":
		return events.APIGatewayV2HTTPResponse{
			StatusCode:      202,
			Headers:         map[string]string{"Content-Type": "application/octet-stream", "X-Multi": "a,b"},
			Cookies:         []string{"a=1; Path=/", "b=2; HttpOnly"},
			Body:            base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255}),
			IsBase64Encoded: true,
		}, nil
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	body, _ := json.Marshal(map[string]any{
		"event":       json.RawMessage(raw),
		"requestId":   lc.AwsRequestID,
		"functionArn": lc.InvokedFunctionArn,
		"deadlineIn":  time.Until(deadline).Milliseconds(),
		"pid":         os.Getpid(),
		"initAt":      initAt.UnixNano(),
		"env": map[string]string{
			"AWS_LAMBDA_FUNCTION_NAME":        os.Getenv("AWS_LAMBDA_FUNCTION_NAME"),
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
			"AWS_LAMBDA_FUNCTION_VERSION":     os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"),
			"AWS_REGION":                      os.Getenv("AWS_REGION"),
			"_HANDLER":                        os.Getenv("_HANDLER"),
			"TZ":                              os.Getenv("TZ"),
			"LAMBDA_TASK_ROOT":                os.Getenv("LAMBDA_TASK_ROOT"),
			"GREETING":                        os.Getenv("GREETING"),
			"HOME_FROM_HOST":                  os.Getenv("HOME"),
		},
	})
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json", "X-Request-Id": lc.AwsRequestID},
		Body:       string(body),
	}, nil
}

func stream(ctx context.Context, raw json.RawMessage) (*events.LambdaFunctionURLStreamingResponse, error) {
	ev, err := parse(raw)
	if err != nil {
		return nil, err
	}
	if ev.Do == "error" {
		return nil, errors.New("refused before streaming")
	}
	n, gap := ev.N, ev.Gap
	if n == 0 {
		n = 3
	}
	if gap == 0 {
		gap = 300
	}
	pr, pw := io.Pipe()
	go func() {
		for i := range n {
			if i > 0 {
				time.Sleep(time.Duration(gap) * time.Millisecond)
			}
			fmt.Fprintf(pw, "event: delta\ndata: %d\n\n", i)
		}
		if ev.Do == "fail" {
			pw.CloseWithError(errors.New("model went away"))
			return
		}
		pw.Close()
	}()
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: 201,
		Headers:    map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache"},
		Cookies:    []string{"s=1"},
		Body:       pr,
	}, nil
}
