package sqlite

import (
	"database/sql/driver"
	"fmt"
)

// row reads the values of one result row by column type, as the driver
// returns them: INTEGER as int64, TEXT as string, BLOB as []byte, NULL as
// nil. A value of another type marks the row bad, and err says which.
type row struct {
	values []driver.Value
	bad    int // index of the first value of an unexpected type, or -1
}

func newRow(values []driver.Value) *row { return &row{values: values, bad: -1} }

func (r *row) fail(i int) {
	if r.bad < 0 {
		r.bad = i
	}
}

// text returns TEXT column i.
func (r *row) text(i int) string {
	s, ok := r.values[i].(string)
	if !ok {
		r.fail(i)
	}
	return s
}

// nullText returns TEXT column i, or nil when it is NULL.
func (r *row) nullText(i int) []byte {
	switch v := r.values[i].(type) {
	case nil:
		return nil
	case string:
		return []byte(v)
	}
	r.fail(i)
	return nil
}

// integer returns INTEGER column i.
func (r *row) integer(i int) int64 {
	n, ok := r.values[i].(int64)
	if !ok {
		r.fail(i)
	}
	return n
}

// nullInteger returns INTEGER column i and whether it is not NULL.
func (r *row) nullInteger(i int) (int64, bool) {
	if r.values[i] == nil {
		return 0, false
	}
	return r.integer(i), true
}

// blob returns BLOB column i.
func (r *row) blob(i int) []byte {
	b, ok := r.values[i].([]byte)
	if !ok {
		r.fail(i)
	}
	return b
}

// err reports the first value of an unexpected type, naming what the row is.
func (r *row) err(what string) error {
	if r.bad < 0 {
		return nil
	}
	return fmt.Errorf("sqlite: %s: column %d holds a %T", what, r.bad, r.values[r.bad])
}
