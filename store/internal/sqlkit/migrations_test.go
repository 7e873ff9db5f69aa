package sqlkit_test

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/servicekit/iso20000/store/internal/sqlkit"
)

func TestMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []sqlkit.Migration
		wantErr string
	}{
		{"none", fstest.MapFS{}, []sqlkit.Migration{}, ""},
		{"in order, other files ignored", fstest.MapFS{
			"migrations/0002_more.sql": file("B"),
			"migrations/0001_init.sql": file("A"),
			"migrations/README.md":     file("not SQL"),
			"other/0003_x.sql":         file("C"),
		}, []sqlkit.Migration{{1, "0001_init.sql", "A"}, {2, "0002_more.sql", "B"}}, ""},
		{"gap", fstest.MapFS{
			"migrations/0001_init.sql": file("A"),
			"migrations/0003_skip.sql": file("C"),
		}, nil, "migration 0003_skip.sql: want number 0002"},
		{"no number", fstest.MapFS{"migrations/init.sql": file("A")}, nil, "migration init.sql: want number 0001"},
		{"not starting at 1", fstest.MapFS{"migrations/0000_zero.sql": file("A")}, nil, "want number 0001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sqlkit.Migrations(tc.fsys)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestSchemaVersion(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/0001_init.sql": &fstest.MapFile{Data: []byte("A")},
		"migrations/0002_more.sql": &fstest.MapFile{Data: []byte("B")},
	}
	if got := sqlkit.SchemaVersion(fsys); got != 2 {
		t.Errorf("SchemaVersion = %d, want 2", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("SchemaVersion of misnumbered files did not panic")
		}
	}()
	sqlkit.SchemaVersion(fstest.MapFS{"migrations/0002_more.sql": &fstest.MapFile{Data: []byte("B")}})
}
