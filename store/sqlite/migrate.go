package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// migrationFiles holds the schema migrations, named NNNN_description.sql and
// numbered from 1 without gaps. Migration N takes the schema from version N-1
// to N. Released files never change; a schema change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is [store.ErrSchemaTooNew]: the database's schema version
// is newer than the newest migration this code knows.
var ErrSchemaTooNew = store.ErrSchemaTooNew

// migrations returns the embedded migrations in version order, checking that
// they are numbered 1, 2, 3... without gaps.
func migrations() ([]sqlkit.Migration, error) { return sqlkit.Migrations(migrationFiles) }

// SchemaVersion is the schema version this code creates and understands: the
// number of the newest embedded migration.
func SchemaVersion() int { return sqlkit.SchemaVersion(migrationFiles) }

// migrate brings the schema of the database behind db up to date: it applies,
// each in its own write transaction, the migrations newer than the database's
// PRAGMA user_version, which records the version applied last. The version is
// read inside the transaction, so processes opening the file at once apply
// each migration once. A database newer than the code gives [ErrSchemaTooNew].
func migrate(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	for {
		applied, err := migrateOne(ctx, db, ms, log)
		if err != nil || !applied {
			return err
		}
	}
}

// migrateOne applies the next migration the database lacks, if any, and
// reports whether it applied one.
func migrateOne(ctx context.Context, db *sql.DB, ms []sqlkit.Migration, log *slog.Logger) (bool, error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE on the writer
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return false, err
	}
	switch {
	case current > len(ms):
		return false, fmt.Errorf("sqlite: %w: its version is %d, this code knows versions up to %d; open it with a newer release",
			ErrSchemaTooNew, current, len(ms))
	case current == len(ms):
		return false, nil
	}
	m := ms[current]
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.Name, err)
	}
	// PRAGMA takes no parameters; m.Version is an int.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.Version)); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	log.InfoContext(ctx, "sqlite: applied schema migration", "migration", m.Name, "version", m.Version)
	return true, nil
}
