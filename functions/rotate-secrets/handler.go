package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/macro-ai/macro-ai/shared/secrets"
	"github.com/macro-ai/macro-ai/shared/secrets/rotation"
)

type handler struct {
	rotation   rotation.Rotation
	known      []secrets.Secret
	validators map[string]rotation.Validator
}

// request is the hand-invoked event; a scheduled event has no "secret" and
// rotates every known secret that has a pending value.
type request struct {
	Secret string `json:"secret"`
}

// report is the invocation's answer; each outcome is also an audit log line.
type report struct {
	Results []rotation.Outcome `json:"results"`
}

func newHandler(list, stage string, api rotation.API, validators map[string]rotation.Validator) (*handler, error) {
	if stage == "" {
		return nil, errors.New("STAGE is not set")
	}
	h := &handler{rotation: rotation.Rotation{API: api, Stage: stage}, validators: validators}
	for _, part := range strings.Split(list, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		sec, err := secrets.Parse(part)
		if err != nil {
			return nil, fmt.Errorf("ROTATE_SECRETS: %w", err)
		}
		if validators[sec.Name] == nil {
			return nil, fmt.Errorf("ROTATE_SECRETS: no way to validate %q: known are %s", sec.Name, names(validators))
		}
		h.known = append(h.known, sec)
	}
	if len(h.known) == 0 {
		return nil, errors.New("ROTATE_SECRETS names no secret")
	}
	return h, nil
}

// Invoke rotates the named secret, or every known one. A rejected or failed
// rotation makes the invocation fail (so that an alarm or the person at the
// terminal sees it) with the reasons, which never hold a value.
func (h *handler) Invoke(ctx context.Context, raw json.RawMessage) (report, error) {
	var req request
	_ = json.Unmarshal(raw, &req) // a scheduled event has other fields
	todo := h.known
	if req.Secret != "" {
		todo = nil
		for _, sec := range h.known {
			if sec.Name == req.Secret {
				todo = append(todo, sec)
			}
		}
		if todo == nil {
			return report{}, fmt.Errorf("unknown secret %q: rotatable are %s", req.Secret, h.knownNames())
		}
	}
	out := report{Results: make([]rotation.Outcome, 0, len(todo))}
	var problems []string
	for _, sec := range todo {
		res := h.rotation.Rotate(ctx, sec, h.validators[sec.Name])
		out.Results = append(out.Results, res)
		if res.Result == "rejected" || res.Result == "failed" {
			problems = append(problems, res.Secret+" "+res.Result+": "+res.Reason)
		}
		if req.Secret != "" && res.Result == "nothing-pending" {
			problems = append(problems, res.Secret+": "+res.Reason)
		}
	}
	if len(problems) > 0 {
		return out, errors.New("rotation: " + strings.Join(problems, "; "))
	}
	return out, nil
}

func (h *handler) knownNames() string {
	var out []string
	for _, sec := range h.known {
		out = append(out, sec.Name)
	}
	return strings.Join(out, ", ")
}
