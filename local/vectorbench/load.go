package vectorbench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Spec is the data set to load.
type Spec struct {
	// Scale is the heavy user's number of messages. Each medium user has
	// Scale/10 and the light user Scale/50 (about 1% of the index).
	Scale int
	// Users is the number of users: one heavy, one light, the rest medium.
	Users int
	Dims  int
	// PerConversation is the number of messages of a conversation (50).
	PerConversation int
	// ContentBytes is the mean length of a message's text (400).
	ContentBytes int
	Seed         uint64
	Model        ModelOptions
	// Labelled is the number of the heavy user's messages that also hold a
	// unique token (ERR_ and 12 hex digits), the keyword search's labelled
	// set (see Label).
	Labelled int
}

// Label is a message holding a unique token: the keyword search must find
// it among the first k for a query of the token.
type Label struct {
	Token     string `json:"token"`
	MessageID string `json:"messageId"`
	Topic     int    `json:"topic"`
}

// User is a loaded user.
type User struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"` // heavy, medium or light
	Messages int     `json:"messages"`
	Share    float64 `json:"shareOfIndex"` // of all vectors
}

// Dataset is what Load stored.
type Dataset struct {
	Users         []User  `json:"users"`
	Messages      int     `json:"messages"`
	Conversations int     `json:"conversations"`
	LoadSeconds   float64 `json:"loadSeconds"`
	Model         *Model  `json:"-"`
	Labelled      []Label `json:"-"`
}

// User returns the first user of kind, if any.
func (d *Dataset) User(kind string) (User, bool) {
	for _, u := range d.Users {
		if u.Kind == kind {
			return u, true
		}
	}
	return User{}, false
}

// UserSizes is the number of messages of each user of spec: the heavy
// user first, the light user last.
func UserSizes(scale, users int) []int {
	sizes := []int{scale}
	for i := 1; i < users; i++ {
		if i == users-1 {
			sizes = append(sizes, max(scale/50, 1))
		} else {
			sizes = append(sizes, max(scale/10, 1))
		}
	}
	return sizes
}

type msgMeta struct {
	id    [16]byte
	conv  int32
	topic int16
}

type convMeta struct {
	id    [16]byte
	user  int
	topic int
	start time.Time
	count int
}

// embeddingModel is the model name stored with each vector.
const embeddingModel = "synthetic"

// Load fills the (migrated, empty) database of conn with spec's users,
// conversations, messages and vectors, by COPY in binary format (vectors
// as binary halfvec). Triggers and foreign-key checks are off while it
// loads (session_replication_role = replica: the data is consistent by
// construction, and conversations.message_count is written directly), and
// its commits are synchronous. The HNSW index should be dropped first: Load
// does not touch indexes.
func Load(ctx context.Context, conn *pgx.Conn, spec Spec) (*Dataset, error) {
	start := time.Now()
	if spec.PerConversation <= 0 {
		spec.PerConversation = 50
	}
	if spec.ContentBytes <= 0 {
		spec.ContentBytes = 400
	}
	var oid uint32
	if err := conn.QueryRow(ctx, `SELECT 'halfvec'::regtype::oid`).Scan(&oid); err != nil {
		return nil, fmt.Errorf("look up halfvec: %w", err)
	}
	// Binary halfvec is passed through as raw bytes.
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "halfvec", OID: oid, Codec: pgtype.ByteaCodec{}})

	rng := rand.New(rand.NewPCG(spec.Seed, 1))
	model := NewModel(rng, spec.Dims, spec.Model)
	ds := &Dataset{Model: model}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

	sizes := UserSizes(spec.Scale, spec.Users)
	total := 0
	for _, n := range sizes {
		total += n
	}
	userIDs := make([][16]byte, len(sizes))
	var convs []convMeta
	msgs := make([]msgMeta, 0, total)
	for u, n := range sizes {
		userIDs[u] = newUUID(rng)
		kind := "medium"
		switch {
		case u == 0:
			kind = "heavy"
		case u == len(sizes)-1:
			kind = "light"
		}
		ds.Users = append(ds.Users, User{ID: uuidString(userIDs[u]), Kind: kind, Messages: n, Share: float64(n) / float64(total)})
		for left := n; left > 0; left -= spec.PerConversation {
			c := convMeta{id: newUUID(rng), user: u, topic: model.Topic(rng),
				start: base.Add(time.Duration(rng.IntN(365*24*60)) * time.Minute), count: min(left, spec.PerConversation)}
			for range c.count {
				// A conversation mostly stays on its topic.
				t := c.topic
				if rng.Float64() < 0.25 {
					t = model.Topic(rng)
				}
				msgs = append(msgs, msgMeta{id: newUUID(rng), conv: int32(len(convs)), topic: int16(t)})
			}
			convs = append(convs, c)
		}
	}
	ds.Messages, ds.Conversations = len(msgs), len(convs)
	// The labelled messages: distinct messages of the heavy user, drawn
	// from a generator of their own so that the rest of the data set is
	// the same with or without them.
	labels := map[int]string{}
	labelRng := rand.New(rand.NewPCG(spec.Seed, 5))
	for len(labels) < min(spec.Labelled, sizes[0]) {
		i := labelRng.IntN(sizes[0])
		if _, dup := labels[i]; dup {
			continue
		}
		tok := fmt.Sprintf("ERR_%012x", labelRng.Uint64()>>16)
		labels[i] = tok
		ds.Labelled = append(ds.Labelled, Label{Token: tok, MessageID: uuidString(msgs[i].id), Topic: int(msgs[i].topic)})
	}

	if _, err := conn.Exec(ctx, `SET session_replication_role = replica`); err != nil {
		return nil, fmt.Errorf("turn triggers off for the load: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `RESET session_replication_role`)
	// The bench's server commits asynchronously; a VACUUM just after the
	// load could then find the rows not yet hinted committed and leave the
	// visibility map unset (see SetVisibilityMap).
	if _, err := conn.Exec(ctx, `SET synchronous_commit = on`); err != nil {
		return nil, fmt.Errorf("commit the load synchronously: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `RESET synchronous_commit`)

	uid := func(b [16]byte) pgtype.UUID { return pgtype.UUID{Bytes: b, Valid: true} }
	i := 0
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "email", "created_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(userIDs) {
				return nil, nil
			}
			i++
			return []any{uid(userIDs[i-1]), fmt.Sprintf("bench-%d@example.com", i-1), base}, nil
		})); err != nil {
		return nil, fmt.Errorf("copy users: %w", err)
	}
	i = 0
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"conversations"},
		[]string{"id", "user_id", "title", "message_count", "created_at", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(convs) {
				return nil, nil
			}
			c := convs[i]
			i++
			last := c.start.Add(time.Duration(c.count-1) * time.Minute)
			return []any{uid(c.id), uid(userIDs[c.user]), fmt.Sprintf("Topic %d, conversation %d", c.topic, i),
				int32(c.count), c.start, last}, nil
		})); err != nil {
		return nil, fmt.Errorf("copy conversations: %w", err)
	}

	// Messages, in conversation order: created_at is a minute apart.
	textRng := rand.New(rand.NewPCG(spec.Seed, 2))
	i = 0
	pos := 0
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"messages"},
		[]string{"id", "conversation_id", "user_id", "role", "content", "status", "created_at", "embedded_at", "seq"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(msgs) {
				return nil, nil
			}
			m := msgs[i]
			if i > 0 && msgs[i-1].conv != m.conv {
				pos = 0
			}
			i++
			c := convs[m.conv]
			role := "user"
			if pos%2 == 1 {
				role = "assistant"
			}
			at := c.start.Add(time.Duration(pos) * time.Minute)
			pos++
			text := content(textRng, int(m.topic), spec.ContentBytes)
			if tok, ok := labels[i-1]; ok {
				text += " failed with " + tok
			}
			// seq given: the trigger that would number each row is skipped.
			return []any{uid(m.id), uid(c.id), uid(userIDs[c.user]), role,
				text, "complete", at, at, int64(pos)}, nil
		})); err != nil {
		return nil, fmt.Errorf("copy messages: %w", err)
	}

	vecRng := rand.New(rand.NewPCG(spec.Seed, 3))
	vec := make([]float32, spec.Dims)
	i = 0
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"message_embeddings"},
		[]string{"message_id", "user_id", "conversation_id", "model", "embedding", "created_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(msgs) {
				return nil, nil
			}
			m := msgs[i]
			i++
			c := convs[m.conv]
			model.Vector(vecRng, int(m.topic), vec)
			return []any{uid(m.id), uid(userIDs[c.user]), uid(c.id), embeddingModel,
				HalfVecBinary(make([]byte, 0, 4+2*spec.Dims), vec), c.start}, nil
		})); err != nil {
		return nil, fmt.Errorf("copy message_embeddings: %w", err)
	}
	ds.LoadSeconds = time.Since(start).Seconds()
	return ds, nil
}

func uuidString(u [16]byte) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[x>>4], hex[x&0xf])
	}
	return string(b)
}

// SetVisibilityMap VACUUMs message_embeddings until the visibility map
// marks (nearly) all its pages all-visible, as autovacuum keeps it on a
// table in use: the shipped search counts a user's vectors with an
// index-only scan only then (else with a bitmap scan of all the user's
// index entries). A VACUUM just after the load may leave it unset (rows
// not yet hinted committed, or an autovacuum ANALYZE of the new rows still
// holding a snapshot), so it tries again, up to tries times, a second
// apart. It returns the share of all-visible pages, in percent.
func SetVisibilityMap(ctx context.Context, conn *pgx.Conn, tries int) (float64, error) {
	var pct float64
	for i := range tries {
		if err := conn.QueryRow(ctx, `SELECT coalesce(100 * relallvisible::float8 / nullif(relpages, 0), 100)
			FROM pg_class WHERE oid = 'message_embeddings'::regclass`).Scan(&pct); err != nil {
			return 0, fmt.Errorf("read the visibility map's coverage: %w", err)
		}
		if pct >= 99 || i == tries-1 {
			break
		}
		if i > 0 {
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(time.Second):
			}
		}
		if _, err := conn.Exec(ctx, `VACUUM message_embeddings`); err != nil {
			return 0, fmt.Errorf("vacuum: %w", err)
		}
	}
	return pct, nil
}
