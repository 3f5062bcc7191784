package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
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

// TestSecondRunFetchesOnlyTheChanges runs the example against a fake with
// 1,500 registrations: the first sync fetches them all, in 15 pages; the
// second, after two updates and a new registration, fetches those three in
// one request. The copy then holds what the API holds.
func TestSecondRunFetchesOnlyTheChanges(t *testing.T) {
	srv := exampletest.NewFake(t, rceventstest.WithRegistrations(1500))
	db := filepath.Join(t.TempDir(), "copy.db")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), &stdout, &stderr, config{db: db, concurrency: 4, fake: exampleenv.Fake{Server: srv}}))
	t.Log("\n" + stdout.String())

	out := stdout.String()
	assert.Regexp(t, `(?m)^Fetched 1500 registrations \(1500 new, 0 updated\) in \S+; the copy holds 1500\.$`, out)
	assert.Regexp(t, `(?m)^Fetched 3 registrations \(1 new, 2 updated\) in \S+; the copy holds 1501\.$`, out)

	// The requests of each run, split at the writes between them.
	list := "/v1/events/" + srv.Fixtures.EventID + "/registrations"
	var runs [2]int
	run := 0
	for _, r := range srv.Requests() {
		switch {
		case r.Method == http.MethodPatch:
			run = 1
		case r.Method == http.MethodGet && r.Path == list && r.RawQuery != "perPage=2":
			runs[run]++
		}
	}
	assert.Equal(t, [2]int{15, 1}, runs, "list requests of the first and the second run")

	assertCopy(t, srv, db)
}

// TestFailedRunChangesNothing: a sync that fails half way (a page answered
// 500 on every attempt) leaves neither rows nor a cursor; the next run, from
// the same database, makes the whole copy.
func TestFailedRunChangesNothing(t *testing.T) {
	srv := exampletest.NewFake(t, rceventstest.WithRegistrations(1500), rceventstest.WithSeed(3))
	db := filepath.Join(t.TempDir(), "copy.db")
	h := &failAt{base: http.DefaultTransport.(*http.Transport).Clone(), srv: srv, page: "5"}
	t.Cleanup(h.base.CloseIdleConnections)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, config{db: db, concurrency: 1, fake: exampleenv.Fake{Server: srv}, opts: []rcevents.Option{rcevents.WithHTTPClient(&http.Client{Transport: h})}})
	require.ErrorIs(t, err, rcevents.ErrServer)

	conn, err := openCopy(context.Background(), db)
	require.NoError(t, err)
	defer conn.Close()
	var rows, cursors int
	require.NoError(t, conn.QueryRow(`SELECT (SELECT COUNT(*) FROM registrations), (SELECT COUNT(*) FROM sync_cursors)`).Scan(&rows, &cursors))
	assert.Zero(t, rows)
	assert.Zero(t, cursors)

	h.page = ""
	stdout.Reset()
	require.NoError(t, run(context.Background(), &stdout, &stderr, config{db: db, concurrency: 4, fake: exampleenv.Fake{Server: srv}}))
	assert.Regexp(t, `(?m)^Fetched 1500 registrations \(1500 new, 0 updated\)`, stdout.String())
	assertCopy(t, srv, db)
}

// failAt is a transport that answers every request for one page of
// registrations with the fake's 500, retries included.
type failAt struct {
	base *http.Transport
	srv  *rceventstest.Server
	page string
}

func (f *failAt) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.page != "" && r.URL.Query().Get("page") == f.page {
		f.srv.FailNext(1, rceventstest.FaultInternalError)
	}
	return f.base.RoundTrip(r)
}

func TestRejectsBadFlags(t *testing.T) {
	srv := exampletest.NewFake(t)
	var stdout, stderr bytes.Buffer
	assert.Error(t, run(context.Background(), &stdout, &stderr, config{concurrency: 0, fake: exampleenv.Fake{Server: srv}}))
	assert.Empty(t, srv.Requests())
}

// assertCopy checks that the database holds the fake's registrations of
// its main event as the API serves them, and a cursor for them.
func assertCopy(t *testing.T, srv *rceventstest.Server, path string) {
	t.Helper()
	c, err := rcevents.NewClient(rcevents.WithBaseURL(srv.URL), rcevents.WithToken(srv.Token))
	require.NoError(t, err)
	want := map[string]rcevents.Registration{}
	for reg, err := range c.Registrations.All(context.Background(), srv.Fixtures.EventID, &rcevents.RegistrationListOptions{ListOptions: rcevents.ListOptions{PerPage: 100}}) {
		require.NoError(t, err)
		want[reg.ID] = reg
	}

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT id, event_id, email, first_name, last_name, ticket_id, refunded, attended, metadata, created_at, updated_at FROM registrations`)
	require.NoError(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, event, email, first, last, ticket, metadata, created, updated string
		var refunded, attended bool
		require.NoError(t, rows.Scan(&id, &event, &email, &first, &last, &ticket, &refunded, &attended, &metadata, &created, &updated))
		w, ok := want[id]
		if !assert.True(t, ok, "row %s is no registration of the event", id) {
			continue
		}
		n++
		var md map[string]string
		require.NoError(t, json.Unmarshal([]byte(metadata), &md))
		assert.Equal(t, srv.Fixtures.EventID, event)
		assert.Equal(t, []any{w.Email, w.FirstName, w.LastName, w.TicketID, w.Refunded, w.Attended, w.Metadata, utc(w.CreatedAt), utc(w.UpdatedAt)},
			[]any{email, first, last, ticket, refunded, attended, md, created, updated}, "row %s", id)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, len(want), n, "one row per registration")

	var stored string
	require.NoError(t, db.QueryRow(`SELECT cursor FROM sync_cursors WHERE event_id = ?`, srv.Fixtures.EventID).Scan(&stored))
	var cur rcevents.SyncCursor
	require.NoError(t, json.Unmarshal([]byte(stored), &cur))
	assert.Equal(t, "registrations of "+srv.Fixtures.EventID, cur.List)
	assert.False(t, cur.Watermark.IsZero())
}
