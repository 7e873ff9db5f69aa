package iso20000_test

import (
	"context"
	"errors"
	"path"
	"slices"
	"testing"

	"github.com/servicekit/iso20000"
)

func TestRoleAuthorizer(t *testing.T) {
	authz := iso20000.NewRoleAuthorizer(iso20000.Grants{
		"change.approve": {"cab"},
		"incident.*":     {"agent"},
		"incident.major": {"manager"},
	}, iso20000.SeparateDuties("change.approve", "requester"))

	agent := iso20000.Actor{ID: "ann", Roles: []string{"agent"}}
	cab := iso20000.Actor{ID: "carl", Roles: []string{"cab"}}
	admin := iso20000.Actor{ID: "root", Roles: []string{iso20000.RoleAdmin}}
	tests := []struct {
		name    string
		req     iso20000.Request
		allowed bool
	}{
		{"granted role", iso20000.Request{Actor: cab, Action: "change.approve"}, true},
		{"pattern grant", iso20000.Request{Actor: agent, Action: "incident.resolve"}, true},
		{"pattern grant also covers major", iso20000.Request{Actor: agent, Action: "incident.major"}, true},
		{"missing role", iso20000.Request{Actor: agent, Action: "change.approve"}, false},
		{"no grant at all", iso20000.Request{Actor: agent, Action: "release.deploy"}, false},
		{"admin passes role check", iso20000.Request{Actor: admin, Action: "release.deploy"}, true},
		{"segregation of duties", iso20000.Request{Actor: cab, Action: "change.approve", Attrs: iso20000.Attrs{{Name: "requester", Value: "carl"}}}, false},
		{"admin still bound by duties", iso20000.Request{Actor: admin, Action: "change.approve", Attrs: iso20000.Attrs{{Name: "requester", Value: "root"}}}, false},
		{"other requester", iso20000.Request{Actor: cab, Action: "change.approve", Attrs: iso20000.Attrs{{Name: "requester", Value: "dora"}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := authz.Authorize(context.Background(), tt.req)
			if tt.allowed && err != nil {
				t.Fatalf("want allowed, got %v", err)
			}
			if !tt.allowed {
				var fe *iso20000.ForbiddenError
				if !errors.Is(err, iso20000.ErrForbidden) || !errors.As(err, &fe) {
					t.Fatalf("want ErrForbidden, got %v", err)
				}
				if fe.ActorID != tt.req.Actor.ID || fe.Action != tt.req.Action {
					t.Fatalf("error names %q/%q", fe.ActorID, fe.Action)
				}
			}
		})
	}
}

// TestSeparateDutiesMatching checks which actions a segregation-of-duties
// rule covers: a name only itself, a path.Match pattern what it matches, a
// malformed pattern only itself.
func TestSeparateDutiesMatching(t *testing.T) {
	carl := iso20000.Actor{ID: "carl", Roles: []string{"cab"}}
	own := iso20000.Attrs{{Name: "requester", Value: "carl"}}
	tests := []struct {
		rule, action string
		denied       bool
	}{
		{"change.approve", "change.approve", true},
		{"change.approve", "change.approved", false},
		{"change.approve", "change.approv", false},
		{"change.approve", "change.reject", false},
		{"change.*", "change.approve", true},
		{"change.*", "problem.approve", false},
		{"change.appro?e", "change.approve", true},
		{"change.[ab]pprove", "change.approve", true},
		{"change.[xy]pprove", "change.approve", false},
		{`change.approv\e`, "change.approve", true}, // an escaped literal
		{"change.[", "change.[", true},              // malformed: only itself
		{"change.[", "change.approve", false},
	}
	for _, tt := range tests {
		err := iso20000.SeparateDuties(tt.rule, "requester")(context.Background(), iso20000.Request{Actor: carl, Action: tt.action, Attrs: own})
		if got := errors.Is(err, iso20000.ErrForbidden); got != tt.denied || !got && err != nil {
			t.Errorf("SeparateDuties(%q) on %q: %v, want denied %v", tt.rule, tt.action, err, tt.denied)
		}
	}
}

func TestAuthorizeAnonymous(t *testing.T) {
	for name, a := range map[string]iso20000.Authorizer{
		"role":      iso20000.NewRoleAuthorizer(iso20000.Grants{"x.y": {"r"}}),
		"allow all": iso20000.AllowAll,
	} {
		err := a.Authorize(context.Background(), iso20000.Request{Action: "x.y", Actor: iso20000.Actor{Roles: []string{"r"}}})
		var ve *iso20000.ValidationError
		if !errors.As(err, &ve) || ve.Field != "actor.id" {
			t.Errorf("%s: want a validation error on actor.id, got %v", name, err)
		}
	}
}

func TestMergeGrants(t *testing.T) {
	g := iso20000.MergeGrants(iso20000.Grants{"a": {"x"}}, iso20000.Grants{"a": {"x", "y"}, "b": {"z"}})
	if len(g["a"]) != 2 || g["a"][0] != "x" || g["a"][1] != "y" || len(g["b"]) != 1 {
		t.Fatalf("merged grants: %v", g)
	}
}

func TestErrorsMatch(t *testing.T) {
	tests := []struct {
		err    error
		target error
		text   string
	}{
		{&iso20000.TransitionError{Kind: "incident", From: "closed", Event: "resolve"}, iso20000.ErrInvalidTransition, `incident: cannot resolve from state "closed"`},
		{&iso20000.TransitionError{From: "resolved", Event: "close", Reason: "needs a problem"}, iso20000.ErrInvalidTransition, `record: cannot close from state "resolved": needs a problem`},
		{&iso20000.ValidationError{Field: "title", Reason: "must not be empty"}, iso20000.ErrValidation, "invalid title: must not be empty"},
		{&iso20000.NotFoundError{Kind: "incident", ID: "42"}, iso20000.ErrNotFound, `incident "42" not found`},
		{&iso20000.ConflictError{Kind: "incident", ID: "42", Expected: 3, Actual: 4}, iso20000.ErrConflict, `incident "42": stale version 3 (stored version is 4)`},
		{&iso20000.ConflictError{Kind: "incident", ID: "42"}, iso20000.ErrConflict, `incident "42" already exists`},
		{&iso20000.ForbiddenError{ActorID: "ann", Action: "change.approve"}, iso20000.ErrForbidden, `forbidden: "ann" may not change.approve`},
	}
	for _, tt := range tests {
		wrapped := errors.Join(errors.New("context"), tt.err)
		if !errors.Is(wrapped, tt.target) {
			t.Errorf("%T does not match its sentinel", tt.err)
		}
		if errors.Is(tt.err, iso20000.ErrNotFound) && tt.target != iso20000.ErrNotFound {
			t.Errorf("%T matches ErrNotFound", tt.err)
		}
		if tt.err.Error() != tt.text {
			t.Errorf("%T: got %q, want %q", tt.err, tt.err.Error(), tt.text)
		}
	}
}

// BenchmarkRoleAuthorizer measures an allowed request through the
// RoleAuthorizer (roles per action computed once), beside the baseline of
// matching every grant pattern with path.Match on each call.
func BenchmarkRoleAuthorizer(b *testing.B) {
	grants := iso20000.Grants{"incident.*": {"agent"}, "incident.major": {"manager"}}
	for i := range 40 {
		grants["other.action"+string(rune('a'+i%26))+string(rune('a'+i/26))] = []string{"x"}
	}
	req := iso20000.Request{Actor: iso20000.Actor{ID: "ann", Roles: []string{"agent"}}, Action: "incident.resolve"}
	b.Run("role-authorizer", func(b *testing.B) {
		authz := iso20000.NewRoleAuthorizer(grants, iso20000.SeparateDuties("change.approve", "requester"))
		b.ReportAllocs()
		for b.Loop() {
			if err := authz.Authorize(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline_match-every-grant", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			allowed := false
			for pattern, roles := range grants {
				if ok, _ := path.Match(pattern, req.Action); ok && slices.ContainsFunc(roles, req.Actor.HasRole) {
					allowed = true
				}
			}
			if !allowed {
				b.Fatal("denied")
			}
		}
	})
}

func TestAttrsGet(t *testing.T) {
	a := iso20000.Attrs{{Name: "requester", Value: "carl"}, {Name: "owner", Value: ""}, {Name: "requester", Value: "dora"}}
	for name, want := range map[string]string{"requester": "carl", "owner": "", "group": ""} {
		if got := a.Get(name); got != want {
			t.Errorf("Get(%q) = %q, want %q", name, got, want)
		}
	}
	if got := iso20000.Attrs(nil).Get("requester"); got != "" {
		t.Errorf("nil attributes give %q", got)
	}
}
