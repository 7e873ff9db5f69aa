//go:build unix

package incident_test

import "syscall"

// kernelUse returns the process's time in the kernel so far, in
// nanoseconds, and its minor page faults (pages touched for the first time,
// or again after the runtime returned them to the system). The lifecycle
// benchmarks report both per lifecycle: on a virtual machine a page fault
// may cost from 1.5 to 12 µs depending on the host's load, which moves the
// timings with nothing in the program changed.
func kernelUse() (sysNanos, faults int64, ok bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0, false
	}
	return ru.Stime.Nano(), int64(ru.Minflt), true
}
