package incident_test

import (
	"testing"

	"github.com/servicekit/iso20000/internal/backendtest"
)

// TestIncidents runs the incident suite against every backend: memory,
// SQLite, and PostgreSQL when ITSM_POSTGRES_DSN is set (as in CI).
func TestIncidents(t *testing.T) { backendtest.Run(t, runSuite) }
