package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

const sample = "testdata/people.csv"

// sampleStatuses are the statuses of the sample's rows on a first run, by
// line. Line 6 is a person who has a link on the fake already, line 11
// repeats line 2's email in other case, and the failures are an email the
// SDK refuses (8), an empty first name (10), an email the API refuses (13)
// and a row with a field missing (15).
func sampleStatuses() map[int]string {
	return map[int]string{
		2: "created", 3: "created", 4: "created", 5: "created", 6: "exists", 7: "created",
		8: "failed", 9: "created", 10: "failed", 11: "exists", 12: "created", 13: "failed",
		14: "created", 15: "failed", 16: "created", 17: "created", 18: "created", 19: "created",
		20: "created", 21: "created",
	}
}

// rerunStatuses are the statuses of the sample's rows once every link is made.
func rerunStatuses() map[int]string {
	m := sampleStatuses()
	for line, status := range m {
		if status == "created" {
			m[line] = "exists"
		}
	}
	return m
}

func TestCreatesEachPersonsLinkOnce(t *testing.T) {
	srv := exampletest.NewFake(t)
	cfg := config{in: sample, concurrency: 4, fake: exampleenv.Fake{Server: srv}}
	path := "/v1/tickets/" + srv.Fixtures.TicketID + "/magicLinks"

	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, cfg)
	require.EqualError(t, err, "4 of 20 rows have no link: see the error column of the results")
	rows := results(t, stdout.String())
	assert.Equal(t, sampleStatuses(), statuses(t, rows))
	assert.Equal(t, 14, srv.Stats().MagicLinksCreated)
	assert.True(t, strings.HasSuffix(stderr.String(), "20 rows: 14 created, 2 exists, 4 failed, 0 unknown.\n"), stderr.String())
	assert.Equal(t, []string{"GET", "POST × 15"}, requestsTo(srv, path), "one listing, then a create per new person (and the one the API refuses)")

	byLine := map[string][]string{}
	for _, r := range rows {
		byLine[r[0]] = r
	}
	assert.Equal(t, srv.Fixtures.MagicLinkID, byLine["6"][3], "the link the fake had for liam.torres@quillstone.dev")
	assert.Equal(t, byLine["2"][3:5], byLine["11"][3:5], "a repeated email gets the first row's link")
	assert.Equal(t, `rcevents: invalid argument: MagicLinkCreateRequest.Email: is not an email address`, byLine["8"][5])
	assert.Equal(t, "rcevents: invalid argument: MagicLinkCreateRequest.FirstName: is required", byLine["10"][5])
	assert.Contains(t, byLine["13"][5], "rcevents: ensuring a magic link: creating it: rcevents: POST ")
	assert.Contains(t, byLine["13"][5], "422 Unprocessable Entity")
	assert.Equal(t, "the row has 3 fields and the header 4", byLine["15"][5])
	assert.Equal(t, "john.backus@example.com", byLine["15"][1])
	for _, r := range rows {
		if r[2] == "failed" {
			assert.Equal(t, []string{"", ""}, r[3:5], "line %s", r[0])
		} else {
			assert.NotEmpty(t, r[3], "line %s", r[0])
			assert.True(t, strings.HasPrefix(r[4], "https://"), "line %s: %q", r[0], r[4])
			assert.Empty(t, r[5], "line %s", r[0])
		}
	}

	// Each created link is there, for the right person, with the headline.
	link, err := client(t, srv).MagicLinks.Get(context.Background(), byLine["3"][3])
	require.NoError(t, err)
	assert.Equal(t, "grace.hopper@example.com", link.Email)
	assert.Equal(t, "Grace", link.FirstName)
	require.NotNil(t, link.Headline)
	assert.Equal(t, "Rear Admiral, US Navy", *link.Headline)

	// A second run finds every link the first one made or found, and makes
	// none: one listing, nothing else.
	out := filepath.Join(t.TempDir(), "results.csv")
	cfg.out = out
	stdout.Reset()
	stderr.Reset()
	srv.ResetLog()
	require.Error(t, run(context.Background(), &stdout, &stderr, cfg))
	assert.Empty(t, stdout.String(), "the results go to -out")
	file, err := os.ReadFile(out)
	require.NoError(t, err)
	again := results(t, string(file))
	assert.Equal(t, rerunStatuses(), statuses(t, again))
	for i := range rows {
		assert.Equal(t, rows[i][3:5], again[i][3:5], "line %s", rows[i][0])
	}
	assert.Equal(t, 14, srv.Stats().MagicLinksCreated)
	assert.Contains(t, stderr.String(), "20 rows: 0 created, 16 exists, 4 failed, 0 unknown.")
	assert.Equal(t, []string{"GET", "POST"}, requestsTo(srv, path), "the API refuses ops@localhost again")
}

// TestRerunAgainstAFakeOfItsOwn runs the program as its documentation says,
// against a fake it reaches through the RCEVENTS_* variables, as the fake
// server command prints them: twice, and the second run creates nothing.
func TestRerunAgainstAFakeOfItsOwn(t *testing.T) {
	srv := exampletest.NewFake(t)
	t.Setenv("RCEVENTS_BASE_URL", srv.URL)
	t.Setenv("RCEVENTS_CLIENT_ID", srv.ClientID)
	t.Setenv("RCEVENTS_CLIENT_SECRET", srv.ClientSecret)
	for _, want := range []string{"20 rows: 14 created, 2 exists, 4 failed, 0 unknown.", "20 rows: 0 created, 16 exists, 4 failed, 0 unknown."} {
		var stdout, stderr bytes.Buffer
		require.Error(t, run(context.Background(), &stdout, &stderr, config{in: sample, concurrency: 4}))
		assert.Contains(t, stderr.String(), "Using the Events API (rcevents.Client{baseURL: "+srv.URL)
		assert.Contains(t, stderr.String(), `on ticket "General Admission" (`+srv.Fixtures.TicketID+")")
		assert.Contains(t, stderr.String(), want)
	}
	assert.Equal(t, 14, srv.Stats().MagicLinksCreated)
}

// TestCrashAndRerunUnderFaults: the fake loses answers after storing, fails
// and resets requests and answers 429; a first run is cut short after a few
// rows, as by a crash, and a second run, then a third, go through the whole
// input, each with a new client. Each person ends up with exactly one link,
// and the third run creates nothing.
func TestCrashAndRerunUnderFaults(t *testing.T) {
	srv := exampletest.NewFake(t) // the seed whose ticket has a link for line 6
	srv.SetRetryAfter(0)
	srv.SetFaultRate(rceventstest.FaultDropResponse, 0.10)
	srv.SetFaultRate(rceventstest.FaultInternalError, 0.10)
	srv.SetFaultRate(rceventstest.FaultReset, 0.05)
	srv.SetFaultRate(rceventstest.FaultRateLimit, 0.10)
	people, err := readPeople(sample)
	require.NoError(t, err)
	ensure := func(ctx context.Context, cancelAfter int, cancel func()) map[int]string {
		// Each run reaches the fake through a server of its own, whose Close
		// waits for the requests it received: the next run starts, as after
		// a restart, once the fake is done with what a crash left in flight.
		front := httptest.NewServer(srv.Handler())
		defer front.Close()
		// A request fails for good only if 20 attempts in a row fail: 0.35^20.
		c, err := rcevents.NewClient(rcevents.WithBaseURL(front.URL), rcevents.WithToken(srv.Token), rcevents.WithPageConcurrency(4),
			rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 20, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
		require.NoError(t, err)
		got := map[int]string{}
		require.NoError(t, ensureLinks(ctx, c, srv.Fixtures.TicketID, people, func(p person, res rcevents.EnsureResult[rcevents.MagicLink]) error {
			got[p.line] = statusOf(res)
			if len(got) == cancelAfter {
				cancel()
			}
			return nil
		}))
		assert.Len(t, got, len(people), "every row is reported")
		return got
	}

	ctx, cancel := context.WithCancel(context.Background())
	ensure(ctx, 5, cancel)
	got := ensure(context.Background(), 0, nil)
	for line, status := range rerunStatuses() { // the crash made some of the links
		if status == "exists" {
			assert.Contains(t, []string{"created", "exists"}, got[line], "line %d", line)
		} else {
			assert.Equal(t, status, got[line], "line %d", line)
		}
	}
	assert.Equal(t, rerunStatuses(), ensure(context.Background(), 0, nil))
	assert.Equal(t, 14, srv.Stats().MagicLinksCreated, "one link per new person")

	srv.ClearFaults()
	perEmail := map[string]int{}
	for link, err := range client(t, srv).MagicLinks.All(context.Background(), srv.Fixtures.TicketID, nil) {
		require.NoError(t, err)
		perEmail[strings.ToLower(link.Email)]++
	}
	for email, n := range perEmail {
		assert.Equal(t, 1, n, email)
	}
	faults := 0
	for _, r := range srv.Requests() {
		if r.Fault != 0 {
			faults++
		}
	}
	assert.Positive(t, faults)
}

func TestReportsEveryRowTheAPIRefuses(t *testing.T) {
	srv := exampletest.NewFake(t)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, config{
		in: sample, ticket: srv.Fixtures.NoMagicLinkTicketID, concurrency: 8, fake: exampleenv.Fake{Server: srv},
	})
	require.EqualError(t, err, "20 of 20 rows have no link: see the error column of the results")
	for _, r := range results(t, stdout.String()) {
		assert.Equal(t, "failed", r[2], "line %s", r[0])
		assert.NotEmpty(t, r[5], "line %s", r[0])
	}
	assert.Zero(t, srv.Stats().MagicLinksCreated)
	assert.Contains(t, stdout.String(), "Organization does not have Magic links available in current plan")
}

func TestRejectsBadInputBeforeAnyRequest(t *testing.T) {
	srv := exampletest.NewFake(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	for _, tc := range []struct {
		in, want string
	}{
		{"", "-in is required"},
		{filepath.Join(dir, "missing.csv"), "no such file"},
		{write("empty.csv", ""), "is empty"},
		{write("unknown.csv", "email,first_name,last_name,company\n"), `unknown column "company"`},
		{write("short.csv", "email,first_name\n"), `no column "last_name"`},
		{write("twice.csv", "email,first_name,last_name,email\n"), `column "email" appears twice`},
		{write("quote.csv", "email,first_name,last_name\na@example.com,\"A,B\n"), "extraneous or missing"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), &stdout, &stderr, config{in: tc.in, concurrency: 4, fake: exampleenv.Fake{Server: srv}})
		assert.ErrorContains(t, err, tc.want)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, config{in: sample, concurrency: 0, fake: exampleenv.Fake{Server: srv}})
	assert.ErrorContains(t, err, "-concurrency 0")
	assert.Empty(t, srv.Requests())
}

func TestReportsEveryRowWhenInterrupted(t *testing.T) {
	srv := exampletest.NewFake(t)
	people, err := readPeople(sample)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var lines []int
	err = ensureLinks(ctx, client(t, srv), srv.Fixtures.TicketID, people, func(p person, res rcevents.EnsureResult[rcevents.MagicLink]) error {
		lines = append(lines, p.line)
		assert.Equal(t, "failed", statusOf(res), "line %d", p.line)
		if p.problem == "" && p.line != 8 && p.line != 10 { // the SDK refuses 8 and 10 before any request
			assert.ErrorIs(t, res.Err, context.Canceled, "line %d", p.line)
		}
		return nil
	})
	require.NoError(t, err)
	require.Len(t, lines, len(people))
	for i, p := range people {
		assert.Equal(t, p.line, lines[i])
	}
	assert.Zero(t, srv.Stats().MagicLinksCreated)
}

func TestStopsWhenResultsCannotBeWritten(t *testing.T) {
	srv := exampletest.NewFake(t)
	people, err := readPeople(sample)
	require.NoError(t, err)
	full := errors.New("disk full")
	emitted := 0
	err = ensureLinks(context.Background(), client(t, srv), srv.Fixtures.TicketID, people, func(person, rcevents.EnsureResult[rcevents.MagicLink]) error {
		if emitted++; emitted == 3 {
			return full
		}
		return nil
	})
	require.ErrorIs(t, err, full)
	assert.Equal(t, 3, emitted, "nothing is emitted after an error")
}

func TestReadsHeadersInAnyOrder(t *testing.T) {
	in := filepath.Join(t.TempDir(), "people.csv")
	require.NoError(t, os.WriteFile(in, []byte("\ufeffLast_Name, email ,first_name\nDoe,jane@example.com,Jane\n"), 0o600))
	people, err := readPeople(in)
	require.NoError(t, err)
	assert.Equal(t, []person{{line: 2, req: rcevents.MagicLinkCreateRequest{Email: "jane@example.com", FirstName: "Jane", LastName: "Doe"}}}, people)
}

func results(t *testing.T, s string) [][]string {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"line", "email", "status", "magic_link_id", "magic_link", "error"}, records[0])
	return records[1:]
}

// statuses maps the line numbers of rows to their statuses, checking that
// the rows come in the input's order.
func statuses(t *testing.T, rows [][]string) map[int]string {
	t.Helper()
	m := map[int]string{}
	last := 0
	for _, r := range rows {
		line, err := strconv.Atoi(r[0])
		require.NoError(t, err)
		require.Greater(t, line, last, "results out of the input's order")
		last = line
		m[line] = r[2]
	}
	return m
}

func client(t *testing.T, srv *rceventstest.Server, opts ...rcevents.Option) *rcevents.Client {
	t.Helper()
	c, err := rcevents.NewClient(append([]rcevents.Option{rcevents.WithBaseURL(srv.URL), rcevents.WithToken(srv.Token)}, opts...)...)
	require.NoError(t, err)
	return c
}

// requestsTo sums up the log of the requests to path, in order: a method,
// and how many times in a row when more than once.
func requestsTo(srv *rceventstest.Server, path string) []string {
	var out []string
	last, n := "", 0
	flush := func() {
		switch {
		case n == 1:
			out = append(out, last)
		case n > 1:
			out = append(out, fmt.Sprintf("%s × %d", last, n))
		}
	}
	for _, r := range srv.Requests() {
		if r.Path != path {
			continue
		}
		if r.Method != last {
			flush()
			last, n = r.Method, 0
		}
		n++
	}
	flush()
	return out
}
