package incident_test

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/looplab/fsm"
	"github.com/servicekit/iso20000"
	"github.com/servicekit/iso20000/audit"
	"github.com/servicekit/iso20000/clocktest"
	"github.com/servicekit/iso20000/incident"
	"github.com/servicekit/iso20000/internal/backendtest"
	"github.com/servicekit/iso20000/sla"
	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/memory"
)

func benchPolicy(b *testing.B) *sla.Policy {
	always := sla.AlwaysOpen(time.UTC)
	p, err := sla.NewPolicy(append([]sla.PolicyOption{sla.WithTargets(
		sla.Target{Name: sla.TargetResponse, Priority: 2, Duration: time.Hour, Schedule: always},
		sla.Target{Name: sla.TargetResolution, Priority: 2, Duration: 8 * time.Hour, Schedule: always},
	)}, incident.SLAStops()...)...)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// lifecycle runs open, assign, start, resolve, close: five audited changes.
// With keep non-nil it keeps the five versions there.
func lifecycle(b *testing.B, ctx context.Context, svc *incident.Service, clock *clocktest.Clock, keep *[5]incident.Incident) {
	var v [5]incident.Incident
	var err error
	v[0], err = svc.Open(ctx, agent, incident.OpenInput{Title: "VPN down", Service: "vpn", Impact: incident.Medium, Urgency: incident.High})
	if err != nil {
		b.Fatal(err)
	}
	id := v[0].ID
	clock.Advance(time.Minute)
	if v[1], err = svc.Assign(ctx, agent, id, incident.AssignInput{Group: "network", Assignee: "alice"}); err != nil {
		b.Fatal(err)
	}
	if v[2], err = svc.Start(ctx, agent, id, incident.StepInput{}); err != nil {
		b.Fatal(err)
	}
	clock.Advance(time.Minute)
	if v[3], err = svc.Resolve(ctx, agent, id, incident.ResolveInput{Code: "fixed", Notes: "restarted"}); err != nil {
		b.Fatal(err)
	}
	if v[4], err = svc.Close(ctx, agent, id, incident.StepInput{}); err != nil {
		b.Fatal(err)
	}
	if keep != nil {
		*keep = v
	}
}

// BenchmarkLifecycle measures a full incident lifecycle (five audited,
// versioned changes with SLA clocks) per backend, beside the bare cost of the
// looplab/fsm calls a naive implementation would make for the same five
// transitions (a new FSM per operation, then Event).
func BenchmarkLifecycle(b *testing.B) {
	b.Run("bare-fsm-5-transitions", func(b *testing.B) {
		events := incident.Lifecycle.Events()
		steps := [][2]string{{"new", "assign"}, {"assigned", "start"}, {"in_progress", "resolve"}, {"resolved", "close"}, {"new", "assign"}}
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range steps {
				f := fsm.NewFSM(s[0], events, nil)
				if err := f.Event(context.Background(), s[1]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	// The cost, on this machine, of keeping as much memory as a lifecycle
	// keeps in a store that grows (kept-B/op of the memory variants), with
	// no other work: a heap of pointer-free blocks that only grows, each
	// written once. It is the floor a growing in-memory store cannot go
	// under: where the system is slow to supply memory (page faults on a
	// virtual machine), it is a large part of the lifecycle.
	b.Run("keep-3KB-only", func(b *testing.B) {
		benchKeep(b, 3072)
	})
	b.Run("memory-store-only", func(b *testing.B) {
		benchStoreOnly(b, backendtest.Memory(b))
	})
	// Every lifecycle leaves its incident in the store, so the cost of one
	// grows with the store, that is with b.N. This variant starts a new
	// memory store every 20,000 lifecycles (outside the timing), so that its
	// figure does not depend on how long the benchmark ran.
	b.Run("memory-fresh-every-20k", func(b *testing.B) {
		benchLifecycle(b, func() store.Store { return memory.New() }, 20000, iso20000.AllowAll)
	})
	// The same with a store that never grows past 100 incidents: what a
	// lifecycle costs without the costs of a large, growing heap (marking
	// the records kept, the write barriers while it runs, page faults on
	// fresh memory). The difference from the variant above is those costs.
	b.Run("memory-fresh-every-100", func(b *testing.B) {
		benchLifecycle(b, func() store.Store { return memory.New() }, 100, iso20000.AllowAll)
	})
	// The same with the default authorizer (roles and segregation-of-duties
	// rules) that a service gets without WithAuthorizer.
	b.Run("memory-fresh-every-20k-role-authorizer", func(b *testing.B) {
		benchLifecycle(b, func() store.Store { return memory.New() }, 20000, nil)
	})
	for _, be := range backendtest.All() {
		b.Run(be.Name, func(b *testing.B) {
			benchLifecycle(b, func() store.Store { return be.New(b) }, -1, iso20000.AllowAll)
		})
	}
}

// benchStoreOnly measures the store's own share of a lifecycle: the same
// five units of work (the insert, then four versioned updates with the same
// index keys, each with the same audit entry) replayed straight into st, by
// the calls the workflow engine makes (InsertRef, UpdateRef, AppendAtCommit),
// without authorisation, lifecycle, guards, SLA timers or diff.
func benchStoreOnly(b *testing.B, st store.Store) {
	ctx := context.Background()
	// Record one real lifecycle on a scratch store: its five versions and entries.
	scratch := memory.New()
	clock := clocktest.New(t0)
	svc, err := incident.NewService(scratch, incident.WithClock(clock), incident.WithSLA(benchPolicy(b)),
		incident.WithAuthorizer(iso20000.AllowAll))
	if err != nil {
		b.Fatal(err)
	}
	var versions [5]incident.Incident
	lifecycle(b, ctx, svc, clock, &versions)
	var entries []audit.Entry
	for e, err := range scratch.Trail().Entries(ctx, 1, 0) {
		if err != nil {
			b.Fatal(err)
		}
		e.Seq, e.ID, e.PrevHash, e.Hash = 0, uuid.UUID{}, audit.Hash{}, audit.Hash{}
		entries = append(entries, e)
	}
	if len(entries) != len(versions) {
		b.Fatalf("scratch lifecycle: %d entries", len(entries))
	}
	// Each lifecycle opens two minutes after the one before, as in benchLifecycle,
	// so that its index keys (opened, next deadline) move on the same way.
	base := versions
	b.ReportAllocs()
	for n := 0; b.Loop(); n++ {
		id := uuid.New()
		var version int64
		shift := time.Duration(n) * 2 * time.Minute
		for i := range versions {
			v := &versions[i]
			v.ID = id
			v.OpenedAt = base[i].OpenedAt.Add(shift)
			if !base[i].NextDeadline.IsZero() {
				v.NextDeadline = base[i].NextDeadline.Add(shift)
			}
			err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
				var err error
				if i == 0 {
					version, err = incident.Records.InsertRef(ctx, tx, v)
				} else {
					version, err = incident.Records.UpdateRef(ctx, tx, v, version)
				}
				if err != nil {
					return err
				}
				entries[i].EntityID = id.String()
				return store.AppendAtCommit(ctx, tx, entries[i])
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lifecycles/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(5*b.N), "ns/change")
}

// benchLifecycle measures full lifecycles on a store from newStore, which
// each lifecycle leaves one more incident in. With fresh > 0 it moves to a new
// store (outside the timing) every fresh lifecycles; with fresh < 0 it keeps
// one store for the whole run. authz nil means the service's default
// authorizer.
func benchLifecycle(b *testing.B, newStore func() store.Store, fresh int, authz iso20000.Authorizer) {
	ctx := context.Background()
	clock := clocktest.New(t0)
	var st store.Store
	newService := func() *incident.Service {
		if st != nil {
			st.Close() // drops the records, so that the collector need not mark them
		}
		st = newStore()
		opts := []incident.Option{incident.WithClock(clock), incident.WithSLA(benchPolicy(b))}
		if authz != nil {
			opts = append(opts, incident.WithAuthorizer(authz))
		}
		svc, err := incident.NewService(st, opts...)
		if err != nil {
			b.Fatal(err)
		}
		return svc
	}
	svc := newService()
	b.ReportAllocs()
	n := 0
	// Memory an earlier benchmark freed would otherwise be used again
	// without page faults, for as long as the runtime keeps it: every run
	// starts as a program does, with the memory it grows into new to it.
	debug.FreeOSMemory() // a collection first: the live heap is current
	// The heap the first store's lifecycles keep, measured at its end (its
	// replacement, or the end of the run) by a collection outside the
	// timing, whose CPU time is left out of gc-cpu-ns/op.
	live0, kept, gcForced := liveHeap(), -1.0, 0.0
	measureKept := func() {
		if kept < 0 && n > 0 {
			gc0 := gcCPU()
			runtime.GC()
			kept = (float64(liveHeap()) - float64(live0)) / float64(n)
			gcForced += gcCPU() - gc0
		}
	}
	gc := gcCPU()
	kernel := startKernelUse()
	for b.Loop() {
		if n == fresh {
			b.StopTimer()
			measureKept()
			svc, n = newService(), 0
			b.StartTimer()
		}
		lifecycle(b, ctx, svc, clock, nil)
		n++
	}
	kernel.stop()
	measureKept()
	gc = gcCPU() - gc - gcForced
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lifecycles/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(5*b.N), "ns/change")
	b.ReportMetric(gc*1e9/float64(b.N), "gc-cpu-ns/op")
	if kept >= 0 {
		// Steady where timings are not: every byte kept is memory the
		// collector marks again and again, and, while the store grows,
		// memory the system must supply (page faults).
		b.ReportMetric(kept, "kept-B/op")
	}
	// Whole-process figures, the store changes outside the timing
	// included: page faults are mostly the growing store's.
	kernel.report(b)
}

// benchKeep keeps size bytes of new memory an iteration, written once, and
// reports the page faults and the time in the kernel this costs.
func benchKeep(b *testing.B, size int) {
	var kept [][]byte
	debug.FreeOSMemory() // as in benchLifecycle
	kernel := startKernelUse()
	for b.Loop() {
		buf := make([]byte, size)
		for i := 0; i < len(buf); i += 64 {
			buf[i] = 1
		}
		kept = append(kept, buf)
	}
	kernel.stop()
	kernel.report(b)
	runtime.KeepAlive(kept)
}

// kernelSpan is the process's time in the kernel and its page faults over
// a span of a benchmark (see [kernelUse]): the figures at its start, then,
// once stopped, what the span added.
type kernelSpan struct {
	sys, faults int64
	ok          bool
}

// startKernelUse starts a span.
func startKernelUse() kernelSpan {
	sys, faults, ok := kernelUse()
	return kernelSpan{sys: sys, faults: faults, ok: ok}
}

// stop ends the span.
func (k *kernelSpan) stop() {
	sys, faults, ok := kernelUse()
	k.sys, k.faults, k.ok = sys-k.sys, faults-k.faults, k.ok && ok
}

// report reports the span's figures per iteration as sys-ns/op and
// faults/op, where the system gives them.
func (k *kernelSpan) report(b *testing.B) {
	if k.ok {
		b.ReportMetric(float64(k.sys)/float64(b.N), "sys-ns/op")
		b.ReportMetric(float64(k.faults)/float64(b.N), "faults/op")
	}
}

// liveHeap returns the bytes of the heap objects the last collection found
// live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// gcCPU returns the CPU time the collector has used so far, in seconds, as
// the runtime estimates it (its mark workers, assists and pauses; updated
// at the end of each cycle). Over a run of many cycles it says how much of
// a lifecycle's cost is collection, more steadily than timings do on a
// noisy machine.
func gcCPU() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}
