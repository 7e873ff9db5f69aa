package iso20000_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/looplab/fsm"
	"github.com/servicekit/iso20000"
)

// A role-based authorizer with a segregation-of-duties rule: change managers
// approve changes, but never one they requested themselves. Process services
// fill Request.Attrs with the facts such rules read.
func ExampleRoleAuthorizer() {
	authz := iso20000.NewRoleAuthorizer(
		iso20000.Grants{"change.approve": {"change-manager"}, "change.implement": {"engineer"}},
		iso20000.SeparateDuties("change.approve", "requester"),
	)
	ctx := context.Background()
	carl := iso20000.Actor{ID: "carl", Roles: []string{"change-manager"}}
	dora := iso20000.Actor{ID: "dora", Roles: []string{"engineer"}}
	requestedBy := func(who string) iso20000.Attrs {
		return iso20000.Attrs{{Name: "requester", Value: who}}
	}

	for _, req := range []iso20000.Request{
		{Actor: carl, Action: "change.approve", Attrs: requestedBy("dora")},
		{Actor: carl, Action: "change.approve", Attrs: requestedBy("carl")},
		{Actor: dora, Action: "change.approve", Attrs: requestedBy("carl")},
		{Actor: dora, Action: "change.implement", Attrs: requestedBy("carl")},
	} {
		err := authz.Authorize(ctx, req)
		fmt.Printf("%s %s (requested by %s): allowed=%t\n", req.Actor.ID, req.Action, req.Attrs.Get("requester"), err == nil)
		if errors.Is(err, iso20000.ErrForbidden) {
			fmt.Println("  ", err)
		}
	}
	// Output:
	// carl change.approve (requested by dora): allowed=true
	// carl change.approve (requested by carl): allowed=false
	//    forbidden: "carl" may not change.approve: segregation of duties: the requester may not do this
	// dora change.approve (requested by carl): allowed=false
	//    forbidden: "dora" may not change.approve: requires one of the roles change-manager
	// dora change.implement (requested by carl): allowed=true
}

// A custom authorizer: the caller of an incident may always add to it, and
// everyone else needs the agent role.
func ExampleAuthorizerFunc() {
	authz := iso20000.AuthorizerFunc(func(ctx context.Context, req iso20000.Request) error {
		if req.Action == "incident.note" && req.Attrs.Get("caller") == req.Actor.ID {
			return nil
		}
		if req.Actor.HasRole("agent") {
			return nil
		}
		return &iso20000.ForbiddenError{ActorID: req.Actor.ID, Action: req.Action, Reason: "agents only"}
	})
	caller := iso20000.Actor{ID: "erin"}
	attrs := iso20000.Attrs{{Name: "caller", Value: "erin"}}
	fmt.Println(authz.Authorize(context.Background(), iso20000.Request{Actor: caller, Action: "incident.note", Attrs: attrs}))
	fmt.Println(authz.Authorize(context.Background(), iso20000.Request{Actor: caller, Action: "incident.resolve", Attrs: attrs}))
	// Output:
	// <nil>
	// forbidden: "erin" may not incident.resolve: agents only
}

// A lifecycle is a looplab/fsm event table, defined once. Transition checks
// an event against the table and says where it leads; a refused event is an
// ErrInvalidTransition naming the state and the event.
func ExampleLifecycle() {
	door := iso20000.NewLifecycle("door", "closed", fsm.Events{
		{Name: "open", Src: []string{"closed"}, Dst: "open"},
		{Name: "close", Src: []string{"open"}, Dst: "closed"},
		{Name: "lock", Src: []string{"closed"}, Dst: "locked"},
	})
	to, err := door.Transition("closed", "open")
	fmt.Println(to, err)
	_, err = door.Transition("open", "lock")
	fmt.Println(errors.Is(err, iso20000.ErrInvalidTransition), err)
	fmt.Println(door.Available("closed"), door.Terminal("locked"))
	// Output:
	// open <nil>
	// true door: cannot lock from state "open"
	// [lock open] true
}
