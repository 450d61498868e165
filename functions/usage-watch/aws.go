package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/macro-ai/macro-ai/shared/awsapi"
)

// cloudWatch reads metric statistics in AWS JSON 1.0, which CloudWatch
// answers besides awsQuery and Smithy RPC v2 CBOR (the SDK's choice).
//
// It and lambdaAPI make the watch's two AWS calls directly (shared/awsapi:
// the SDK's SigV4 signer and retry policy) instead of through the SDK's
// CloudWatch and Lambda clients, whose middleware stacks, serialisers and
// endpoint rules were 1.9 MiB of this bootstrap: linux/arm64 with
// -tags lambda.norpc -trimpath -ldflags "-s -w", 13 107 362 bytes
// (12.50 MiB) with the SDK's clients, 11 141 282 (10.63 MiB) without.
type cloudWatch struct {
	api *awsapi.Client
}

// newCloudWatch returns the CloudWatch client of the Lambda environment
// (shared/awsenv): its region, its role's credentials, and
// CLOUDWATCH_ENDPOINT when set (tests, local emulators).
func newCloudWatch() *cloudWatch {
	return &cloudWatch{api: awsapi.New("monitoring", "CLOUDWATCH_ENDPOINT")}
}

// metricQuery is one GetMetricStatistics request.
type metricQuery struct {
	Namespace  string
	MetricName string
	Dimensions []dimension // none: the metric over every dimension
	Start, End time.Time
	Period     time.Duration // whole seconds
	Statistics []string      // Sum, Average, SampleCount, Minimum, Maximum
}

// dimension is one of a metric's name/value pairs.
type dimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// metricStatistics is GetMetricStatistics' answer.
type metricStatistics struct {
	Label      string
	Datapoints []datapoint
}

// datapoint is one period's statistics; those not asked for are zero.
type datapoint struct {
	Timestamp time.Time
	Sum       float64
}

// GetMetricStatistics reads q's statistics.
func (c *cloudWatch) GetMetricStatistics(ctx context.Context, q metricQuery) (*metricStatistics, error) {
	body, err := json.Marshal(struct {
		Namespace  string       `json:"Namespace"`
		MetricName string       `json:"MetricName"`
		Dimensions []dimension  `json:"Dimensions,omitempty"`
		StartTime  epochSeconds `json:"StartTime"`
		EndTime    epochSeconds `json:"EndTime"`
		Period     int64        `json:"Period"`
		Statistics []string     `json:"Statistics"`
	}{q.Namespace, q.MetricName, q.Dimensions, epochSeconds(q.Start), epochSeconds(q.End), int64(q.Period / time.Second), q.Statistics})
	if err != nil {
		return nil, err
	}
	var out struct {
		Label      string `json:"Label"`
		Datapoints []struct {
			Timestamp epochSeconds `json:"Timestamp"`
			Sum       float64      `json:"Sum"`
		} `json:"Datapoints"`
	}
	err = c.api.Call(ctx, awsapi.Request{
		Method: http.MethodPost, Path: "/", Body: body,
		Header: http.Header{
			"Content-Type": {"application/x-amz-json-1.0"},
			"X-Amz-Target": {"GraniteServiceVersion20100801.GetMetricStatistics"},
		},
	}, &out)
	if err != nil {
		return nil, fmt.Errorf("cloudwatch GetMetricStatistics %s: %w", q.MetricName, err)
	}
	stats := &metricStatistics{Label: out.Label, Datapoints: make([]datapoint, len(out.Datapoints))}
	for i, p := range out.Datapoints {
		stats.Datapoints[i] = datapoint{Timestamp: time.Time(p.Timestamp), Sum: p.Sum}
	}
	return stats, nil
}

// epochSeconds is a time as AWS JSON 1.0 writes it by default: a number of
// seconds since 1970, milliseconds its fraction.
type epochSeconds time.Time

func (t epochSeconds) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(t).UnixMilli())/1000, 'f', -1, 64), nil
}

func (t *epochSeconds) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp %s: not a number of seconds", b)
	}
	sec, frac := math.Modf(f)
	*t = epochSeconds(time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC())
	return nil
}

// lambdaAPI lists the account's functions (REST JSON).
type lambdaAPI struct {
	api *awsapi.Client
}

// newLambda returns the Lambda client of the Lambda environment
// (shared/awsenv), at LAMBDA_ENDPOINT when set.
func newLambda() *lambdaAPI {
	return &lambdaAPI{api: awsapi.New("lambda", "LAMBDA_ENDPOINT")}
}

// lambdaFunction is the part of a function's configuration the watch reads.
type lambdaFunction struct {
	FunctionName string `json:"FunctionName"`
	MemorySize   int32  `json:"MemorySize"` // MB
}

// functionPage is one page of ListFunctions.
type functionPage struct {
	Functions []lambdaFunction `json:"Functions"`
	// NextMarker is the next page's marker; "" after the last page.
	NextMarker string `json:"NextMarker"`
}

// ListFunctions returns the page of functions that marker (a previous
// page's NextMarker, "" for the first) begins.
func (c *lambdaAPI) ListFunctions(ctx context.Context, marker string) (*functionPage, error) {
	q := url.Values{}
	if marker != "" {
		q.Set("Marker", marker)
	}
	var page functionPage
	err := c.api.Call(ctx, awsapi.Request{Method: http.MethodGet, Path: "/2015-03-31/functions", Query: q}, &page)
	if err != nil {
		return nil, fmt.Errorf("lambda ListFunctions: %w", err)
	}
	return &page, nil
}
