package sqlkit

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Migration is one schema migration file of a backend.
type Migration struct {
	// Version is the schema version the migration takes the schema to,
	// from Version-1.
	Version int
	// Name is the file's name, such as "0001_init.sql".
	Name string
	// SQL is the file's text.
	SQL string
}

// Migrations returns the migrations in fsys's folder migrations, files named
// NNNN_description.sql, in version order. The numbers must run 1, 2, 3...
// without gaps: otherwise the error names the first file out of sequence.
func Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	out := make([]Migration, 0, len(names))
	for i, name := range names { // fs.Glob sorts, and the numbers are zero-padded
		base := path.Base(name)
		prefix, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want number %04d", base, i+1)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: base, SQL: string(b)})
	}
	return out, nil
}

// SchemaVersion returns the number of the newest migration in fsys: the
// schema version a backend whose migrations fsys embeds creates and
// understands. It panics when the files are misnumbered, which the embedded
// files of a build are not (their tests call it).
func SchemaVersion(fsys fs.FS) int {
	ms, err := Migrations(fsys)
	if err != nil {
		panic(err)
	}
	return len(ms)
}
