package cognito

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/macro-ai/macro-ai/shared/api"
	"github.com/macro-ai/macro-ai/shared/cache"
)

// EmailLimiter is the part of the limiter LimitEmail needs.
type EmailLimiter interface {
	AllowPerHour(ctx context.Context, key string, perHour int) cache.Decision
}

// LimitEmail counts one e-mail to address for route against perHour an hour:
// a 429 beyond it, whoever asks (an address can be mail-bombed, and
// Cognito's e-mail quota drained, from many IPs). The address is hashed in
// the key, so that Redis holds no e-mail addresses.
func LimitEmail(ctx context.Context, l EmailLimiter, route, address string, perHour int) error {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(address))))
	if d := l.AllowPerHour(ctx, route+":email:"+hex.EncodeToString(sum[:12]), perHour); !d.Allowed {
		return api.RateLimited(d.RetryAfter)
	}
	return nil
}
