package workflow

import (
	"github.com/servicekit/iso20000/audit"
	"slices"
	"testing"
	"time"
	"unsafe"
)

type (
	label string
	level int
)

// flat is a record with a field of every kind compared in place, beside
// fields that are not.
type flat struct {
	Pad   [3]byte // fields at odd offsets
	Name  string
	Label label
	Level level
	Count int
	On    bool
	When  time.Time
	Tags  []string
	Marks []label
}

// inPlace compares fields in place; byGet renders every field, as a spec
// without StringField, IntField and BoolField does.
var (
	inPlace = &Spec[flat]{Fields: []Field[flat]{
		StringField("name", func(r *flat) *string { return &r.Name }),
		StringField("label", func(r *flat) *label { return &r.Label }),
		IntField("level", func(r *flat) *level { return &r.Level }),
		IntField("count", func(r *flat) *int { return &r.Count }),
		BoolField("on", func(r *flat) *bool { return &r.On }),
		TimeField("when", func(r *flat) *time.Time { return &r.When }),
		ListField("tags", func(r *flat) *[]string { return &r.Tags }),
		ListField("marks", func(r *flat) *[]label { return &r.Marks }),
	}}
	byGet = &Spec[flat]{Fields: []Field[flat]{
		{Name: "name", Get: func(r *flat) string { return r.Name }},
		{Name: "label", Get: func(r *flat) string { return string(r.Label) }},
		{Name: "level", Get: func(r *flat) string { return Int(r.Level) }},
		{Name: "count", Get: func(r *flat) string { return Int(r.Count) }},
		{Name: "on", Get: func(r *flat) string { return Bool(r.On) }},
		{Name: "when", Get: func(r *flat) string { return Time(r.When) }},
		{Name: "tags", Get: func(r *flat) string { return List(r.Tags) }},
		{Name: "marks", Get: func(r *flat) string { return List(r.Marks) }},
	}}
)

// FuzzInPlaceFields checks that comparing fields in place finds exactly the
// changes that rendering every field finds.
func FuzzInPlaceFields(f *testing.F) {
	f.Add("a", "a", "x", "y", 1, 1, 2, 3, false, true, int64(0), int64(5), "t", "t,u")
	f.Add("", "b", "", "", -1, 7, 0, 0, true, true, int64(9), int64(9), "", "")
	f.Fuzz(func(t *testing.T, n1, n2, l1, l2 string, v1, v2, c1, c2 int, o1, o2 bool, w1, w2 int64, t1, t2 string) {
		tags := func(s string) []string {
			if s == "" {
				return nil
			}
			return []string{s, s + "!"}
		}
		marks := func(s string) []label {
			if s == "" {
				return nil
			}
			return []label{label(s)}
		}
		// The same instant in another location is no change.
		before := flat{Name: n1, Label: label(l1), Level: level(v1), Count: c1, On: o1, When: time.Unix(w1, 0).In(time.FixedZone("X", 3600)),
			Tags: tags(t1), Marks: marks(l1)}
		after := flat{Name: n2, Label: label(l2), Level: level(v2), Count: c2, On: o2, When: time.Unix(w2, 0).UTC(),
			Tags: tags(t2), Marks: marks(t2)}
		got, want := inPlace.AppendDiff(nil, &before, &after), byGet.AppendDiff(nil, &before, &after)
		if !slices.Equal(got, want) {
			t.Fatalf("in place %+v, rendered %+v", got, want)
		}
		// A plain copy of before with some fields replaced, as use cases
		// change records: the fields left alone share their bits with before.
		copied := before
		if n1 != n2 {
			copied.Name = n2
		}
		if v1 != v2 {
			copied.Level, copied.When = level(v2), after.When
		}
		if c1 != c2 {
			copied.Tags = append(copied.Tags, t2)
		}
		if o1 != o2 {
			copied.On, copied.Marks = o2, marks(t2)
		}
		got, want = inPlace.AppendDiff(nil, &before, &copied), byGet.AppendDiff(nil, &before, &copied)
		if !slices.Equal(got, want) {
			t.Fatalf("copy: in place %+v, rendered %+v", got, want)
		}
	})
}

// wide is a record with more audited fields than a diff plan has bits for.
type wide struct{ S [65]string }

func TestAppendDiffManyFields(t *testing.T) {
	spec := &Spec[wide]{}
	for i := range len(wide{}.S) {
		spec.Fields = append(spec.Fields, StringField(Int(i), func(r *wide) *string { return &r.S[i] }))
	}
	var before wide
	after := before
	after.S[0], after.S[64] = "first", "last"
	got := spec.AppendDiff(nil, &before, &after)
	want := []audit.Change{{Field: "0", New: "first"}, {Field: "64", New: "last"}}
	if !slices.Equal(got, want) || spec.plan != nil {
		t.Errorf("diff of 65 fields = %+v (plan %v), want %+v without a plan", got, spec.plan, want)
	}
}

func TestInPlaceFieldAccessorMustReturnAField(t *testing.T) {
	var elsewhere string
	outside := flat{}
	for name, at := range map[string]func(*flat) *string{
		"a variable":       func(*flat) *string { return &elsewhere },
		"another record's": func(*flat) *string { return &outside.Name },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("StringField accepted an accessor that does not return a field of the record")
				}
			}()
			StringField("x", at)
		})
	}
	want := unsafe.Offsetof(flat{}.Name)
	if f := StringField("name", func(r *flat) *string { return &r.Name }); f.at != want || f.kind != inPlaceString {
		t.Errorf("name at offset %d (kind %d), want %d", f.at, f.kind, want)
	}
}

func BenchmarkAppendDiff(b *testing.B) {
	before := flat{Name: "n", Label: "l", Level: 2, Count: 3, When: time.Unix(5, 0), Tags: []string{"a"}}
	after := before
	after.Label = "m"
	// closures is inPlace as it would be with each string, int and flag
	// read by its Get function, the way before StringField and the like.
	closures := &Spec[flat]{Fields: append(slices.Clone(byGet.Fields[:5]), inPlace.Fields[5:]...)}
	var buf [8]audit.Change
	for name, spec := range map[string]*Spec[flat]{"in-place": inPlace, "closures": closures} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				spec.AppendDiff(buf[:0], &before, &after)
			}
		})
	}
}
