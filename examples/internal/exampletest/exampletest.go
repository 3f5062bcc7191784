// Package exampletest holds what the tests of the example programs share:
// running them against a fake of the API whatever the environment of the
// machine running the tests holds.
package exampletest

import (
	"testing"

	"github.com/rcevents/rcevents-go/rceventstest"
)

// NoCredentials clears the RCEVENTS_* variables for the rest of the test, so
// that an example connects to a fake and never to the real API.
func NoCredentials(t testing.TB) {
	t.Helper()
	for _, k := range []string{"RCEVENTS_CLIENT_ID", "RCEVENTS_CLIENT_SECRET", "RCEVENTS_TOKEN", "RCEVENTS_BASE_URL"} {
		t.Setenv(k, "")
	}
}

// NewFake clears the credentials (see NoCredentials) and starts a fake with
// opts, closed when the test ends. The test hands it to the example through
// exampleenv.Fake and looks at what the example did there.
func NewFake(t testing.TB, opts ...rceventstest.Option) *rceventstest.Server {
	t.Helper()
	NoCredentials(t)
	srv := rceventstest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}
