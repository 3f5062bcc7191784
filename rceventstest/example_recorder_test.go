package rceventstest_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

// A test records what the API answers once, with RCEVENTS_RECORD=1 and credentials in the
// environment, and replays the cassette in every later run. Here the fake stands in for
// the API, so that the example records with no account: its address and credentials are
// options of Client, which a replay needs not, and a test of your own leaves out.
func ExampleNewRecorder() {
	clock := rceventstest.NewClock(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC))
	srv := rceventstest.NewServer(rceventstest.WithRegistrations(5), rceventstest.WithStorageRedirect(), rceventstest.WithClock(clock.Now))
	defer srv.Close()

	rec, err := rceventstest.NewRecorder("testdata/example.cassette") // RCEVENTS_RECORD=1 records, else replays
	if err != nil {
		panic(err)
	}
	c, err := rec.Client(rcevents.WithBaseURL(srv.URL), rcevents.WithClientCredentials(srv.ClientID, srv.ClientSecret))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	// A look-up by an attendee's email: the cassette holds only its pseudonym, and so
	// does the answer when replaying.
	page, err := c.Registrations.List(ctx, srv.Fixtures.EventID, &rcevents.RegistrationListOptions{Email: &rcevents.StringFilter{Eq: "ingrid.kowalski1@cobaltinsure.com"}})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(page.Items), page.Items[0].ID)

	// A report, answered 202 twice and then 200, and its file, from a pre-signed URL.
	report, err := c.Reports.Create(ctx, srv.Fixtures.EventID, rcevents.ReportTypeRegistrations, nil)
	if err != nil {
		panic(err)
	}
	report, err = c.Reports.Wait(ctx, report.ID, rcevents.WithPollInterval(10*time.Millisecond, 10*time.Millisecond))
	if err != nil {
		panic(err)
	}
	var file strings.Builder
	if _, err := c.Reports.Download(ctx, report.ID, &file); err != nil {
		panic(err)
	}
	fmt.Println(report.Ready(), strings.Count(file.String(), "\n"), "lines")

	if err := rec.Close(); err != nil { // when recording, writes the cassette
		panic(err)
	}
	// Output:
	// 1 2enp5ikx10j67
	// true 6 lines
}

// TestExampleCassette checks the cassette ExampleNewRecorder replays, as recorded from
// the fake: no credential, token or signature, no real-looking email, none of the names
// or the phone number of the attendee it looked up.
func TestExampleCassette(t *testing.T) {
	text := readCassette(t, "testdata/example.cassette")
	srv := rceventstest.NewServer() // the example's seed: the same credentials
	srv.Close()
	assert.False(t, strings.Contains(text, srv.ClientSecret), "the client secret")
	assert.False(t, strings.Contains(text, srv.ClientID), "the client ID")
	assert.False(t, regexp.MustCompile(`[0-9a-f]{32}`).MatchString(text), "a token (48 hex digits) or a signature (64)")
	for _, s := range []string{"access_token", "auth/token", "Authorization", "Bearer", "client_secret"} {
		assert.False(t, strings.Contains(text, s), "the cassette holds %q", s)
	}
	assert.Contains(t, text, `"X-Amz-Signature": [`+"\n            \"REDACTED\"")
	assertNoRealEmail(t, text)
	assert.Contains(t, text, `@example.invalid"`)
	lower := strings.ToLower(text)
	for _, s := range []string{"ingrid", "kowalski", "555"} {
		assert.False(t, strings.Contains(lower, s), "the cassette holds %q", s)
	}
}
