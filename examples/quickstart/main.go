// Command quickstart runs a real incident through its whole lifecycle on the
// SDK's embedded default store, with an SLA clock, then verifies the
// tamper-evident audit trail and signs a checkpoint of it.
//
//	go run ./examples/quickstart             # in memory
//	go run ./examples/quickstart -db itsm.db # in a SQLite file, kept between runs
//
// Time is simulated (a fake clock moves forward) so that the SLA figures are
// meaningful in a run that takes milliseconds.
package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/clocktest"
	"github.com/servicekit/iso20000/incident"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
	"github.com/servicekit/iso20000/store/sqlite"
)

func main() {
	db := flag.String("db", "", "SQLite file to keep the records in (default: in memory)")
	flag.Parse()
	if err := run(context.Background(), *db); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, db string) error {
	var st store.Store = memory.New()
	if db != "" {
		var err error
		if st, err = sqlite.Open(ctx, db); err != nil {
			return err
		}
	}
	defer st.Close()

	// Simulated time, starting on a Monday morning.
	clock := clocktest.New(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))

	// A service level policy: P2 incidents get a response within 30 minutes and
	// a resolution within 8 hours, round the clock; awaiting the caller pauses.
	always := sla.AlwaysOpen(time.UTC)
	policy, err := sla.NewPolicy(append([]sla.PolicyOption{
		sla.WithTargets(
			sla.Target{Name: sla.TargetResponse, Priority: 2, Duration: 30 * time.Minute, Schedule: always},
			sla.Target{Name: sla.TargetResolution, Priority: 2, Duration: 8 * time.Hour, Schedule: always},
		),
		sla.WithPauseStates(string(incident.HoldAwaitingCaller)),
	}, incident.SLAStops()...)...)
	if err != nil {
		return err
	}
	svc, err := incident.NewService(st, incident.WithClock(clock), incident.WithSLA(policy))
	if err != nil {
		return err
	}

	carol := iso20000.Actor{ID: "carol", Name: "Carol (caller)", Roles: []string{incident.RoleRequester}}
	alice := iso20000.Actor{ID: "alice", Name: "Alice (service desk)", Roles: []string{incident.RoleAgent}}

	inc, err := svc.Open(ctx, carol, incident.OpenInput{
		Title: "Cannot reach the VPN", Service: "vpn", Impact: incident.Medium, Urgency: incident.High,
	})
	if err != nil {
		return err
	}
	fmt.Printf("%s opened by %s: %q, priority %s\n", inc.Number, carol.ID, inc.Title, inc.Priority)

	steps := []struct {
		after time.Duration
		what  string
		do    func() (incident.Incident, error)
	}{
		{10 * time.Minute, "assigned to network/alice", func() (incident.Incident, error) {
			return svc.Assign(ctx, alice, inc.ID, incident.AssignInput{Group: "network", Assignee: "alice"})
		}},
		{5 * time.Minute, "work started", func() (incident.Incident, error) {
			return svc.Start(ctx, alice, inc.ID, incident.StepInput{Note: "Checking the VPN concentrator"})
		}},
		{time.Hour, "on hold, awaiting the caller", func() (incident.Incident, error) {
			return svc.Hold(ctx, alice, inc.ID, incident.HoldInput{Reason: incident.HoldAwaitingCaller, Note: "Asked Carol for her client version"})
		}},
		{3 * time.Hour, "resumed", func() (incident.Incident, error) {
			return svc.Resume(ctx, alice, inc.ID, incident.StepInput{Note: "Carol replied"})
		}},
		{45 * time.Minute, "resolved", func() (incident.Incident, error) {
			return svc.Resolve(ctx, alice, inc.ID, incident.ResolveInput{Code: "config-fix", Notes: "Updated the client profile"})
		}},
		{time.Hour, "closed", func() (incident.Incident, error) {
			return svc.Close(ctx, alice, inc.ID, incident.StepInput{})
		}},
	}
	for _, s := range steps {
		clock.Advance(s.after)
		if inc, err = s.do(); err != nil {
			return err
		}
		fmt.Printf("  +%-6s %-30s state %s\n", short(s.after), s.what, inc.State)
	}

	// A refused step changes nothing and says why.
	if _, err := svc.Reopen(ctx, alice, inc.ID, incident.ReopenInput{Reason: "again"}); err != nil {
		fmt.Println("  reopen refused:", err)
	}

	readings, err := svc.SLA(&inc, clock.Now())
	if err != nil {
		return err
	}
	for _, r := range readings {
		fmt.Printf("SLA %-10s used %-8s of %-6s breached: %v\n", r.Target, short(r.Elapsed), short(r.Duration), r.Breached)
	}

	fmt.Println("Audit trail:")
	for e, err := range st.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			return err
		}
		var fields []string
		for _, c := range e.Changes {
			fields = append(fields, c.Field)
		}
		fmt.Printf("  #%d %s %-18s %s→%s changed %s\n", e.Seq, e.Time.Format("15:04"), e.Action, e.From, e.To, strings.Join(fields, ","))
	}

	// Verify the chain and sign its head, as an auditor would.
	rep, err := audit.Verify(ctx, st.Trail())
	if err != nil {
		return err
	}
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		return err
	}
	cp := audit.SignCheckpoint(rep.Head, clock.Now(), key)
	cpRep, err := audit.VerifyCheckpoint(ctx, st.Trail(), cp, pub)
	if err != nil {
		return err
	}
	fmt.Printf("Audit chain of %d entries verified: %v; signed checkpoint verified: %v\n", rep.Checked, rep.OK, cpRep.OK)
	if !rep.OK || !cpRep.OK {
		os.Exit(1)
	}
	return nil
}

// short formats a duration without trailing zero units ("1h30m", "45m").
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
