package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// shellLine is what printEnv may print: a variable exported with a value that needs no
// quoting, variables unset, or a comment.
var shellLine = regexp.MustCompile(`^(export RCEVENTS_[A-Z_]+=[A-Za-z0-9_:/.-]+|unset( RCEVENTS_[A-Z_]+)+|# .*)$`)

// TestPrintEnv runs each credential mode's lines as a shell would, over variables of the
// other mode, and connects rcevents.NewClientFromEnv with what they set.
func TestPrintEnv(t *testing.T) {
	srv := rceventstest.NewServer(rceventstest.WithStorageRedirect())
	defer srv.Close()
	for _, tc := range []struct {
		token bool
		want  map[string]string
	}{
		{false, map[string]string{"RCEVENTS_BASE_URL": srv.URL, "RCEVENTS_CLIENT_ID": srv.ClientID, "RCEVENTS_CLIENT_SECRET": srv.ClientSecret, "RCEVENTS_TOKEN": ""}},
		{true, map[string]string{"RCEVENTS_BASE_URL": srv.URL, "RCEVENTS_CLIENT_ID": "", "RCEVENTS_CLIENT_SECRET": "", "RCEVENTS_TOKEN": srv.Token}},
	} {
		for k := range tc.want {
			t.Setenv(k, "left over")
		}
		var out bytes.Buffer
		printEnv(&out, srv, tc.token)
		for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if !shellLine.MatchString(line) {
				t.Fatalf("token=%v: %q is not a line to paste into a shell", tc.token, line)
			}
			if assignment, ok := strings.CutPrefix(line, "export "); ok {
				name, value, _ := strings.Cut(assignment, "=")
				t.Setenv(name, value)
			} else if names, ok := strings.CutPrefix(line, "unset "); ok {
				for _, name := range strings.Fields(names) {
					t.Setenv(name, "")
				}
			}
		}
		for k, v := range tc.want {
			if got := os.Getenv(k); got != v {
				t.Errorf("token=%v: %s=%q, want %q", tc.token, k, got, v)
			}
		}
		c, err := rcevents.NewClientFromEnv(rcevents.WithHTTPClient(srv.HTTPClient()))
		if err != nil {
			t.Fatalf("token=%v: NewClientFromEnv: %v", tc.token, err)
		}
		if _, err := c.Events.Get(context.Background(), srv.Fixtures.EventID); err != nil {
			t.Errorf("token=%v: Events.Get: %v", tc.token, err)
		}
		if !strings.Contains(out.String(), "# storage origin: "+srv.StorageURL+"\n") {
			t.Errorf("token=%v: no storage origin in\n%s", tc.token, out.String())
		}
	}
}
