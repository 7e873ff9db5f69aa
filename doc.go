// Package iso20000 is the shared vocabulary of the iso20000 SDK: ISO/IEC 20000
// IT service management (ITSM) process primitives for Go programs.
//
// Go developers embed the SDK in their own tools, service portals and test
// suites so that the workflows they build are compliant by construction:
// every state change follows the process rules, meets its SLA clock and leaves
// tamper-evident audit evidence.
//
// This root package holds only what every process package shares: the [Actor]
// who performs an operation, the [Clock] that tells the time, the
// [Authorizer] that decides whether an actor may act, and the common errors
// ([ErrNotFound], [ErrConflict], [ErrForbidden], [ErrInvalidTransition],
// [ErrValidation]) that callers inspect with errors.Is and errors.As.
//
// # Packages and the clauses of ISO/IEC 20000-1:2018 they serve
//
//	package    clause    process                                  process group (2005/2011 editions)
//	incident   8.6.1     incident management                      resolution processes
//	incident   8.6.2     service request management               resolution processes
//	problem    8.6.3     problem management                       resolution processes
//	change     8.5.1     change management                        control processes
//	release    8.5.3     release and deployment management        release process
//	config     8.2.6     configuration management (CMDB)          control processes
//	sla        8.3.3     service level management                 service delivery processes
//	sla        8.7.1     service availability management          service delivery processes
//	supplier   8.3.4     supplier management                      relationship processes
//	audit      9.2, 10.1 internal audit, nonconformity and the audit trail (evidence)
//	store      -         pluggable storage: memory, SQLite, PostgreSQL
//
// Process packages are independent of each other: they import this package,
// audit, sla and store, and refer to each other's records by ID.
//
// # Conventions
//
// Every mutating call takes a context.Context first and names the [Actor] who
// performs it. Times come from an injected [Clock] and are stored in UTC.
// Construction uses functional options. Bad input returns a clear error and
// changes nothing.
package iso20000
