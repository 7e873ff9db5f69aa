//go:build !unix

package incident_test

// kernelUse is not available on this system (see the unix version).
func kernelUse() (sysNanos, faults int64, ok bool) { return 0, 0, false }
