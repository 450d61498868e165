package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// User is an account: its id is the Cognito user's sub.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"createdAt"`
	// Instructions join the system prompt of every conversation of the
	// user; DefaultModel is the model of a conversation that names none.
	// Null when not set.
	Instructions *string `json:"instructions"`
	DefaultModel *string `json:"defaultModel"`
}

const userColumns = `id::text, email, created_at, instructions, default_model`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.CreatedAt, &u.Instructions, &u.DefaultModel)
	return u, err
}

// UserSettings is a change to a user's settings; a nil field is left as it
// is, a pointer to nil clears it.
type UserSettings struct {
	Instructions **string
	DefaultModel **string
}

// UpdateUserSettings changes the caller's settings in one round trip,
// creating the row (without its e-mail, which GET /me completes) if the
// caller has none yet.
func UpdateUserSettings(ctx context.Context, db DB, id string, s UserSettings) (User, error) {
	setInstr, setModel := s.Instructions != nil, s.DefaultModel != nil
	var instr, model *string
	if setInstr {
		instr = *s.Instructions
	}
	if setModel {
		model = *s.DefaultModel
	}
	u, err := scanUser(db.QueryRow(ctx, `
		INSERT INTO users (id, email, instructions, default_model) VALUES ($1, '', $3, $5)
		ON CONFLICT (id) DO UPDATE SET
			instructions  = CASE WHEN $2 THEN EXCLUDED.instructions  ELSE users.instructions  END,
			default_model = CASE WHEN $4 THEN EXCLUDED.default_model ELSE users.default_model END
		RETURNING `+userColumns, id, setInstr, instr, setModel, model))
	if err != nil {
		return User{}, fmt.Errorf("update settings of user %s: %w", id, err)
	}
	return u, nil
}

// UpsertUser creates the user's row, or updates its e-mail, in one round trip.
func UpsertUser(ctx context.Context, db DB, id, email string) (User, error) {
	u, err := scanUser(db.QueryRow(ctx, `
		INSERT INTO users (id, email) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email
		RETURNING `+userColumns, id, email))
	if err != nil {
		return User{}, fmt.Errorf("upsert user %s: %w", id, err)
	}
	return u, nil
}

// GetUser returns the user's row, or ErrNotFound.
func GetUser(ctx context.Context, db DB, id string) (User, error) {
	u, err := scanUser(db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %s: %w", id, err)
	}
	return u, nil
}

// ModelUsage is what one model spent for a user over a time range.
type ModelUsage struct {
	Model            string `json:"model"`
	Answers          int    `json:"answers"`
	PromptTokens     int64  `json:"promptTokens"`
	CompletionTokens int64  `json:"completionTokens"`
}

// UsageBetween sums the caller's answers from from (inclusive) to to
// (exclusive) per model, most tokens first; one round trip.
func UsageBetween(ctx context.Context, db DB, userID string, from, to time.Time) ([]ModelUsage, error) {
	rows, err := db.Query(ctx, `
		SELECT model, count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0)
		FROM messages
		WHERE user_id = $1 AND model IS NOT NULL AND created_at >= $2 AND created_at < $3
		GROUP BY model
		ORDER BY coalesce(sum(prompt_tokens), 0) + coalesce(sum(completion_tokens), 0) DESC, model`, userID, from, to)
	if err != nil {
		return nil, fmt.Errorf("usage of %s: %w", userID, err)
	}
	usage, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ModelUsage, error) {
		var u ModelUsage
		err := r.Scan(&u.Model, &u.Answers, &u.PromptTokens, &u.CompletionTokens)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("usage of %s: %w", userID, err)
	}
	return usage, nil
}
