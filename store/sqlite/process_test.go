package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/servicekit/iso20000/store"
	"github.com/servicekit/iso20000/store/sqlite"
)

// The environment variables that make the test binary a writer process of
// TestProcesses.
const (
	envWriterDB = "ITSM_SQLITE_WRITER_DB"
	envWriterN  = "ITSM_SQLITE_WRITER_N"
	envWriterID = "ITSM_SQLITE_WRITER_ID"
)

// TestMain runs the writer of TestProcesses when the environment asks for
// it, and the tests otherwise.
func TestMain(m *testing.M) {
	if path := os.Getenv(envWriterDB); path != "" {
		if err := writerProcess(path, os.Getenv(envWriterID), os.Getenv(envWriterN)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// writerProcess opens the store at path and commits n units of work, each
// numbering a record, inserting it and appending its audit entry.
func writerProcess(path, id, count string) error {
	n, err := strconv.Atoi(count)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	for range n {
		err := st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
			num, err := tx.NextNumber(ctx, "ticket")
			if err != nil {
				return err
			}
			tk := ticket{ID: fmt.Sprintf("T-%d", num), Owner: id, Created: t0}
			if _, err := tickets.Insert(ctx, tx, tk); err != nil {
				return err
			}
			_, err = tx.Append(ctx, entry("ticket.create"))
			return err
		})
		if err != nil {
			return fmt.Errorf("writer %s: %w", id, err)
		}
	}
	return nil
}

// TestProcesses writes to one file from three processes at once: every
// unit of work commits (none fails on a lock), the counter gives each
// number once, and the trail is one chain holding every entry.
func TestProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	openAt(t, path) // creates the schema before the writers start
	const procs, each = 3, 40
	cmds := make([]*exec.Cmd, procs)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envWriterDB+"="+path, envWriterID+"="+strconv.Itoa(i), envWriterN+"="+strconv.Itoa(each))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	st := openAt(t, path)
	verify(t, st, procs*each)
	for num := 1; num <= procs*each; num++ {
		if _, err := getTicket(st, fmt.Sprintf("T-%d", num)); err != nil {
			t.Fatalf("record %d: %v", num, err)
		}
	}
}
