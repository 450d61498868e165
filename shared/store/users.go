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
}

// UpsertUser creates the user's row, or updates its e-mail, in one round trip.
func UpsertUser(ctx context.Context, db DB, id, email string) (User, error) {
	var u User
	err := db.QueryRow(ctx, `
		INSERT INTO users (id, email) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email
		RETURNING id::text, email, created_at`, id, email).Scan(&u.ID, &u.Email, &u.CreatedAt)
	if err != nil {
		return User{}, fmt.Errorf("upsert user %s: %w", id, err)
	}
	return u, nil
}

// GetUser returns the user's row, or ErrNotFound.
func GetUser(ctx context.Context, db DB, id string) (User, error) {
	var u User
	err := db.QueryRow(ctx, `SELECT id::text, email, created_at FROM users WHERE id = $1`, id).
		Scan(&u.ID, &u.Email, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %s: %w", id, err)
	}
	return u, nil
}
