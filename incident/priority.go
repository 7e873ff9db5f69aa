package incident

import (
	"fmt"
	"strconv"

	"github.com/servicekit/iso20000"
)

// Level grades impact and urgency: 1 is High, 2 Medium, 3 Low.
type Level int

// Impact and urgency levels of the default 3×3 matrix.
const (
	High   Level = 1
	Medium Level = 2
	Low    Level = 3
)

// String returns "high", "medium", "low", or the number for other levels.
func (l Level) String() string {
	switch l {
	case High:
		return "high"
	case Medium:
		return "medium"
	case Low:
		return "low"
	}
	return strconv.Itoa(int(l))
}

// Priority ranks incidents: 1 (P1) is the most urgent.
type Priority int

// String returns "P1", "P2", ...
func (p Priority) String() string { return "P" + strconv.Itoa(int(p)) }

// Matrix derives a priority from impact × urgency. Rows are impact levels
// (index 0 is level 1), columns urgency levels. It is a value, safe to share.
type Matrix [][]Priority

// DefaultMatrix is the common 3×3 matrix:
//
//	impact \ urgency   high  medium  low
//	high                P1     P2     P3
//	medium              P2     P3     P4
//	low                 P3     P4     P5
var DefaultMatrix = Matrix{
	{1, 2, 3},
	{2, 3, 4},
	{3, 4, 5},
}

// Priority returns the priority of impact and urgency, or a
// *iso20000.ValidationError naming the level that is out of range.
func (m Matrix) Priority(impact, urgency Level) (Priority, error) {
	if impact < 1 || int(impact) > len(m) {
		return 0, &iso20000.ValidationError{Field: "impact", Reason: fmt.Sprintf("must be between 1 and %d", len(m))}
	}
	row := m[impact-1]
	if urgency < 1 || int(urgency) > len(row) {
		return 0, &iso20000.ValidationError{Field: "urgency", Reason: fmt.Sprintf("must be between 1 and %d", len(row))}
	}
	return row[urgency-1], nil
}

// Validate reports whether m is usable: non-empty, rectangular, priorities ≥ 1.
func (m Matrix) Validate() error {
	if len(m) == 0 || len(m[0]) == 0 {
		return &iso20000.ValidationError{Field: "matrix", Reason: "must not be empty"}
	}
	for i, row := range m {
		if len(row) != len(m[0]) {
			return &iso20000.ValidationError{Field: fmt.Sprintf("matrix[%d]", i), Reason: "rows must have equal length"}
		}
		for j, p := range row {
			if p < 1 {
				return &iso20000.ValidationError{Field: fmt.Sprintf("matrix[%d][%d]", i, j), Reason: "priority must be at least 1"}
			}
		}
	}
	return nil
}
