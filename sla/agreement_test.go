package sla_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/clocktest"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
)

var (
	slm   = iso20000.Actor{ID: "sam", Roles: []string{sla.RoleServiceLevelManager}}
	agent = iso20000.Actor{ID: "ann", Roles: []string{"agent"}}
)

func acmeAgreement() sla.Agreement {
	return sla.Agreement{
		Title:    "ACME mail and payroll",
		Customer: "ACME Ltd",
		Services: []string{"email", "payroll"},
		Targets: []sla.AgreedTarget{
			{Name: sla.TargetResponse, Priority: 1, Duration: 15 * time.Minute, Calendar: "24x7"},
			{Name: sla.TargetResolution, Priority: 1, Duration: 4 * time.Hour, Calendar: "24x7"},
			{Name: sla.TargetResolution, Priority: 3, Duration: 16 * time.Hour},
			{Name: sla.TargetResolution, Priority: 3, Service: "payroll", Duration: 8 * time.Hour},
		},
		ServiceHours: "london-9-5",
		ReviewDate:   time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC),
		Owner:        "sam",
	}
}

type agreementsFixture struct {
	st    *memory.Store
	clock *clocktest.Clock
	svc   *sla.Agreements
}

func newAgreements(t *testing.T, opts ...sla.AgreementsOption) agreementsFixture {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	clock := clocktest.New(monday)
	svc, err := sla.NewAgreements(st, append([]sla.AgreementsOption{sla.WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return agreementsFixture{st, clock, svc}
}

func entries(t *testing.T, st store.Store) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for e, err := range st.Trail().Entries(context.Background(), 1, 0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestAgreementsCreateGetList(t *testing.T) {
	ctx := context.Background()
	f := newAgreements(t)
	a, err := f.svc.Create(ctx, slm, acmeAgreement())
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "SLA-000001" || a.Version != 1 || !a.CreatedAt.Equal(monday) || !a.UpdatedAt.Equal(monday) {
		t.Errorf("created = %+v", a)
	}
	got, err := f.svc.Get(ctx, a.ID)
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Errorf("Get = %+v, %v; want %+v", got, err, a)
	}
	// A caller's copy does not alias the store.
	got.Services[0] = "changed"
	if again, _ := f.svc.Get(ctx, a.ID); again.Services[0] != "email" {
		t.Error("Get returned stored state")
	}
	b := acmeAgreement()
	b.ID, b.Customer, b.Services, b.Targets = "SLA-GLOBEX", "Globex", []string{"crm"}, nil
	b.ReviewDate = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, err := f.svc.Create(ctx, slm, b); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, slm, b); !errors.Is(err, iso20000.ErrConflict) {
		t.Errorf("duplicate ID: err = %v", err)
	}
	// Due for review before September 2026: Globex only.
	list, next, err := f.svc.List(ctx, store.Query{OrderBy: store.ByDue, DueBefore: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || next != "" || len(list) != 1 || list[0].ID != "SLA-GLOBEX" {
		t.Errorf("reviews due = %v, %q, %v", list, next, err)
	}
	list, _, err = f.svc.List(ctx, store.Query{Service: "crm"})
	if err != nil || len(list) != 1 || list[0].Customer != "Globex" {
		t.Errorf("by service = %v, %v", list, err)
	}
	if _, err := f.svc.Get(ctx, "SLA-404"); !errors.Is(err, iso20000.ErrNotFound) {
		t.Errorf("Get missing: %v", err)
	}
	es := entries(t, f.st)
	if len(es) != 2 || es[0].Action != "sla.agreement.create" || es[0].EntityID != "SLA-000001" || es[0].Actor != "sam" {
		t.Fatalf("audit = %+v", es)
	}
	want := []audit.Change{
		{Field: "title", New: "ACME mail and payroll"},
		{Field: "customer", New: "ACME Ltd"},
		{Field: "services", New: "email,payroll"},
		{Field: "targets", New: "response/P1=15m0s@24x7,resolution/P1=4h0m0s@24x7,resolution/P3=16h0m0s,resolution/P3/payroll=8h0m0s"},
		{Field: "service_hours", New: "london-9-5"},
		{Field: "review_date", New: "2027-01-15T00:00:00Z"},
		{Field: "owner", New: "sam"},
	}
	if !reflect.DeepEqual(es[0].Changes, want) {
		t.Errorf("changes =\n%+v\nwant\n%+v", es[0].Changes, want)
	}
}

func TestAgreementsUpdate(t *testing.T) {
	ctx := context.Background()
	f := newAgreements(t)
	a, err := f.svc.Create(ctx, slm, acmeAgreement())
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	a.Owner = "sue"
	a.Services = append(a.Services, "crm")
	updated, err := f.svc.Update(ctx, slm, a)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Version != 2 || updated.Owner != "sue" || !updated.UpdatedAt.Equal(monday.Add(time.Hour)) || !updated.CreatedAt.Equal(monday) {
		t.Errorf("updated = %+v", updated)
	}
	es := entries(t, f.st)
	want := []audit.Change{
		{Field: "services", Old: "email,payroll", New: "email,payroll,crm"},
		{Field: "owner", Old: "sam", New: "sue"},
	}
	if last := es[len(es)-1]; last.Action != "sla.agreement.update" || !reflect.DeepEqual(last.Changes, want) {
		t.Errorf("audit = %+v", last)
	}
	// The stale copy (version 1) conflicts and changes nothing.
	a.Owner = "zed"
	_, err = f.svc.Update(ctx, slm, a)
	var ce *iso20000.ConflictError
	if !errors.As(err, &ce) || ce.Expected != 1 || ce.Actual != 2 {
		t.Errorf("stale update: err = %v", err)
	}
	if got, _ := f.svc.Get(ctx, a.ID); got.Owner != "sue" || got.Version != 2 {
		t.Errorf("stale update changed %+v", got)
	}
	if n := len(entries(t, f.st)); n != len(es) {
		t.Errorf("stale update audited: %d entries, want %d", n, len(es))
	}
}

func TestAgreementsRefuse(t *testing.T) {
	ctx := context.Background()
	f := newAgreements(t)
	stored, err := f.svc.Create(ctx, slm, acmeAgreement())
	if err != nil {
		t.Fatal(err)
	}
	with := func(edit func(*sla.Agreement)) sla.Agreement { a := acmeAgreement(); edit(&a); return a }
	tests := []struct {
		name   string
		a      sla.Agreement
		update bool
		field  string
	}{
		{"no customer", with(func(a *sla.Agreement) { a.Customer = " " }), false, "customer"},
		{"no services", with(func(a *sla.Agreement) { a.Services = nil }), false, "services"},
		{"duplicate service", with(func(a *sla.Agreement) { a.Services = []string{"email", "email"} }), false, "services[1]"},
		{"no service hours", with(func(a *sla.Agreement) { a.ServiceHours = "" }), false, "service_hours"},
		{"no review date", with(func(a *sla.Agreement) { a.ReviewDate = time.Time{} }), false, "review_date"},
		{"no owner", with(func(a *sla.Agreement) { a.Owner = "" }), false, "owner"},
		{"target without duration", with(func(a *sla.Agreement) { a.Targets[2].Duration = 0 }), false, "targets[2].duration"},
		{"target for an uncovered service", with(func(a *sla.Agreement) { a.Targets[3].Service = "crm" }), false, "targets[3].service"},
		{"duplicate target", with(func(a *sla.Agreement) { a.Targets[1] = a.Targets[2] }), false, "targets[2]"},
		{"update without ID", with(func(a *sla.Agreement) { a.Version = 1 }), true, "id"},
		{"update without version", with(func(a *sla.Agreement) { a.ID = stored.ID }), true, "version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(entries(t, f.st))
			do := f.svc.Create
			if tt.update {
				do = f.svc.Update
			}
			_, err := do(ctx, slm, tt.a)
			var ve *iso20000.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("err = %v, want a validation error for %q", err, tt.field)
			}
			if n := len(entries(t, f.st)); n != before {
				t.Errorf("refused call audited")
			}
		})
	}
	stale := stored
	stale.ID = "SLA-404"
	if _, err := f.svc.Update(ctx, slm, stale); !errors.Is(err, iso20000.ErrNotFound) {
		t.Errorf("update of a missing agreement: %v", err)
	}
}

func TestAgreementsAuthorization(t *testing.T) {
	ctx := context.Background()
	f := newAgreements(t) // default: role-based with DefaultGrants
	if _, err := f.svc.Create(ctx, agent, acmeAgreement()); !errors.Is(err, iso20000.ErrForbidden) {
		t.Fatalf("agent create: %v", err)
	}
	a, err := f.svc.Create(ctx, slm, acmeAgreement())
	if err != nil {
		t.Fatal(err)
	}
	a.Owner = "ann"
	if _, err := f.svc.Update(ctx, agent, a); !errors.Is(err, iso20000.ErrForbidden) {
		t.Fatalf("agent update: %v", err)
	}
	admin := iso20000.Actor{ID: "root", Roles: []string{iso20000.RoleAdmin}}
	if _, err := f.svc.Update(ctx, admin, a); err != nil {
		t.Fatalf("admin update: %v", err)
	}
	if _, err := f.svc.Create(ctx, iso20000.Actor{}, acmeAgreement()); !errors.Is(err, iso20000.ErrValidation) {
		t.Errorf("anonymous create: %v", err)
	}
	var actions []string
	for _, e := range entries(t, f.st) {
		actions = append(actions, e.Actor+":"+e.Action)
	}
	want := []string{"ann:denied:sla.agreement.create", "sam:sla.agreement.create",
		"ann:denied:sla.agreement.update", "root:sla.agreement.update"}
	if !reflect.DeepEqual(actions, want) {
		t.Errorf("audit = %v, want %v", actions, want)
	}
	rep, err := audit.Verify(ctx, f.st.Trail())
	if err != nil || !rep.OK {
		t.Errorf("trail does not verify: %+v, %v", rep, err)
	}

	// AllowAll lets any named actor act; a custom authorizer sees the attributes.
	var mu sync.Mutex
	var seen []iso20000.Request
	spy := iso20000.AuthorizerFunc(func(ctx context.Context, req iso20000.Request) error {
		mu.Lock()
		seen = append(seen, req)
		mu.Unlock()
		return iso20000.AllowAll.Authorize(ctx, req)
	})
	g := newAgreements(t, sla.WithAuthorizer(spy))
	if _, err := g.svc.Create(ctx, agent, acmeAgreement()); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Action != "sla.agreement.create" || seen[0].Attrs.Get("owner") != "sam" || seen[0].Attrs.Get("customer") != "ACME Ltd" {
		t.Errorf("authorizer saw %+v", seen)
	}
	if _, err := sla.NewAgreements(nil); !errors.Is(err, iso20000.ErrValidation) {
		t.Errorf("NewAgreements(nil): %v", err)
	}
}

func TestAgreementPolicy(t *testing.T) {
	calendars := map[string]sla.Schedule{"24x7": schedAlways, "london-9-5": schedOffice}
	resolve := func(name string) (sla.Schedule, error) {
		if s, ok := calendars[name]; ok {
			return s, nil
		}
		return nil, fmt.Errorf("no calendar %q", name)
	}
	a := acmeAgreement()
	p, err := a.Policy(resolve, sla.WithPauseStates("pending customer"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		priority int
		service  string
		want     time.Duration
		sched    sla.Schedule
	}{
		{sla.TargetResolution, 1, "email", 4 * time.Hour, schedAlways},
		{sla.TargetResolution, 3, "email", 16 * time.Hour, schedOffice},
		{sla.TargetResolution, 3, "payroll", 8 * time.Hour, schedOffice},
	}
	for _, tt := range tests {
		got, err := p.Target(tt.name, tt.priority, tt.service)
		if err != nil || got.Duration != tt.want || got.Schedule != tt.sched {
			t.Errorf("Target(%s, %d, %s) = %+v, %v", tt.name, tt.priority, tt.service, got, err)
		}
	}
	if got := p.PauseStates(); !slices.Equal(got, []string{"pending customer"}) {
		t.Errorf("options not applied: %v", got)
	}
	a.ServiceHours = "mars"
	if _, err := a.Policy(resolve); err == nil || err.Error() != `sla: agreement , targets[2]: calendar "mars": no calendar "mars"` {
		t.Errorf("unknown calendar: %v", err)
	}
	if !a.Covers("email") || a.Covers("crm") {
		t.Error("Covers")
	}
}
