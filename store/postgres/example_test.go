package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/postgres"
)

// Example opens a store on the database that ITSM_POSTGRES_DSN names, stores
// a record and its audit entry in one unit of work and verifies the trail.
// Every instance of an application opens its store like this on the same
// schema.
//
// The example needs a PostgreSQL server, so it has no Output comment: go
// test compiles it but does not run it.
func Example() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, os.Getenv("ITSM_POSTGRES_DSN"), postgres.WithSchema("itsm"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	type Ticket struct {
		ID, Status string
		Opened     time.Time
	}
	tickets := store.NewCollection("ticket", func(t *Ticket) (string, store.Keys) {
		return t.ID, store.Keys{Status: t.Status, Created: t.Opened}
	})
	now := time.Now()
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		n, err := tx.NextNumber(ctx, "ticket")
		if err != nil {
			return err
		}
		t := Ticket{ID: fmt.Sprintf("TKT-%06d", n), Status: "open", Opened: now}
		if _, err := tickets.Insert(ctx, tx, t); err != nil {
			return err
		}
		_, err = tx.Append(ctx, audit.Entry{Time: now, Actor: "ann", Action: "ticket.open", Kind: "ticket", EntityID: t.ID, To: "open"})
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	report, err := audit.Verify(ctx, st.Trail())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("trail intact:", report.Err() == nil)
}

// ExampleSchemaVersion prints the schema version this release of the
// package creates; schema_migrations in the store's schema records the
// versions applied.
func ExampleSchemaVersion() {
	fmt.Println("schema version", postgres.SchemaVersion())
	// Output: schema version 1
}
