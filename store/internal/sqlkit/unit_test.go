package sqlkit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
	"github.com/servicekit/iso20000/store/memory"
)

type ticket struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

var tickets = store.NewCollection("ticket", func(t *ticket) (string, store.Keys) {
	return t.ID, store.Keys{Status: t.Status}
})

// unmarshalable fails to encode.
type unmarshalable struct{ C chan int }

var broken = store.NewCollection("broken", func(b *unmarshalable) (string, store.Keys) { return "B-1", store.Keys{} })

func TestInsertData(t *testing.T) {
	tests := []struct {
		name     string
		writable error
		c        store.Codec
		d        store.Doc
		want     string
		wantErr  error
	}{
		{"encodes the value", nil, tickets, tickets.Doc(ticket{ID: "T-1", Status: "open"}, 0), `{"id":"T-1","status":"open"}`, nil},
		{"read-only first", store.ErrReadOnly, tickets, store.Doc{}, "", store.ErrReadOnly},
		{"empty ID", nil, tickets, tickets.Doc(ticket{}, 0), "", iso20000.ErrValidation},
		{"marshal error", nil, broken, broken.Doc(unmarshalable{C: make(chan int)}, 0), "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sqlkit.InsertData(tc.writable, tc.c, tc.d)
			switch {
			case tc.name == "marshal error":
				if err == nil {
					t.Fatalf("got %q, want an error", got)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %q, %v; want %v", got, err, tc.wantErr)
				}
			case err != nil || got != tc.want:
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestAppendUnit(t *testing.T) {
	ctx := context.Background()
	st := memory.New()
	entry := func(action string) audit.Entry {
		return audit.Entry{Time: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Actor: "alice", Action: action,
			Kind: "ticket", EntityID: "T-1"}
	}
	out, err := sqlkit.AppendUnit(ctx, st, []audit.Entry{entry("create"), entry("update")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Seq != 1 || out[1].Seq != 2 || out[1].PrevHash != out[0].Hash {
		t.Fatalf("sealed %+v, want seq 1 and 2 chained", out)
	}
	// An invalid entry stores none of the batch.
	out, err = sqlkit.AppendUnit(ctx, st, []audit.Entry{entry("assign"), {}})
	if err == nil || out != nil {
		t.Fatalf("got %v, %v; want nil and an error", out, err)
	}
	h, err := st.Trail().Head(ctx)
	if err != nil || h.Seq != 2 {
		t.Fatalf("head %+v, %v; want seq 2", h, err)
	}
}
