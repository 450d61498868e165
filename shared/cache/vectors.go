package cache

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/redis/go-redis/v9"
)

// vectorTTL is how long a query's vector stays cached: a model's vector for a
// text never changes, so this only bounds memory.
const vectorTTL = 24 * time.Hour

// Vectors returns an embed function for single texts that serves a user's
// repeated texts from Redis (cache-aside; one GET on a hit, GET + SET on a
// miss) and falls back to embed when Redis is down. Keys name the user, the
// model and dimensions: vec:{<user id>}:<hash>. A user's cache is their own
// (no user learns from a fast answer that another searched the same words),
// and deleting an account finds its vectors by the id (DeleteUserKeys).
func Vectors(rdb *redis.Client, model string, dimensions int,
	embed func(ctx context.Context, texts []string) ([][]float32, error)) func(ctx context.Context, userID, text string) ([]float32, error) {
	return func(ctx context.Context, userID, text string) ([]float32, error) {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%s", model, dimensions, text)))
		key := "vec:{" + userID + "}:" + hex.EncodeToString(sum[:16])
		if b, err := rdb.Get(ctx, key).Bytes(); err == nil && len(b) == 4*dimensions {
			v := make([]float32, dimensions)
			for i := range v {
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
			return v, nil
		} else if err != nil && err != redis.Nil {
			slog.WarnContext(ctx, "vector cache unavailable", "error", err.Error())
		}
		vs, err := embed(ctx, []string{text})
		if err != nil {
			return nil, err
		}
		b := make([]byte, 4*len(vs[0]))
		for i, x := range vs[0] {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
		}
		if err := rdb.Set(ctx, key, b, vectorTTL).Err(); err != nil {
			slog.WarnContext(ctx, "vector not cached", "error", err.Error())
		}
		return vs[0], nil
	}
}
