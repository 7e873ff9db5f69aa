package memory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
)

// Ticket is a record of a process package.
type Ticket struct {
	ID      string
	Status  string
	Created time.Time
	Tags    []string
}

// tickets is the typed access to tickets; WithClone copies the Tags slice.
var tickets = store.NewCollection("ticket",
	func(t *Ticket) (string, store.Keys) {
		return t.ID, store.Keys{Status: t.Status, Created: t.Created}
	},
	store.WithClone(func(t Ticket) Ticket { t.Tags = slices.Clone(t.Tags); return t }))

// A unit of work inserts a record numbered by a gap-free counter and appends
// its audit entry: both commit together. A list then reads the record back,
// and audit.Verify checks the trail.
func Example() {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

	err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		n, err := tx.NextNumber(ctx, "ticket")
		if err != nil {
			return err
		}
		t := Ticket{ID: fmt.Sprintf("TKT-%06d", n), Status: "open", Created: now, Tags: []string{"email"}}
		if _, err := tickets.Insert(ctx, tx, t); err != nil {
			return err
		}
		_, err = tx.Append(ctx, audit.Entry{
			Time: now, Actor: "ann", Action: "ticket.create",
			Kind: "ticket", EntityID: t.ID, To: t.Status,
		})
		return err
	})
	if err != nil {
		fmt.Println("update:", err)
		return
	}

	err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		list, next, err := tickets.List(ctx, tx, store.Query{Status: []string{"open"}})
		for _, t := range list {
			fmt.Println(t.Value.ID, t.Value.Status, t.Value.Tags, "version", t.Version)
		}
		fmt.Printf("more pages: %v\n", next != "")
		return err
	})
	if err != nil {
		fmt.Println("view:", err)
		return
	}

	rep, err := audit.Verify(ctx, st.Trail())
	if err != nil {
		fmt.Println("verify:", err)
		return
	}
	fmt.Println("trail intact:", rep.OK, "entries:", rep.Checked)
	// Output:
	// TKT-000001 open [email] version 1
	// more pages: false
	// trail intact: true entries: 1
}

// An update based on a stale version fails with iso20000.ErrConflict and
// changes nothing: the caller rereads and retries.
func ExampleStore_Update_conflict() {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	t := Ticket{ID: "TKT-1", Status: "open", Created: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	_ = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tickets.Insert(ctx, tx, t)
		return err
	})

	for _, version := range []int64{1, 1} { // the second writer read version 1 too
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			t.Status = "resolved"
			_, err := tickets.Update(ctx, tx, t, version)
			return err
		})
		var ce *iso20000.ConflictError
		switch {
		case errors.As(err, &ce):
			fmt.Printf("conflict: based on version %d, stored version is %d\n", ce.Expected, ce.Actual)
		case err != nil:
			fmt.Println("error:", err)
		default:
			fmt.Println("updated")
		}
	}
	// Output:
	// updated
	// conflict: based on version 1, stored version is 2
}
