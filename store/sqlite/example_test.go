package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/sqlite"
)

// Incident is the record type of the example.
type Incident struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

// Example opens a store in a file, records an incident and its audit entry
// in one unit of work, and reads both back after reopening the file.
func Example() {
	dir, err := os.MkdirTemp("", "itsm")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "itsm.db")
	ctx := context.Background()

	incidents := store.NewCollection("incident", func(i *Incident) (string, store.Keys) {
		return i.ID, store.Keys{Status: i.Status, Created: i.Created}
	})
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

	st, err := sqlite.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		n, err := tx.NextNumber(ctx, "incident")
		if err != nil {
			return err
		}
		inc := Incident{ID: fmt.Sprintf("INC-%06d", n), Title: "Mail is down", Status: "new", Created: now}
		if _, err := incidents.Insert(ctx, tx, inc); err != nil {
			return err
		}
		_, err = tx.Append(ctx, audit.Entry{Time: now, Actor: "alice", Action: "incident.create",
			Kind: "incident", EntityID: inc.ID, To: inc.Status})
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	st.Close()

	// The file keeps everything: reopen it and read.
	st, err = sqlite.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	err = st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		inc, err := incidents.Get(ctx, tx, "INC-000001")
		if err != nil {
			return err
		}
		fmt.Printf("%s %q %s version %d\n", inc.Value.ID, inc.Value.Title, inc.Value.Status, inc.Version)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	for e, err := range st.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Seq, e.Actor, e.Action, e.EntityID)
	}
	rep, err := audit.Verify(ctx, st.Trail())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("trail verified:", rep.OK)
	// Output:
	// INC-000001 "Mail is down" new version 1
	// 1 alice incident.create INC-000001
	// trail verified: true
}
