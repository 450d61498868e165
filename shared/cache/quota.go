package cache

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Usage is what one user spends in a day, or may spend: chat turns, model
// tokens (prompt and completion), characters sent to the embedding model,
// and bytes stored. As a limit, a zero field is unlimited.
type Usage struct {
	Turns       int64
	Tokens      int64
	EmbedChars  int64
	StoredBytes int64
}

// quotaNames name Usage's fields in the quota hash, in the order of the
// script's arguments, and in what a refusal says.
var quotaNames = [4]string{"turns", "tokens", "embed", "stored"}

func (u Usage) fields() [4]int64 { return [4]int64{u.Turns, u.Tokens, u.EmbedChars, u.StoredBytes} }

// meterScript is one Redis command that checks the daily quota, applies the
// per-minute rate limit and counts the charge, atomically, so that a chat
// turn spends no more commands on its quota than it did on its rate limit.
//
//	KEYS[1]  the rate-limit key (ignored when ARGV[1] is 0)
//	KEYS[2]  the day's usage hash of the user
//	ARGV[1]  events a minute (bursts up to as many); 0: no rate limit
//	ARGV[2]  the usage hash's lifetime in seconds (past the day's end)
//	ARGV[3]  1: refuse when a quota is used up; 0: only count
//	ARGV[4..7]   the limits (turns, tokens, embed, stored); 0 is not checked
//	ARGV[8..11]  the charge
//	KEYS[3]  optional: a key to read when allowed (a cache entry the caller
//	         needs next), so that the read costs no command of its own
//
// It returns {1, 0, 0, value of KEYS[3] or nil} when allowed; {0, 1, ms} when the rate limit
// refuses, with the milliseconds until one more event is allowed; {0, 1+i,
// 0} when quota i (1-based, in quotaNames' order) is used up. The rate
// limit is GCRA: each event moves a theoretical arrival time one interval
// (a minute / rate) on; an event is allowed while that time is at most a
// minute ahead of now.
var meterScript = newScript(`
local fields = {'turns', 'tokens', 'embed', 'stored'}
if ARGV[3] == '1' then
  local used = redis.call('HMGET', KEYS[2], unpack(fields))
  for i = 1, 4 do
    local limit = tonumber(ARGV[3 + i])
    if limit > 0 and (tonumber(used[i]) or 0) >= limit then
      return {0, 1 + i, 0}
    end
  end
end
local rate = tonumber(ARGV[1])
if rate > 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local interval = 60000 / rate
  local tat = tonumber(redis.call('GET', KEYS[1])) or now
  if tat < now then tat = now end
  local next = tat + interval
  if next - 60000 > now then
    return {0, 1, math.ceil(next - 60000 - now)}
  end
  redis.call('SET', KEYS[1], tostring(next), 'PX', math.ceil(next - now))
end
local counted = false
for i = 1, 4 do
  local n = tonumber(ARGV[7 + i])
  if n > 0 then
    redis.call('HINCRBY', KEYS[2], fields[i], n)
    counted = true
  end
end
if counted then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
if KEYS[3] then
  return {1, 0, 0, redis.call('GET', KEYS[3])}
end
return {1, 0, 0}
`)

// QuotaExceeded is set in a Decision when a daily quota refused: which one,
// its limit, and when it resets (the next midnight UTC).
type QuotaExceeded struct {
	Quota    string // turns, tokens, embed or stored
	Limit    int64
	ResetsAt time.Time
}

// AllowMetered is Allow and the daily quotas in one Redis command: it
// refuses when one of limits' quotas is used up (per user and UTC day; a
// zero limit is not checked) or when key is over perMinute events a minute,
// and otherwise counts the event and charge. A quota refusal comes first
// and counts nothing. A quota is used up once the day's total reaches its
// limit: the charge that crosses it is allowed, the next refused (what a
// turn spends is known only once it is done).
//
// When Redis fails, the rate limit holds in this instance's memory and the
// quotas are not enforced (they need the count of every instance); that is
// logged. A turn is still bounded by perMinute then.
func (l *Limiter) AllowMetered(ctx context.Context, key string, perMinute int, userID string, limits, charge Usage) Decision {
	d, _ := l.AllowMeteredRead(ctx, key, perMinute, userID, limits, charge, "")
	return d
}

// AllowMeteredRead is AllowMetered that, when it allows, also reads the
// value of readKey (a cache entry the caller needs next) in the same Redis
// command: what a chat turn does, its history window read with its rate
// limit. The value is nil when readKey is empty or unset, when the request
// is refused, or when Redis failed.
func (l *Limiter) AllowMeteredRead(ctx context.Context, key string, perMinute int, userID string, limits, charge Usage, readKey string) (Decision, []byte) {
	if time.Now().UnixNano() >= l.skipUntil.Load() {
		d, value, err := l.meter(ctx, "rl:"+key, perMinute, userID, true, limits, charge, readKey)
		if err == nil {
			return d, value
		}
		l.redisFailed(ctx, err)
	}
	return l.local.allow(key, perMinute), nil
}

// Spend counts what a user spent against the day's quotas, whatever is
// left: what a turn spent once it is known (the answer's tokens and size).
// It is one Redis command; when Redis fails the spending is not counted,
// and that is logged.
func (l *Limiter) Spend(ctx context.Context, userID string, used Usage) {
	if used == (Usage{}) || time.Now().UnixNano() < l.skipUntil.Load() {
		return
	}
	if _, _, err := l.meter(ctx, "", 0, userID, false, Usage{}, used, ""); err != nil {
		l.redisFailed(ctx, err)
	}
}

// spendAndSetScript counts a spending (as meterScript without a check) and
// sets a cache entry, in one command:
//
//	KEYS[1]  the day's usage hash; KEYS[2] the cache key
//	ARGV[1]  the usage hash's lifetime in seconds
//	ARGV[2..5]  the spending (turns, tokens, embed, stored)
//	ARGV[6]  the cache value; ARGV[7] its lifetime in milliseconds
var spendAndSetScript = newScript(`
local fields = {'turns', 'tokens', 'embed', 'stored'}
local counted = false
for i = 1, 4 do
  local n = tonumber(ARGV[1 + i])
  if n > 0 then
    redis.call('HINCRBY', KEYS[1], fields[i], n)
    counted = true
  end
end
if counted then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[7])
return 1
`)

// SpendAndSet is Spend and a SET of key to value for ttl, in one Redis
// command: what a chat turn does once done (its spending, and the
// conversation's new history window), so that counting its quota costs no
// command of its own (Upstash bills per command; a script is one).
func (l *Limiter) SpendAndSet(ctx context.Context, userID string, used Usage, key string, value []byte, ttl time.Duration) {
	if time.Now().UnixNano() < l.skipUntil.Load() {
		return
	}
	now := time.Now().UTC()
	day := now.Truncate(24 * time.Hour)
	args := []any{int64(day.Add(24*time.Hour).Sub(now)/time.Second) + 3600}
	for _, v := range used.fields() {
		args = append(args, v)
	}
	args = append(args, value, ttl.Milliseconds())
	if err := spendAndSetScript.run(ctx, l.rdb, []string{QuotaKey(userID, day), key}, args...).Err(); err != nil {
		l.redisFailed(ctx, fmt.Errorf("spend and set %s: %w", key, err))
	}
}

func (l *Limiter) meter(ctx context.Context, rateKey string, perMinute int, userID string, check bool, limits, charge Usage, readKey string) (Decision, []byte, error) {
	now := time.Now().UTC()
	day := now.Truncate(24 * time.Hour)
	resetsAt := day.Add(24 * time.Hour)
	ttl := int64(resetsAt.Sub(now)/time.Second) + 3600
	args := []any{perMinute, ttl, 0}
	if check {
		args[2] = 1
	}
	for _, v := range limits.fields() {
		args = append(args, v)
	}
	for _, v := range charge.fields() {
		args = append(args, v)
	}
	keys := []string{rateKey, QuotaKey(userID, day)}
	if readKey != "" {
		keys = append(keys, readKey)
	}
	res, err := meterScript.run(ctx, l.rdb, keys, args...).Slice()
	if err != nil {
		return Decision{}, nil, fmt.Errorf("meter %s: %w", rateKey, err)
	}
	if len(res) < 3 {
		return Decision{}, nil, fmt.Errorf("meter %s: answer %v", rateKey, res)
	}
	var n [3]int64
	for i := range n {
		v, ok := res[i].(int64)
		if !ok {
			return Decision{}, nil, fmt.Errorf("meter %s: answer %v", rateKey, res)
		}
		n[i] = v
	}
	switch {
	case n[0] == 1:
		var value []byte
		if len(res) > 3 {
			if v, ok := res[3].(string); ok {
				value = []byte(v)
			}
		}
		return Decision{Allowed: true}, value, nil
	case n[1] == 1:
		return Decision{RetryAfter: time.Duration(n[2]) * time.Millisecond}, nil, nil
	case n[1] >= 2 && n[1] <= 5:
		i := n[1] - 2
		return Decision{RetryAfter: resetsAt.Sub(now), Quota: &QuotaExceeded{Quota: quotaNames[i], Limit: limits.fields()[i], ResetsAt: resetsAt}}, nil, nil
	}
	return Decision{}, nil, fmt.Errorf("meter %s: answer %v", rateKey, res)
}

// QuotaKey is where the usage of userID on the UTC day that starts at day
// is counted: a hash of quotaNames to totals, gone an hour after the day.
func QuotaKey(userID string, day time.Time) string {
	return "quota:{" + userID + "}:" + day.Format("2006-01-02")
}

func (l *Limiter) redisFailed(ctx context.Context, err error) {
	l.skipUntil.Store(time.Now().Add(l.backoff).UnixNano())
	slog.WarnContext(ctx, "rate limiter: Redis failed, limiting in memory, quotas not enforced", "error", err.Error(),
		"retryRedisIn", l.backoff.String())
}
