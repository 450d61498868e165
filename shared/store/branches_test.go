package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/macro-ai/macro-ai/shared/store"
)

// TestBranches: editing a message makes a sibling of it, regenerating an
// answer a sibling of the answer; GET messages lists the branch shown with
// each message's siblings; switching shows another branch; the history a
// turn sees is its branch only.
func TestBranches(t *testing.T) {
	ctx := context.Background()
	pool := newPool(t)
	user := uuid.NewString()
	conv, err := store.CreateConversation(ctx, pool, user, "t")
	if err != nil {
		t.Fatal(err)
	}
	ask := func(content string, parent store.Parent) store.UserTurn {
		t.Helper()
		u, err := store.AddUserMessage(ctx, pool, user, conv.ID, content, nil, content, time.Minute, parent)
		if err != nil {
			t.Fatalf("ask %q: %v", content, err)
		}
		return u
	}
	answer := func(q string, content string) string {
		t.Helper()
		id := uuid.NewString()
		if _, err := store.AddAssistantMessage(ctx, pool, user, conv.ID, id, q, content, "complete", store.Answered{Model: "m"}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	branch := func() ([]string, map[string][]string) {
		t.Helper()
		page, err := store.ListMessages(ctx, pool, user, conv.ID, 50, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		siblings := map[string][]string{}
		for _, m := range page.Items {
			got = append(got, m.Content)
			siblings[m.Content] = m.SiblingIDs
		}
		return got, siblings
	}
	expect := func(want ...string) map[string][]string {
		t.Helper()
		got, siblings := branch()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("branch %v, want %v", got, want)
		}
		return siblings
	}

	q1 := ask("q1", store.Parent{})
	a1 := answer(q1.MessageID, "a1")
	q2 := ask("q2", store.Parent{})
	a2 := answer(q2.MessageID, "a2")
	if s := expect("q1", "a1", "q2", "a2"); len(s["q2"]) != 1 || s["q2"][0] != q2.MessageID {
		t.Errorf("a linear conversation: q2's siblings %v", s["q2"])
	}
	if q2.ParentID == nil || *q2.ParentID != a1 {
		t.Errorf("q2 follows %v, want a1", q2.ParentID)
	}

	// Edit q2: a sibling after a1; the old branch stays.
	q2e := ask("q2 edited", store.Parent{Set: true, ID: &a1})
	a2e := answer(q2e.MessageID, "a2 edited")
	s := expect("q1", "a1", "q2 edited", "a2 edited")
	if strings.Join(s["q2 edited"], ",") != q2.MessageID+","+q2e.MessageID {
		t.Errorf("siblings of the edit %v, want q2 then the edit", s["q2 edited"])
	}
	history, err := store.RecentMessages(ctx, pool, user, conv.ID, q2e.MessageID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 2 || history[0].Content != "a1" || history[1].Content != "q1" {
		t.Errorf("the edit's history %v, want a1, q1 (its branch only)", contents(history))
	}

	// Edit the first message: a new root.
	root := ask("q1 again", store.Parent{Set: true})
	expect("q1 again")
	if root.ParentID != nil {
		t.Errorf("a first message follows %v", *root.ParentID)
	}

	// Switch back to the first branch through q2: its newest end, a2.
	if leaf, err := store.SwitchBranch(ctx, pool, user, conv.ID, q1.MessageID); err != nil || leaf != a2e {
		t.Errorf("switch to q1: leaf %v (%v), want the newest end, a2 edited", leaf, err)
	}
	if leaf, err := store.SwitchBranch(ctx, pool, user, conv.ID, q2.MessageID); err != nil || leaf != a2 {
		t.Fatalf("switch to q2: leaf %v (%v), want a2", leaf, err)
	}
	expect("q1", "a1", "q2", "a2")

	// Regenerate a2: its question is the branch's end until the new answer.
	turn, content, err := store.RegenerateTurn(ctx, pool, user, conv.ID, a2, time.Minute)
	if err != nil || content != "q2" || turn.MessageID != q2.MessageID {
		t.Fatalf("regenerate: %+v %q %v", turn, content, err)
	}
	expect("q1", "a1", "q2")
	if _, _, err := store.RegenerateTurn(ctx, pool, user, conv.ID, a2, time.Minute); !errors.Is(err, store.ErrTurnInProgress) {
		t.Errorf("a second regenerate while the first answers: %v, want in progress", err)
	}
	a2r := answer(q2.MessageID, "a2 regenerated")
	s = expect("q1", "a1", "q2", "a2 regenerated")
	if strings.Join(s["a2 regenerated"], ",") != a2+","+a2r {
		t.Errorf("siblings of the regenerated answer %v", s["a2 regenerated"])
	}

	for _, tt := range []struct {
		name string
		err  error
		call func() error
	}{
		{"regenerate a user message", store.ErrNotAnAnswer, func() error {
			_, _, err := store.RegenerateTurn(ctx, pool, user, conv.ID, q1.MessageID, time.Minute)
			return err
		}},
		{"regenerate another user's answer", store.ErrNotFound, func() error {
			_, _, err := store.RegenerateTurn(ctx, pool, uuid.NewString(), conv.ID, a1, time.Minute)
			return err
		}},
		{"a parent of another conversation", store.ErrBadParent, func() error {
			other, _ := store.CreateConversation(ctx, pool, user, "other")
			_, err := store.AddUserMessage(ctx, pool, user, other.ID, "x", nil, "x", time.Minute, store.Parent{Set: true, ID: &a1})
			return err
		}},
		{"a parent that is no id", store.ErrBadParent, func() error {
			bad := "urn:uuid:" + a1
			_, err := store.AddUserMessage(ctx, pool, user, conv.ID, "x", nil, "x", time.Minute, store.Parent{Set: true, ID: &bad})
			return err
		}},
		{"switch to another user's message", store.ErrNotFound, func() error {
			_, err := store.SwitchBranch(ctx, pool, uuid.NewString(), conv.ID, a1)
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	expect("q1", "a1", "q2", "a2 regenerated") // nothing half-written

	// Paging walks the same branch.
	page, err := store.ListMessages(ctx, pool, user, conv.ID, 3, nil)
	if err != nil || page.NextCursor == nil {
		t.Fatalf("first page: %v %v", page, err)
	}
	cur, err := store.DecodeCursor(user, *page.NextCursor)
	if err != nil {
		t.Fatal(err)
	}
	older, err := store.ListMessages(ctx, pool, user, conv.ID, 3, cur)
	if err != nil {
		t.Fatal(err)
	}
	if got := append(contents(older.Items), contents(page.Items)...); strings.Join(got, ",") != "q1,a1,q2,a2 regenerated" || older.NextCursor != nil {
		t.Errorf("two pages: %v (next %v)", got, older.NextCursor)
	}
}
