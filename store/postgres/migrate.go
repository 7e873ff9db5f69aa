package postgres

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

// schemaFiles holds the schema migrations, named NNNN_description.sql and
// numbered from 1 without gaps: migration N takes a schema from version N-1
// to N. Released files never change; a schema change is a new file.
//
//go:embed migrations/*.sql
var schemaFiles embed.FS

// ErrSchemaTooNew is [store.ErrSchemaTooNew]: the schema's version is newer
// than the newest migration this code knows.
var ErrSchemaTooNew = store.ErrSchemaTooNew

// schemaSteps returns the embedded migrations in version order and checks
// their numbering.
func schemaSteps() ([]sqlkit.Migration, error) { return sqlkit.Migrations(schemaFiles) }

// SchemaVersion is the schema version this code creates and understands: the
// number of the newest embedded migration.
func SchemaVersion() int { return sqlkit.SchemaVersion(schemaFiles) }

// migrationLockKey is the key of the advisory lock that serialises the
// migrations of one schema across every process sharing the database.
func migrationLockKey(schema string) int64 { return lockKey("migrate", schema) }

// chainLockKey is the key of the advisory lock that serialises the appends
// to the audit chain of one schema.
func chainLockKey(schema string) int64 { return lockKey("chain", schema) }

// lockKey derives a 64-bit advisory lock key from the package, a purpose and
// the schema name, so that the keys of different schemas (and, all but
// certainly, the application's own advisory locks) differ.
func lockKey(purpose, schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("github.com/servicekit/iso20000/store/postgres\x00" + purpose + "\x00"))
	h.Write([]byte(schema))
	return int64(h.Sum64())
}

// migrate creates the schema when it does not exist and applies the
// migrations it lacks, all in one transaction that first takes the schema's
// transaction-level advisory lock: instances starting at once queue on the
// lock, and each finds the work of those before it done. The applied versions
// are rows of the schema's schema_migrations table.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	steps, err := schemaSteps()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		ident := pgx.Identifier{schema}.Sanitize()
		for _, stmt := range []string{
			"SELECT pg_advisory_xact_lock(" + strconv.FormatInt(migrationLockKey(schema), 10) + ")",
			"CREATE SCHEMA IF NOT EXISTS " + ident,
			"SET LOCAL search_path TO " + ident,
			`CREATE TABLE IF NOT EXISTS schema_migrations (
				version    INT PRIMARY KEY,
				file       TEXT NOT NULL,
				applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
		} {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		var current int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
			return err
		}
		if current > len(steps) {
			return fmt.Errorf("postgres: %w: schema %s is at version %d, this code knows versions up to %d",
				ErrSchemaTooNew, schema, current, len(steps))
		}
		for _, st := range steps[current:] {
			if _, err := tx.Exec(ctx, st.SQL); err != nil {
				return fmt.Errorf("postgres: migration %s: %w", st.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, file) VALUES ($1, $2)", st.Version, st.Name); err != nil {
				return err
			}
		}
		return nil
	})
}
