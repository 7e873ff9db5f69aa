package iso20000

import (
	"context"
	"path"
	"slices"
	"strings"
	"sync"
)

// Request is what an [Authorizer] decides on: who wants to do what to which record.
type Request struct {
	// Actor is who acts.
	Actor Actor
	// Action names the use case in the form "kind.verb", such as
	// "incident.assign" or "change.approve".
	Action string
	// ID identifies the record acted on; empty when creating one.
	ID string
	// Attrs carries facts about the record that rules need, such as
	// "requester", "assignee" or "owner" (actor IDs). Process packages
	// document the attributes they set for each action. The slice is the
	// caller's and valid only until Authorize returns (see [Attrs]).
	Attrs Attrs
}

// Attr is one attribute of a [Request]: a named fact about the record acted
// on, such as its requester.
type Attr struct {
	Name  string
	Value string
}

// Attrs are the attributes of a [Request], in the order the process package
// set them. A few attributes in a slice cost a quarter of what a map would
// on every mutation.
//
// Like the bytes given to an io.Writer, the slice of a request belongs to
// the caller, who may reuse it once Authorize returns: an [Authorizer] that
// keeps the attributes beyond the call (to log the request later, say) must
// keep a copy ([slices.Clone]). The strings themselves are immutable and may
// be kept.
type Attrs []Attr

// Get returns the value of the attribute called name (the first, should
// there be several), or "" when there is none.
func (a Attrs) Get(name string) string {
	for _, at := range a {
		if at.Name == name {
			return at.Value
		}
	}
	return ""
}

// Authorizer decides whether a [Request] is allowed. Process services call it
// before every mutation; a denied attempt is returned to the caller and audited.
//
// Authorize returns nil to allow, and an error wrapping [ErrForbidden] (usually
// a *[ForbiddenError]) to deny. Any other error aborts the operation as well.
// Implementations must be safe for concurrent use.
type Authorizer interface {
	Authorize(ctx context.Context, req Request) error
}

// AuthorizerFunc adapts a function to an [Authorizer].
type AuthorizerFunc func(ctx context.Context, req Request) error

// Authorize calls f.
func (f AuthorizerFunc) Authorize(ctx context.Context, req Request) error { return f(ctx, req) }

// AllowAll is an [Authorizer] that allows every request by a named actor.
// It suits tests and single-user tools; production code should use a
// [RoleAuthorizer].
var AllowAll Authorizer = AuthorizerFunc(func(_ context.Context, req Request) error {
	return req.Actor.Validate()
})

// Rule is an additional check a [RoleAuthorizer] applies after the role check
// passed, such as a segregation-of-duties rule. It returns nil to allow and an
// error wrapping [ErrForbidden] to deny.
type Rule func(ctx context.Context, req Request) error

// RoleAuthorizer is the role-based default [Authorizer]: an action is allowed
// when the actor holds one of the roles granted for it and every [Rule] allows it.
// Actors holding [RoleAdmin] pass the role check for every action (rules still
// apply: an administrator does not approve their own change either).
//
// A RoleAuthorizer is immutable after construction and safe for concurrent use.
type RoleAuthorizer struct {
	grants map[string][]string // action pattern -> roles
	rules  []Rule
	roles  sync.Map // action -> sorted roles granted for it, computed once
}

// Grants maps action patterns to the roles allowed to perform them. A pattern
// is an action name or a path.Match pattern such as "incident.*".
type Grants map[string][]string

// NewRoleAuthorizer returns a [RoleAuthorizer] with the given grants and rules.
// Several Grants maps (for example the defaults of several process packages)
// may be merged with [MergeGrants].
func NewRoleAuthorizer(grants Grants, rules ...Rule) *RoleAuthorizer {
	g := make(map[string][]string, len(grants))
	for k, v := range grants {
		g[k] = slices.Clone(v)
	}
	return &RoleAuthorizer{grants: g, rules: slices.Clone(rules)}
}

// MergeGrants returns the union of several Grants maps.
func MergeGrants(all ...Grants) Grants {
	out := Grants{}
	for _, g := range all {
		for action, roles := range g {
			for _, r := range roles {
				if !slices.Contains(out[action], r) {
					out[action] = append(out[action], r)
				}
			}
		}
	}
	return out
}

// Authorize implements [Authorizer].
func (a *RoleAuthorizer) Authorize(ctx context.Context, req Request) error {
	if err := req.Actor.Validate(); err != nil {
		return err
	}
	if !a.roleAllows(req) {
		return &ForbiddenError{ActorID: req.Actor.ID, Action: req.Action,
			Reason: "requires one of the roles " + strings.Join(a.rolesFor(req.Action), ", ")}
	}
	for _, rule := range a.rules {
		if err := rule(ctx, req); err != nil {
			return err
		}
	}
	return nil
}

func (a *RoleAuthorizer) roleAllows(req Request) bool {
	if req.Actor.HasRole(RoleAdmin) {
		return true
	}
	for _, role := range a.rolesFor(req.Action) {
		if req.Actor.HasRole(role) {
			return true
		}
	}
	return false
}

// rolesFor returns the sorted roles granted for action by all matching
// patterns. Grants are immutable, so the answer is computed once per action.
func (a *RoleAuthorizer) rolesFor(action string) []string {
	if r, ok := a.roles.Load(action); ok {
		return r.([]string)
	}
	r, _ := a.roles.LoadOrStore(action, a.match(action))
	return r.([]string)
}

// match returns the sorted roles of every grant pattern matching action.
func (a *RoleAuthorizer) match(action string) []string {
	var roles []string
	for pattern, rs := range a.grants {
		if ok, _ := path.Match(pattern, action); ok || pattern == action {
			roles = append(roles, rs...)
		}
	}
	slices.Sort(roles)
	return slices.Compact(roles)
}

// SeparateDuties returns a segregation-of-duties [Rule]: for the given action
// (a name or path.Match pattern), the actor must not be the person named by the
// request attribute attr. For example
//
//	SeparateDuties("change.approve", "requester")
//
// enforces that a requester never approves their own change.
func SeparateDuties(action, attr string) Rule {
	// A name (no pattern characters) matches only itself: a comparison,
	// where path.Match would scan both (hundreds of instructions, for
	// every rule on every request).
	literal := !strings.ContainsAny(action, `*?[\`)
	return func(_ context.Context, req Request) error {
		if action != req.Action {
			if literal {
				return nil
			}
			if ok, _ := path.Match(action, req.Action); !ok {
				return nil
			}
		}
		if who := req.Attrs.Get(attr); who != "" && who == req.Actor.ID {
			return &ForbiddenError{ActorID: req.Actor.ID, Action: req.Action,
				Reason: "segregation of duties: the " + attr + " may not do this"}
		}
		return nil
	}
}
