package rcevents

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDisplayURL(t *testing.T) {
	const base = "https://api.example.com/v1/events/evt_1/registrations"
	for _, tc := range []struct{ in, want string }{
		{base, base},
		{base + "?page=2&perPage=100", base + "?page=2&perPage=100"},
		{base + "?filter%5Bemail%5D%5Beq%5D=ann%40x.org&page=2&perPage=100", base + "?filter[email][eq]=…&page=2&perPage=100"},
		{base + "?filter[email][eq]=ann@x.org", base + "?filter[email][eq]=…"},
		{base + "?filter%5bemail%5d%5beq%5d=ann", base + "?filter[email][eq]=…"},
		{base + "?filter%5Bemail%5D%5Bin%5D=ann%40x.org%2Cbob%40y.org", base + "?filter[email][in]=…"},
		{base + "?filter[email][in]=ann@x.org,bob@y.org&filter[email][in]=eve@z.org", base + "?filter[email][in]=…&filter[email][in]=…"},
		{
			base + "?filter%5BcreatedAt%5D%5Bgte%5D=2025-06-01T00%3A00%3A00Z&filter%5Bemail%5D%5Beq%5D=a%2Bb%40x.org&filter%5Brefunded%5D%5Beq%5D=false&page=3",
			base + "?filter[createdAt][gte]=…&filter[email][eq]=…&filter[refunded][eq]=…&page=3",
		},
		{base + "?email=ann@x.org&page=1", base + "?email=…&page=1"}, // a parameter the SDK does not send
		{base + "?page=ann%40x.org&perPage=-1", base + "?page=…&perPage=…"},
		{base + "?filter[x]=&debug&&page=", base + "?filter[x]=&debug&&page="},
		{base + "?", base + "?"},
		{base + "?ann%40x.org", base + "?…"},
		{base + "?ann@x.org=1&page=1", base + "?…&page=1"},
		{base + "?filter%zz=ann&filter+x=ann", base + "?…&…"},
		{base + "?a=1;b=ann", base + "?a=…"},
		{base + "?page=1#ann@x.org", base + "?page=1#…"},
		{base + "#", base + "#"},
		{base + "?filter[email][eq]=ann?x=y", base + "?filter[email][eq]=…"},
		{"https://user:pass@api.example.com/v1/x?page=1", "https://api.example.com/v1/x?page=1"},
		{"https://a@b:c@api.example.com:8443/v1/x", "https://api.example.com:8443/v1/x"},
		{"http://127.0.0.1:8080/p/v1/a@b?filter[email][eq]=ann@x.org", "http://127.0.0.1:8080/p/v1/a@b?filter[email][eq]=…"},
		{"user:pass@api.example.com/v1/x", "api.example.com/v1/x"},
		{"", ""},
	} {
		assert.Equal(t, tc.want, displayURL(tc.in), tc.in)
	}
}

// FuzzDisplayURL: what displayURL shows of a URL does not depend on the
// values of its filters, nor on its userinfo: the URL with any values shows
// as the one with "x" in their place (or nothing, for an empty value), and
// without userinfo. A value it shows would make the two differ.
func FuzzDisplayURL(f *testing.F) {
	f.Add("email", "eq", "ann@x.org", "bob@y.org,eve@z.org", 2, uint8(0), "user:pass")
	f.Add("createdAt", "gte", "2025-06-01T00:00:00Z", "", 0, uint8(1), "")
	f.Add("a&b", "c=d", "e#f", "%zz", -1, uint8(2), "u@v")
	f.Add("email", "eq", "…", "x", 10, uint8(2), ":")
	f.Fuzz(func(t *testing.T, field, op, value, value2 string, page int, mode uint8, userinfo string) {
		if strings.ContainsAny(userinfo, "/?#") {
			return // not userinfo: the authority ends there
		}
		if mode%3 == 2 && (strings.ContainsAny(field+op+value+value2, "&#") || strings.Contains(field+op, "=")) {
			return // unescaped, these would change which pairs the query holds
		}
		build := func(v1, v2, userinfo string) string {
			u := "https://"
			if userinfo != "" {
				u += userinfo + "@"
			}
			u += "api.example.com/v1/events/evt_1/registrations?"
			pairs := [][2]string{{"filter[" + field + "][" + op + "]", v1}, {"filter[" + field + "][in]", v2}, {"page", strconv.Itoa(page)}}
			for i, p := range pairs {
				if i > 0 {
					u += "&"
				}
				switch mode % 3 {
				case 0: // as url.Values.Encode writes it
					u += url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1])
				case 1: // brackets unescaped
					u += strings.NewReplacer("%5B", "[", "%5D", "]").Replace(url.QueryEscape(p[0])) + "=" + url.QueryEscape(p[1])
				default: // nothing escaped
					u += p[0] + "=" + p[1]
				}
			}
			return u
		}
		stand := func(v string) string {
			if v == "" {
				return ""
			}
			return "x"
		}
		got := displayURL(build(value, value2, userinfo))
		want := displayURL(build(stand(value), stand(value2), ""))
		if got != want {
			t.Fatalf("a value or the userinfo shows:\n got %q\nwant %q", got, want)
		}
		if page >= 0 && !strings.HasSuffix(got, "&page="+strconv.Itoa(page)) {
			t.Fatalf("the page does not show: %q", got)
		}
	})
}

// TestPersonalDataNeverInErrorsOrLogs: a filter value (an attendee's email,
// a date) does not reach an error, the URL of an *APIError, or a debug log
// line, on any failure path of a filtered list call: an error answer, a
// retried one, a reset connection, an answer that does not decode, a
// redirect loop, the rate limiter, and a walk with All.
func TestPersonalDataNeverInErrorsOrLogs(t *testing.T) {
	const email = "ann.lee@example.org"
	day := time.Date(2031, 7, 4, 5, 6, 7, 0, time.UTC)
	personal := []string{email, url.QueryEscape(email), "ann.lee", "2031-07-04", "05:06:07", "05%3A06%3A07"}

	ts := newTestServer(t)
	var mode sync.Map // path → behaviour
	ts.mux.HandleFunc("/v1/events/{event}/registrations", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, email, r.URL.Query().Get("filter[email][eq]"))
		m, _ := mode.Load(r.PathValue("event"))
		switch m {
		case "422":
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"errors":[{"status":"422","title":"Unprocessable","source":{"parameter":"filter[email][eq]"}}]}`)
		case "503":
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "<html>busy</html>")
		case "reset":
			resetConnection(t, w)
		case "truncated":
			io.WriteString(w, `{"data":[{"id":"`)
		case "loop":
			http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
		}
	})
	for _, m := range []string{"422", "503", "reset", "truncated", "loop"} {
		mode.Store("evt_"+m, m)
	}

	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(WithBaseURL(ts.URL+basePath), WithToken(testToken), WithLogger(logger), fastRetry)
	require.NoError(t, err)
	opts := &RegistrationListOptions{
		ListOptions: ListOptions{PerPage: 50},
		Email:       &StringFilter{Eq: email},
		CreatedAt:   &DateTimeFilter{Gte: day},
	}
	ctx := context.Background()
	var errs []error
	for _, m := range []string{"422", "503", "reset", "truncated", "loop"} {
		_, err := c.Registrations.List(ctx, "evt_"+m, opts)
		require.Error(t, err, m)
		errs = append(errs, err, firstErr(c.Registrations.All(ctx, "evt_"+m, opts)))
	}
	var apiErr *APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, ts.URL+basePath+"/v1/events/evt_422/registrations?filter[createdAt][gte]=…&filter[email][eq]=…&perPage=50", apiErr.URL)

	limited, err := NewClient(WithBaseURL(ts.URL+basePath), WithToken(testToken), WithLogger(logger), WithRateLimit(0.001, 1))
	require.NoError(t, err)
	_, err = limited.Registrations.List(ctx, "evt_truncated", opts)
	require.Error(t, err)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = limited.Registrations.List(short, "evt_truncated", opts) // waiting for the limiter
	require.Error(t, err)
	errs = append(errs, err)

	var shown []string
	for _, err := range errs {
		require.Error(t, err)
		shown = append(shown, printed(err)...)
	}
	logMu.Lock()
	shown = append(shown, logs.String())
	logMu.Unlock()
	for _, s := range shown {
		for _, p := range personal {
			if strings.Contains(s, p) {
				t.Errorf("%q shows in %.400q", p, s)
			}
		}
	}
	assert.Contains(t, logs.String(), `filter[email][eq]=…`)
	t.Logf("FIGURE personal-data errors=%d strings-checked=%d forms-looked-for=%d found=0", len(errs), len(shown), len(personal))
}
