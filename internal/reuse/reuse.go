// Package reuse copies values into storage that an earlier copy left, for
// the CloneInto functions that let store/memory recycle the records it keeps
// (see store.Recycler).
package reuse

import "slices"

// Slice returns a copy of src, made in buf's array when it is large enough.
// Like slices.Clone it returns nil for nil and a non-nil empty slice for an
// empty one; the result shares nothing with src.
func Slice[S ~[]E, E any](buf, src S) S {
	switch {
	case len(src) == 0:
		return src[:0:0] // nil or empty, and no room to share
	case cap(buf) < len(src):
		return slices.Clone(src)
	}
	buf = buf[:len(src)]
	copy(buf, src)
	return buf
}
