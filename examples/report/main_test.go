package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
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

func TestDownloadsTheReportFromStorageWithoutCredentials(t *testing.T) {
	srv := exampletest.NewFake(t, rceventstest.WithStorageRedirect(), rceventstest.WithReportPolls(1))
	out := filepath.Join(t.TempDir(), "report.csv")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), &stdout, &stderr, config{typ: "registrations", out: out, fake: exampleenv.Fake{Server: srv}}))

	file, err := os.ReadFile(out)
	require.NoError(t, err)
	records, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"Registration ID", "First name", "Last name", "Email", "Ticket ID", "Registered at", "Attended", "Refunded"}, records[0])
	assert.Len(t, records, 1+srv.Fixtures.Registrations)
	assert.Equal(t, srv.Fixtures.RegistrationID, records[1][0])

	assert.Equal(t, 1, srv.Stats().ReportsCreated)
	assert.Equal(t, "Registrations report — Harborview DevCon 2025\n"+strconv.Itoa(len(file))+" bytes written to "+out+"\n", stdout.String())
	assert.Contains(t, stderr.String(), "Requested the registrations report of \"Harborview DevCon 2025\"")

	var storage []rceventstest.Request
	for _, r := range srv.Requests() {
		if r.Storage {
			storage = append(storage, r)
		}
	}
	require.Len(t, storage, 1, "the file comes from the storage origin, in one request")
	assert.Equal(t, 200, storage[0].Status)
	assert.False(t, storage[0].AuthHeader, "the bearer token went to the storage origin")
	t.Log("\n" + stderr.String() + stdout.String())
}

func TestWritesToStdout(t *testing.T) {
	srv := exampletest.NewFake(t, rceventstest.WithReportPolls(0))
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), &stdout, &stderr, config{typ: "summary", event: srv.Fixtures.PastEventID, out: "-", fake: exampleenv.Fake{Server: srv}}))

	assert.True(t, strings.HasPrefix(stdout.String(), "Metric,Value\n"), stdout.String())
	assert.Contains(t, stderr.String(), "Summary report — ")
	assert.Contains(t, stderr.String(), " bytes written to stdout\n")
}

func TestRejectsUnknownTypesBeforeAnyRequest(t *testing.T) {
	srv := exampletest.NewFake(t)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, config{typ: "registration", fake: exampleenv.Fake{Server: srv}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown report type "registration"; valid ones are: all, attendees, attendeeLog,`)
	assert.Contains(t, err.Error(), "registrations, registrants,")
	assert.True(t, strings.HasSuffix(err.Error(), ", engagement"), err.Error())
	assert.Empty(t, srv.Requests())
	assert.Empty(t, stdout.String())
}

func TestAFailedReportEndsTheRunWithoutAFile(t *testing.T) {
	srv := exampletest.NewFake(t, rceventstest.WithReportPolls(0), rceventstest.WithReportFailure(rcevents.ReportTypeRegistrations))
	out := filepath.Join(t.TempDir(), "report.csv")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, config{typ: "registrations", out: out, fake: exampleenv.Fake{Server: srv}})
	require.ErrorIs(t, err, rcevents.ErrReportFailed)
	assert.Regexp(t, `^rcevents: report failed: \S+ has status "failed"; no file written: run again to ask for a new report$`, err.Error())
	assert.NoFileExists(t, out)
	assert.Empty(t, stdout.String())
	for _, r := range srv.Requests() {
		assert.False(t, strings.HasSuffix(r.Path, "/download"), "a download was tried: %s", r.Path)
	}
}
