package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/examples/internal/exampleenv"
	"github.com/rcevents/rcevents-go/examples/internal/exampletest"
	"github.com/rcevents/rcevents-go/rceventstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestExportsEveryRegistrationOnceInOrder(t *testing.T) {
	srv := exampletest.NewFake(t, rceventstest.WithRegistrations(2500))
	out := filepath.Join(t.TempDir(), "registrations.csv")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), &stdout, &stderr, config{
		out: out, concurrency: 8, perPage: 100, fake: exampleenv.Fake{Server: srv},
	}))

	assert.Empty(t, stdout.String(), "the CSV goes to -out")
	records := readCSV(t, out)
	require.Equal(t, header, records[0])
	pages := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/registrations") {
			pages++
		}
	}
	assert.Equal(t, 25, pages, "the pages of the walk and no request to count them")
	assertServed(t, srv, records[1:])
	assert.Contains(t, stderr.String(), "Exporting the registrations of \"Harborview DevCon 2025\"")
	assert.Regexp(t, `(?m)^2500 of 2500 registrations in \S+ \(\d+/s\)$`, stderr.String())
	assert.Contains(t, stderr.String(), "Wrote "+out)
	t.Log("\n" + stderr.String())
}

func TestExportSurvivesFaults(t *testing.T) {
	// The fake's Retry-After is 0 unless set: the client retries at once, keeping the test fast.
	srv := exampletest.NewFake(t, rceventstest.WithRegistrations(1000))
	srv.SetFaultRate(rceventstest.FaultUnavailable, 0.03)
	srv.SetFaultRate(rceventstest.FaultRateLimit, 0.02)
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), &stdout, &stderr, config{
		concurrency: 8, perPage: 25, fake: exampleenv.Fake{Server: srv},
	}))

	records, err := csv.NewReader(&stdout).ReadAll()
	require.NoError(t, err)
	require.Equal(t, header, records[0])
	srv.ClearFaults()
	assertServed(t, srv, records[1:])

	faults := 0
	for _, r := range srv.Requests() {
		if r.Fault != 0 {
			faults++
		}
	}
	assert.Positive(t, faults, "no fault was injected: the test proves nothing")
	t.Logf("%d faults injected", faults)
}

func TestRejectsBadFlags(t *testing.T) {
	srv := exampletest.NewFake(t)
	for _, cfg := range []config{
		{concurrency: 0, perPage: 100},
		{concurrency: 4, perPage: 0},
		{concurrency: 4, perPage: rcevents.MaxPerPage + 1},
	} {
		cfg.fake = exampleenv.Fake{Server: srv}
		var stdout, stderr bytes.Buffer
		assert.Error(t, run(context.Background(), &stdout, &stderr, cfg))
	}
	assert.Empty(t, srv.Requests())
}

func TestLeavesNoFileWhenTheExportFails(t *testing.T) {
	// Page 7 of the walk, after the file was begun, answers 500 on every
	// attempt.
	srv := exampletest.NewFake(t, rceventstest.WithRegistrations(2500))
	srv.OnRequest(func(r rceventstest.Request) {
		if q, _ := url.ParseQuery(r.RawQuery); q.Get("page") == "7" {
			srv.FailNext(1, rceventstest.FaultInternalError)
		}
	})
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, config{
		out: filepath.Join(dir, "out.csv"), concurrency: 1, perPage: 10, fake: exampleenv.Fake{Server: srv},
	})
	require.ErrorIs(t, err, rcevents.ErrServer)
	assert.Contains(t, stderr.String(), "Exporting the registrations")
	assert.Regexp(t, `(?m)^\d+ of 2500 registrations in `, stderr.String())

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "neither the file nor its temporary copy is left")
}

// assertServed checks that records are the registrations of the fake's main
// event, each once, in the order the API serves them.
func assertServed(t *testing.T, srv *rceventstest.Server, records [][]string) {
	t.Helper()
	c, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken(srv.Token))
	require.NoError(t, err)
	var want []string
	for reg, err := range c.Registrations.All(context.Background(), srv.Fixtures.EventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}) {
		require.NoError(t, err)
		want = append(want, reg.ID)
	}
	got := make([]string, len(records))
	seen := make(map[string]bool, len(records))
	for i, rec := range records {
		got[i] = rec[0]
		assert.False(t, seen[rec[0]], "registration %s exported twice", rec[0])
		seen[rec[0]] = true
	}
	require.Len(t, got, srv.Fixtures.Registrations)
	assert.Equal(t, want, got)
	assert.Equal(t, srv.Fixtures.RegistrationID, got[0])
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return records
}
