package storetest

import (
	"testing"

	"github.com/servicekit/iso20000/store"
)

var numberTests = []test{
	{"Sequence", testNumberSequence},
}

func testNumberSequence(t *testing.T, st store.Store) {
	steps := []struct {
		name string
		want int64
	}{
		{"a", 1}, {"a", 2}, {"b", 1}, {"a", 3}, {"b", 2}, {"INC", 1},
	}
	for _, s := range steps {
		if got := nextNumber(t, st, s.name); got != s.want {
			t.Fatalf("NextNumber(%q): %d, want %d", s.name, got, s.want)
		}
	}
}
