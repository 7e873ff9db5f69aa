package reuse

import (
	"slices"
	"testing"
)

func TestSlice(t *testing.T) {
	buf := make([]int, 1, 4)
	src := []int{1, 2, 3}
	got := Slice(buf, src)
	if !slices.Equal(got, src) || &got[0] != &buf[:1][0] {
		t.Fatalf("Slice = %v, want a copy of %v in buf's array", got, src)
	}
	got[0] = 9
	if src[0] != 1 {
		t.Fatal("the copy shares src's array")
	}

	big := Slice(make([]int, 0, 1), src)
	big[0] = 9
	if !slices.Equal(big[1:], src[1:]) || src[0] != 1 {
		t.Fatalf("Slice into a small buf = %v, src %v", big, src)
	}

	if Slice(buf, []int(nil)) != nil {
		t.Fatal("a copy of nil is not nil")
	}
	empty := Slice([]int(nil), []int{})
	if empty == nil || len(empty) != 0 || cap(empty) != 0 {
		t.Fatalf("a copy of an empty slice = %#v, want non-nil with no room", empty)
	}
}
