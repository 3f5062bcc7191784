package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/examples/internal/exampleenv"
	"github.com/rcevents/rcevents-go/examples/internal/exampletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestSubscribes(t *testing.T) {
	srv := exampletest.NewFake(t)
	var stdout, stderr bytes.Buffer
	before := time.Now()
	require.NoError(t, run(context.Background(), &stdout, &stderr, config{
		signals: " attendeeCheckedInToEvent,registrationQRCreated,,attendeeCheckedInToEvent ", expires: 48 * time.Hour,
		fake: exampleenv.Fake{Server: srv},
	}))
	after := time.Now()

	assert.Equal(t, 1, srv.Stats().DataSubscriptionsCreated)
	m := regexp.MustCompile(`^Data subscription (\w+) to "Harborview DevCon 2025" \((\w+)\)
  url:     https://hooks\.example\.com/rcevents
  signals: attendeeCheckedInToEvent,registrationQRCreated
  expires: (\S+)
$`).FindStringSubmatch(stdout.String())
	require.NotNil(t, m, stdout.String())
	assert.Equal(t, srv.Fixtures.EventID, m[2])
	expires, err := time.Parse(time.RFC3339, m[3])
	require.NoError(t, err)
	assert.WithinRange(t, expires, before.Add(48*time.Hour).Truncate(time.Second), after.Add(48*time.Hour))

	var posts int
	for _, r := range srv.Requests() {
		if r.Method == "POST" && r.Path == "/v1/events/"+srv.Fixtures.EventID+"/dataSubscriptions" {
			posts++
			assert.Equal(t, 201, r.Status)
		}
	}
	assert.Equal(t, 1, posts)
	t.Log("\n" + stdout.String())
}

func TestSubscribesToTheDefaultSignals(t *testing.T) {
	srv := exampletest.NewFake(t)
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), &stdout, &stderr, config{
		event: srv.Fixtures.PastEventID, url: "https://example.com/hook", signals: join(defaultSignals), expires: 720 * time.Hour,
		fake: exampleenv.Fake{Server: srv},
	}))
	assert.Contains(t, stdout.String(), "  url:     https://example.com/hook\n")
	assert.Contains(t, stdout.String(), "  signals: attendeeCheckedInToEvent,attendeeCheckedOutFromEvent\n")
	assert.Equal(t, 1, srv.Stats().DataSubscriptionsCreated)
}

func TestRejectsBadFlagsBeforeAnyRequest(t *testing.T) {
	srv := exampletest.NewFake(t)
	for _, tc := range []struct {
		cfg  config
		want string
	}{
		{config{signals: "attendeeCheckedInToEvent,checkIn", expires: time.Hour},
			`-signals: unknown signal "checkIn"; valid ones are: attendance, attendeeCheckedInToEvent, `},
		{config{signals: " , ", expires: time.Hour}, "-signals names no signal"},
		{config{signals: "attendance", expires: 0}, "-expires 0s: want a duration after now"},
		{config{signals: "attendance", expires: -time.Hour}, "-expires -1h0m0s"},
	} {
		tc.cfg.fake = exampleenv.Fake{Server: srv}
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), &stdout, &stderr, tc.cfg)
		assert.ErrorContains(t, err, tc.want)
	}
	assert.Empty(t, srv.Requests())
}

func TestWantsAURLAgainstTheRealAPI(t *testing.T) {
	// Credentials in the environment make the example take the fake for the
	// real API.
	srv := exampletest.NewFake(t)
	t.Setenv("RCEVENTS_TOKEN", srv.Token)
	t.Setenv("RCEVENTS_BASE_URL", srv.URL)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, config{signals: "attendance", expires: time.Hour})
	assert.ErrorContains(t, err, "-url is required against the real API")
	assert.Contains(t, stderr.String(), "Using the Events API")
	assert.Empty(t, srv.Requests())
}

func TestRefusesAURLThatIsNotHTTP(t *testing.T) {
	srv := exampletest.NewFake(t)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), &stdout, &stderr, config{
		url: "ftp://example.com/hook", signals: "attendance", expires: time.Hour, fake: exampleenv.Fake{Server: srv},
	})
	assert.ErrorIs(t, err, rcevents.ErrInvalidArgument)
	assert.Zero(t, srv.Stats().DataSubscriptionsCreated)
	assert.Empty(t, stdout.String())
}
