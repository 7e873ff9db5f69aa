package sla_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store/memory"
)

// A priority 1 incident has 4 hours round the clock to be resolved: opened on
// Friday at 22:00, it is due on Saturday at 02:00, and the timer warns at
// 50, 75 and 90 % on the way.
func ExamplePolicy() {
	policy, err := sla.NewPolicy(
		sla.WithTargets(sla.Target{Name: sla.TargetResolution, Priority: 1, Duration: 4 * time.Hour,
			Schedule: sla.AlwaysOpen(time.UTC)}),
		sla.WithPauseStates("pending customer", "pending supplier"),
		sla.WithStopStates(sla.TargetResolution, "resolved", "closed"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	timer, err := policy.NewTimer(sla.TargetResolution, 1, "email")
	if err != nil {
		fmt.Println(err)
		return
	}
	opened := time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC)
	events, _ := policy.OnState(&timer, "new", opened)
	fmt.Println("events:", events)

	r, _ := policy.Measure(&timer, opened.Add(3*time.Hour+15*time.Minute))
	fmt.Println("due:", r.Due.Format("Mon 15:04"))
	fmt.Printf("used: %.2f%%, remaining %v\n", r.PercentUsed, r.Remaining)
	for _, a := range r.Crossed {
		fmt.Printf("crossed %d%% at %s\n", a.Percent, a.At.Format("Mon 15:04"))
	}
	fmt.Printf("next: %d%% at %s\n", r.Next.Percent, r.Next.At.Format("Mon 15:04"))

	events, _ = policy.OnState(&timer, "resolved", opened.Add(3*time.Hour+30*time.Minute))
	r, _ = policy.Measure(&timer, opened.Add(24*time.Hour))
	fmt.Println("events:", events, "breached:", r.Breached, "elapsed:", r.Elapsed)
	// Output:
	// events: [start]
	// due: Sat 02:00
	// used: 81.25%, remaining 45m0s
	// crossed 50% at Sat 00:00
	// crossed 75% at Sat 01:00
	// next: 90% at Sat 01:36
	// events: [stop] breached: false elapsed: 3h30m0s
}

// A clock paused while the customer is awaited: it counts business hours of
// a 9–5 calendar only, stands still while paused (its due time is then
// undefined), and moves its due time by the pause when resumed.
func ExampleTimer_Pause() {
	office, err := sla.NewCalendar(sla.CalendarSpec{TimeZone: "Europe/London",
		Week: sla.Weekdays(sla.Hours{Start: 9 * time.Hour, End: 17 * time.Hour})})
	if err != nil {
		fmt.Println(err)
		return
	}
	london, _ := time.LoadLocation("Europe/London")
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, london) }
	timer := sla.NewTimer(sla.Target{Name: sla.TargetResolution, Priority: 3, Duration: 4 * time.Hour}, 50, 75, 90)

	show := func(now time.Time) {
		due, ok := timer.Due(office)
		when := "undefined"
		if ok {
			when = due.In(london).Format("Mon 15:04")
		}
		fmt.Printf("%s %-7s elapsed %-6v due %s\n", now.Format("Mon 15:04"), timer.Status(), timer.Elapsed(office, now), when)
	}
	_ = timer.Start(day(2, 16, 0)) // Monday 16:00
	show(day(2, 16, 30))
	_ = timer.Pause(day(2, 16, 30), "pending customer")
	show(day(3, 9, 30))
	_ = timer.Resume(day(3, 10, 0)) // Tuesday 10:00
	show(day(3, 11, 0))
	fmt.Println("pause:", timer.Cycles[0].Pauses[0].Reason)
	// Output:
	// Mon 16:30 running elapsed 30m0s  due Tue 12:00
	// Tue 09:30 paused  elapsed 30m0s  due undefined
	// Tue 11:00 running elapsed 1h30m0s due Tue 13:30
	// pause: pending customer
}

// A scheduler calls Due every minute; it gets, in order, the warnings and
// breaches that fell due since, without scanning every timer.
func ExampleDueList() {
	always := sla.AlwaysOpen(time.UTC)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var dl sla.DueList
	for i, d := range []time.Duration{time.Hour, 2 * time.Hour} {
		t := sla.NewTimer(sla.Target{Name: sla.TargetResponse, Priority: i + 1, Duration: d}, 50)
		_ = t.Start(start)
		dl.Track(fmt.Sprintf("INC-%d/response", i+1), &t, always, start)
	}
	for now := start; now.Before(start.Add(2 * time.Hour)); now = now.Add(30 * time.Minute) {
		for _, a := range dl.Due(now.Add(30 * time.Minute)) {
			fmt.Printf("%s %s %d%% breach=%v\n", a.At.Format("15:04"), a.Key, a.Percent, a.Breach())
		}
	}
	fmt.Println("still tracked:", dl.Len())
	// Output:
	// 09:30 INC-1/response 50% breach=false
	// 10:00 INC-1/response 100% breach=true
	// 10:00 INC-2/response 50% breach=false
	// 11:00 INC-2/response 100% breach=true
	// still tracked: 0
}

// A monthly report: attainment, breaches and mean times per service,
// priority and agreement, and the availability of a 9–5 service whose
// outages overlap and partly fall in planned maintenance, written as CSV.
func ExampleNewReport() {
	office, err := sla.NewCalendar(sla.CalendarSpec{TimeZone: "UTC",
		Week: sla.Weekdays(sla.Hours{Start: 9 * time.Hour, End: 17 * time.Hour})})
	if err != nil {
		fmt.Println(err)
		return
	}
	d := func(day, h int) time.Time { return time.Date(2026, 3, day, h, 0, 0, 0, time.UTC) }
	march := sla.Period{Start: d(1, 0), End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
	report, err := sla.NewReport(march, []sla.Measurement{
		{ID: "INC-1", Service: "email", Priority: 1, Agreement: "SLA-000001",
			Opened: d(2, 9), Acknowledged: d(2, 10), Resolved: d(2, 12),
			ResponseTime: time.Hour, ResolutionTime: 3 * time.Hour},
		{ID: "INC-2", Service: "email", Priority: 2, Agreement: "SLA-000001",
			Opened: d(3, 9), Acknowledged: d(3, 12), Resolved: d(4, 9),
			ResponseBreached: true, ResolutionBreached: true, ResponseTime: 3 * time.Hour, ResolutionTime: 24 * time.Hour},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := report.AddAvailability("email", office, []sla.Outage{
		{Start: d(10, 9), End: d(10, 12)},
		{Start: d(10, 11), End: d(10, 13)},                // overlaps: 9:00–13:00 counts once
		{Start: d(10, 12), End: d(10, 16), Planned: true}, // maintenance: 12:00–13:00 is not downtime
		{Start: d(10, 20), End: d(10, 23)},                // outside service hours
	})
	// March 2026 has 22 working days of 8 hours, 176h; less 4h of maintenance.
	fmt.Printf("availability %.3f%%: %v down in %v of service\n", a.Percent, a.Downtime, a.ServiceTime)
	_ = report.WriteCSV(os.Stdout)
	// Output:
	// availability 98.256%: 3h0m0s down in 172h0m0s of service
	// dimension,key,records,response_met,response_breached,response_attainment_pct,resolution_met,resolution_breached,resolution_attainment_pct,breaches,mean_acknowledge_s,mean_acknowledge_business_s,mean_resolve_s,mean_resolve_business_s
	// total,,2,1,1,50.00,1,1,50.00,2,7200,7200,48600,48600
	// service,email,2,1,1,50.00,1,1,50.00,2,7200,7200,48600,48600
	// priority,1,1,1,0,100.00,1,0,100.00,0,3600,3600,10800,10800
	// priority,2,1,0,1,0.00,0,1,0.00,2,10800,10800,86400,86400
	// agreement,SLA-000001,2,1,1,50.00,1,1,50.00,2,7200,7200,48600,48600
}

// Agreements are stored records, changed only by authorised actors, each
// change audited; a stale version conflicts.
func ExampleAgreements() {
	ctx := context.Background()
	st := memory.New()
	defer st.Close()
	agreements, _ := sla.NewAgreements(st, sla.WithAuthorizer(iso20000.AllowAll))
	sam := iso20000.Actor{ID: "sam"}
	a, err := agreements.Create(ctx, sam, sla.Agreement{
		Customer: "ACME Ltd", Services: []string{"email"}, ServiceHours: "london-9-5", Owner: "sam",
		ReviewDate: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC),
		Targets:    []sla.AgreedTarget{{Name: sla.TargetResolution, Priority: 1, Duration: 4 * time.Hour, Calendar: "24x7"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.ID, "version", a.Version)
	stale := a
	a.Owner = "sue"
	a, _ = agreements.Update(ctx, sam, a)
	fmt.Println(a.ID, "version", a.Version, "owner", a.Owner)
	_, err = agreements.Update(ctx, sam, stale)
	fmt.Println(err)
	for e, err := range st.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			fmt.Println(err)
			return
		}
		c := e.Changes[len(e.Changes)-1]
		fmt.Printf("%d %s by %s: %s %q -> %q\n", e.Seq, e.Action, e.Actor, c.Field, c.Old, c.New)
	}
	// Output:
	// SLA-000001 version 1
	// SLA-000001 version 2 owner sue
	// sla.agreement "SLA-000001": stale version 1 (stored version is 2)
	// 1 sla.agreement.create by sam: owner "" -> "sam"
	// 2 sla.agreement.update by sam: owner "sam" -> "sue"
}

// A record's timer is frozen when the record is saved, so that every copy
// of the record shares it. A change that moves the timer gets a copy of its
// own, which replaces it in the changed record only: the copies read before
// keep the timer as it was.
func ExamplePolicy_AppendOnStateThaw() {
	policy, err := sla.NewPolicy(
		sla.WithTargets(sla.Target{Name: sla.TargetResponse, Priority: 1, Duration: time.Hour,
			Schedule: sla.AlwaysOpen(time.UTC)}),
		sla.WithStopStates(sla.TargetResponse, "assigned"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	timer, _ := policy.NewTimer(sla.TargetResponse, 1, "")
	opened := time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC)
	if _, err := policy.OnState(&timer, "new", opened); err != nil {
		fmt.Println(err)
		return
	}
	timer.Freeze() // the record is saved: its copies now share the timer

	saved := &timer  // the timer of the stored record and of the copies read
	changed := saved // the same timer in the record being changed
	_, err = policy.OnState(changed, "assigned", opened.Add(10*time.Minute))
	fmt.Println("in place:", err)

	events, err := policy.AppendOnStateThaw(nil, &changed, "assigned", opened.Add(10*time.Minute))
	fmt.Println("thawed:", events, err, changed != saved)
	fmt.Println("saved:", saved.Status(), "changed:", changed.Status())
	// Output:
	// in place: sla: the timer is frozen: change a copy (sla.Thaw, Timer.CloneNew)
	// thawed: [stop] <nil> true
	// saved: running changed: stopped
}
