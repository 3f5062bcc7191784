package rcevents

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/rcevents/rcevents-go/internal/redact"
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

	for _, err := range errs {
		require.Error(t, err)
	}
	logMu.Lock()
	shown := assertShowsNone(t, personal, errs, logs.String())
	logMu.Unlock()
	assert.Contains(t, logs.String(), `filter[email][eq]=…`)
	t.Logf("FIGURE personal-data errors=%d strings-checked=%d forms-looked-for=%d found=0", len(errs), len(shown), len(personal))
}

// TestShortSecretsDoNotMangleErrors: a secret shorter than minLooseSecret is
// cut where it stands alone, in any of its escaped forms, and nowhere else,
// so that the rest of an error stays as the server wrote it: a token "a"
// does not take the "a" out of every word, nor break the JSON of the answer.
func TestShortSecretsDoNotMangleErrors(t *testing.T) {
	ts := newTestServer(t, WithToken("a"))
	var body sync.Map
	ts.mux.HandleFunc("/v1/events/{event}", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer a", r.Header.Get("Authorization"))
		b, _ := body.Load(r.PathValue("event"))
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, b.(string))
	})
	for _, tc := range []struct {
		body string
		want *APIError
	}{
		{
			`{"errors":[{"status":"403","title":"Forbidden","detail":"token a is not valid, a bad one (\u0061)","source":{"parameter":"Bearer a"}}]}`,
			&APIError{Errors: []ErrorObject{{
				Status: "403", Title: "Forbidden", Detail: "token [REDACTED] is not valid, [REDACTED] bad one ([REDACTED])",
				Source: &ErrorSource{Parameter: "Bearer [REDACTED]"},
			}}},
		},
		{
			`<p>Bearer a was refused: a token named "a" (&#97;, %61, Bearer+a, a.b, a-b, ab) is not valid</p>`,
			&APIError{Body: `<p>Bearer [REDACTED] was refused: [REDACTED] token named "[REDACTED]" ([REDACTED], [REDACTED], Bearer+[REDACTED], a.b, a-b, ab) is not valid</p>`},
		},
		{
			`{"message":"Bearer \u0061, as sent","path":"\/v1\/events"}`,
			&APIError{Body: `{"message":"Bearer [REDACTED], as sent","path":"\/v1\/events"}`},
		},
	} {
		id := fmt.Sprintf("evt_%d", len(tc.body))
		body.Store(id, tc.body)
		_, err := ts.client.Events.Get(context.Background(), id)
		tc.want.StatusCode, tc.want.Method = http.StatusForbidden, http.MethodGet
		tc.want.URL = ts.URL + basePath + "/v1/events/" + id
		assertAPIError(t, err, tc.want)
	}

	// A short client secret, echoed by the token endpoint.
	const secret = "x1"
	basic := base64.StdEncoding.EncodeToString([]byte("id:" + secret))
	srv := newTokenEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":"secret x1 is wrong; x1x x11 ax1; %s"}`, r.Header.Get("Authorization"))
	})
	c, err := NewClient(WithClientCredentials("id", secret), WithBaseURL(srv.URL), WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	_, err = c.Health(context.Background())
	assertAPIError(t, err, &APIError{
		StatusCode: http.StatusUnauthorized, Method: http.MethodPost, URL: srv.URL + "/v1/auth/token",
		Errors: []ErrorObject{{Code: "invalid_client", Status: "401", Detail: "secret [REDACTED] is wrong; x1x x11 ax1; Basic [REDACTED]"}},
	})
	assertNoSecret(t, err, basic)
}

// newTokenEndpoint starts a server whose token endpoint is h; the API is
// never reached.
func newTokenEndpoint(t *testing.T, h http.HandlerFunc) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/auth/token", h)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("%s reached the API without a token", r.URL.Path)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestSecretsNeverInTransportErrors: a transport (a proxy, a middleware)
// whose error quotes the request's Authorization header or body, and a
// token source whose error names the token it issued before, do not bring a
// secret into the error or the debug log.
func TestSecretsNeverInTransportErrors(t *testing.T) {
	const id, secret = "client-7f3a", "cs-4e1b9d0a2c6f8e3b"
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newTokenEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"at/9c2d7e4f1a8b3c6d","token_type":"Bearer","expires_in":3600}`)
	})
	quoting := func(api bool) *http.Client {
		return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.URL.Path == "/v1/auth/token" && !api {
				b, _ := io.ReadAll(r.Body)
				return nil, fmt.Errorf("proxy refused %q with %s (%s)", r.Header.Get("Authorization"), b, url.QueryEscape(string(b)))
			}
			if r.URL.Path == "/v1/auth/token" {
				return http.DefaultTransport.RoundTrip(r)
			}
			return nil, fmt.Errorf("proxy refused %q (%s)", r.Header.Get("Authorization"), url.QueryEscape(r.Header.Get("Authorization")))
		})}
	}
	retry := WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	var errs []error
	for _, api := range []bool{true, false} {
		for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
			c, err := NewClient(WithClientCredentials(id, secret), WithAuthStyle(style), WithBaseURL(srv.URL),
				WithHTTPClient(quoting(api)), WithLogger(logger), retry)
			require.NoError(t, err)
			_, err = c.Health(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "proxy refused")
			errs = append(errs, err)
		}
	}

	var asked atomic.Int64
	src := tokenSourceFunc(func() (*oauth2.Token, error) {
		if asked.Add(1) == 1 {
			return &oauth2.Token{AccessToken: "src-token-5e6f7a8b"}, nil
		}
		return nil, errors.New("cannot refresh src-token-5e6f7a8b: expired")
	})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) }))
	defer api.Close()
	c, err := NewClient(WithTokenSource(src), WithBaseURL(api.URL), WithLogger(logger), retry)
	require.NoError(t, err)
	_, err = c.Health(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot refresh [REDACTED]: expired")
	errs = append(errs, err)

	secrets := append(echoedSecretForms(id, secret), escapedForms("at/9c2d7e4f1a8b3c6d")...)
	secrets = append(secrets, escapedForms("src-token-5e6f7a8b")...)
	for _, err := range errs {
		assertNoSecret(t, err, secrets...)
	}
	logMu.Lock()
	defer logMu.Unlock()
	for _, s := range secrets {
		assert.NotContains(t, logs.String(), s)
	}
}

// TestCutSecrets: the redactor cuts a secret written through any mix of
// escapes; one shorter than redact.MinLoose only where it stands alone.
func TestCutSecrets(t *testing.T) {
	long, short, key := "at-9c2d7e4f", "ab1", "\U0001F511-key-12345"
	r := &redactor{}
	r.addFixed(long)
	r.addFixed(short)
	r.addFixed(key)
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"nothing here", "nothing here"},
		{"Bearer at-9c2d7e4f", "Bearer [REDACTED]"},
		{"xat-9c2d7e4fx, at-9c2d7e4f.", "x[REDACTED]x, [REDACTED]."}, // long: wherever it is
		{"at-9c2d7e4", "at-9c2d7e4"},
		{`\u0061\u0074\u002d\u0039\u0063\u0032\u0064\u0037\u0065\u0034\u0066`, "[REDACTED]"},
		{`"at\u002D9c2d\u0037e4f"`, `"[REDACTED]"`},
		{"at%2D9c2d%37e4f at%2d9c2d7e4f %61t-9c2d7e4f", "[REDACTED] [REDACTED] [REDACTED]"},
		{"at&#45;9c2d7e4f at&#x2d;9c2d7e4f &#97;t-9c2d7e4f", "[REDACTED] [REDACTED] [REDACTED]"},
		{`\ud83d\udd11-key-12345 &#128273;-key-12345 %F0%9F%94%91-key-12345`, "[REDACTED] [REDACTED] [REDACTED]"},
		{`\ud83d-key-12345 \udd11-key-12345`, `\ud83d-key-12345 \udd11-key-12345`}, // lone surrogates read as nothing
		// Short: only where it stands alone.
		{"ab1", "[REDACTED]"},
		{"ab1 cab1 ab12 ab1. ab1- _ab1 ~ab1 /ab1", "[REDACTED] cab1 ab12 ab1. ab1- _ab1 ~ab1 /ab1"},
		{"ab1+x Bearer+ab1 ab1%20x", "[REDACTED]+x Bearer+[REDACTED] [REDACTED]%20x"},
		{"(ab1) \"ab1\" ab1=x x=ab1&y ab1, ab1;", "([REDACTED]) \"[REDACTED]\" [REDACTED]=x x=[REDACTED]&y [REDACTED], [REDACTED];"},
		{"%61b1 x%61b1 %78ab1 \\nab1 \\u0078ab1 &#120;ab1 a%62%31", "[REDACTED] x%61b1 %78ab1 \\n[REDACTED] \\u0078ab1 &#120;ab1 [REDACTED]"},
		{"ab1%2C ab1%2e ab1\\/ ab1&amp;", "[REDACTED]%2C ab1%2e ab1\\/ [REDACTED]&amp;"},
	} {
		assert.Equal(t, tc.want, r.redact(tc.in), "%q", tc.in)
	}
	s := "unchanged, and not copied"
	assert.Equal(t, unsafeData(s), unsafeData(r.redact(s)))

	// A body's snippet: a secret across its end is cut whole, not left
	// half shown.
	head := strings.Repeat("x", maxErrorSnippet-5) + " "
	assert.Equal(t, head+"[RED…", r.redactSnippet([]byte(head+long+" "+strings.Repeat("y", maxErrorBody))))
	assert.Equal(t, head+"at-9…", r.redactSnippet([]byte(head+"at-9c2d7e4")), "not a secret: the start of one")
}

// unsafeData is where the bytes of s lie, to tell a copy from s itself.
func unsafeData(s string) *byte { return unsafe.StringData(s) }

func TestRedactor(t *testing.T) {
	var nilRedactor *redactor
	assert.Equal(t, "at-1", nilRedactor.redact("at-1"))
	nilRedactor.addToken("x")
	nilRedactor.addFixed("x")

	r := &redactor{}
	r.addClientSecret("client id", "s3cr:et")
	r.addFixed("static-token")
	for i := range maxRememberedTokens + 4 {
		r.addToken(fmt.Sprintf("token-%02d-abcdef", i))
	}
	r.addToken("token-19-abcdef") // known already
	basic := base64.StdEncoding.EncodeToString([]byte("client+id:s3cr%3Aet"))
	assert.Equal(t, "[REDACTED] [REDACTED] [REDACTED]", r.redact("s3cr:et "+basic+" static-token"))
	assert.Equal(t, "token-03-abcdef [REDACTED] [REDACTED]", r.redact("token-03-abcdef token-04-abcdef token-19-abcdef"),
		"the oldest tokens are forgotten, the last maxRememberedTokens kept")
	assert.Len(t, r.values, 3+maxRememberedTokens)

	plain := errors.New("nothing to hide")
	assert.Same(t, plain, r.redactErr(plain))
	assert.Nil(t, r.redactErr(nil))
	err := r.redactErr(fmt.Errorf("dial with static-token: %w", context.Canceled))
	assert.Equal(t, "dial with [REDACTED]: context canceled", err.Error())
	assert.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, errors.Unwrap(err), "the error that holds the secret is not handed out")
	assert.Equal(t, `&rcevents.redactedError{msg:"dial with [REDACTED]: context canceled"}`, fmt.Sprintf("%#v", err))
	assert.Equal(t, "dial with [REDACTED]: context canceled", fmt.Sprintf("%+v", err))
}

// escapeAs writes s with each of its characters as how says, in turn: as
// it is, or escaped as JSON, URLs, forms or HTML do.
func escapeAs(s string, how []byte) string {
	var b strings.Builder
	for i, r := range s {
		h := byte(0)
		if len(how) > 0 {
			h = how[i%len(how)] % 9
		}
		c := string(r)
		switch {
		case h == 1:
			for j := 0; j < len(c); j++ {
				fmt.Fprintf(&b, "%%%02X", c[j])
			}
		case h == 2:
			for j := 0; j < len(c); j++ {
				fmt.Fprintf(&b, "%%%02x", c[j])
			}
		case h == 3:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		case h == 4:
			fmt.Fprintf(&b, "&#%d;", r)
		case h == 5:
			fmt.Fprintf(&b, "&#x%X;", r)
		case h == 6 && strings.ContainsRune(`/"\`, r):
			b.WriteString(`\` + c)
		case h == 7 && r == ' ':
			b.WriteByte('+')
		case h == 8 && strings.ContainsRune(`&<>"'`, r):
			b.WriteString(html.EscapeString(c))
		default:
			b.WriteString(c)
		}
	}
	return b.String()
}

// FuzzRedact writes a secret with its characters escaped in any mix of the
// ways JSON, URLs, forms and HTML escape them, amid any text. A secret of
// redact.MinLoose bytes or more shows nowhere in the output, neither as
// written nor as it is, but where it overlaps a "[REDACTED]" (which could
// spell the start of one with the text after it). A shorter one, standing
// alone between spaces, is cut; between letters, it is left, and so is the
// rest of the text.
func FuzzRedact(f *testing.F) {
	f.Add("at-9c2d7e4f1a8b", "Bearer ", " refused", []byte{0, 1, 3, 4})
	f.Add("s3cr:et/+&<x> \"'", `{"error":"`, `"}`, []byte{2, 5, 6, 7, 8})
	f.Add("a", "token ", ".", []byte{3})
	f.Add("\U0001F511k", "%", "&", []byte{1, 3, 4})
	f.Fuzz(func(t *testing.T, secret, before, after string, how []byte) {
		if secret == "" || !utf8.ValidString(secret) || strings.ContainsAny(secret, "[]") {
			return
		}
		echo := escapeAs(secret, how)
		cutSecrets := func(s string) string { return redact.New(secret, redacted).Replace(s) }
		if len(secret) < redact.MinLoose {
			if !strings.Contains(secret, " ") {
				if got := cutSecrets(" " + echo + " "); got != " [REDACTED] " {
					t.Fatalf("%q standing alone as %q: got %q", secret, echo, got)
				}
			}
			if word := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/"; strings.IndexByte(word, secret[0]) >= 0 && strings.IndexByte(word, secret[len(secret)-1]) >= 0 {
				if in := "x" + echo + "x"; cutSecrets(in) != in {
					t.Fatalf("%q within a word as %q: got %q", secret, echo, cutSecrets(in))
				}
			}
			return
		}
		out := cutSecrets(before + echo + after)
		for _, s := range []string{secret, echo} {
			for i := 0; ; {
				j := strings.Index(out[i:], s)
				if j < 0 {
					break
				}
				if !overlapsMarker(out, i+j, i+j+len(s)) {
					t.Fatalf("%q shows in %q", s, out)
				}
				i += j + 1
			}
		}
	})
}

// overlapsMarker reports whether out[from:to] overlaps a "[REDACTED]".
func overlapsMarker(out string, from, to int) bool {
	for i := 0; ; {
		j := strings.Index(out[i:], redacted)
		if j < 0 {
			return false
		}
		if start := i + j; start < to && start+len(redacted) > from {
			return true
		}
		i += j + 1
	}
}

// TestPersonalValuesOfACallAreCut: the values a call marks with withPersonal
// are cut from its errors as the client's secrets are, in the forms a
// server echoes, and from no other call's.
func TestPersonalValuesOfACallAreCut(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/x", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"errors":[{"detail":"zoe.lee@example.org and Zo\u00eb Lee exist: zoe.lee%40example.org"}]}`)
	})
	err := ts.client.Do(context.Background(), http.MethodGet, "/v1/x", nil, nil, withPersonal("zoe.lee@example.org", "Zoë Lee"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "zoe.lee")
	assert.NotContains(t, err.Error(), "Lee")
	assert.Contains(t, err.Error(), redacted)

	err = ts.client.Do(context.Background(), http.MethodGet, "/v1/x", nil, nil)
	assert.Contains(t, err.Error(), "zoe.lee@example.org", "another call's values are its own")
}

// benchRedactor is a client's redactor as a long-running client has it
// (the client secret, its Basic credential, the last 16 tokens fetched),
// with a call's personal values (an email and a name).
func benchRedactor() *redactor {
	r := &redactor{}
	r.addClientSecret("client-7f3a", "cs-4e1b9d0a2c6f8e3b")
	for i := range maxRememberedTokens {
		r.addToken(fmt.Sprintf("at-9c2d7e4f1a8b3c6d-%02d", i))
	}
	return r.with([]string{"zoe.lee@example.org", "Zoë Lee"})
}

// BenchmarkRedactError is the cost of the redaction of one error answer:
// its *APIError built by the pipeline's newAPIError with the redactor of
// benchRedactor, or one URL shown. The answers: a JSON:API 422 that echoes
// the email and the name (JSON-escaped), a 2 KiB gateway page that holds
// nothing to cut, and a crafted JSON:API answer whose 64 KiB detail
// repeats, \u-escaped once decoded, the prefix the 16 tokens share. "none" is the same 422 built without a
// redactor: the floor.
func BenchmarkRedactError(b *testing.B) {
	answers := map[string]string{
		"json422": `{"errors":[{"status":"422","title":"Unprocessable Entity","detail":"zoe.lee\u0040example.org is taken by Zo\u00eb Lee (registration reg_7d1)","source":{"pointer":"/data/attributes/email"}}]}`,
		"html502": "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>The upstream server did not answer in time; try again later.</p>\n", 30) + "</body></html>",
		"crafted": `{"errors":[{"detail":` + strconv.Quote(strings.Repeat(escapeAs("at-9c2d7e4f1a8b3c6d-", []byte{3})+" ", 64<<10/121)) + `}]}`,
	}
	now := time.Now()
	for _, name := range []string{"json422", "html502", "crafted"} {
		body := answers[name]
		b.Run("answer="+name, func(b *testing.B) {
			r := benchRedactor()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				resp := &http.Response{StatusCode: 422, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
				_ = newAPIError(resp, http.MethodPost, "https://api.events.ringcentral.com/v1/events/evt_1/registrations", now, r)
			}
		})
	}
	b.Run("answer=none", func(b *testing.B) {
		body := answers["json422"]
		for b.Loop() {
			resp := &http.Response{StatusCode: 422, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
			_ = newAPIError(resp, http.MethodPost, "https://api.events.ringcentral.com/v1/events/evt_1/registrations", now, nil)
		}
	})
	b.Run("answer=url", func(b *testing.B) {
		r := benchRedactor()
		const u = "https://api.events.ringcentral.com/v1/events/evt_1/registrations?filter%5Bemail%5D%5Beq%5D=zoe.lee%40example.org&page=2&perPage=100"
		for b.Loop() {
			_ = r.redact(displayURL(u))
		}
	})
}

// personalForms are the ways an answer may repeat a personal value s: those
// of escapedForms, and JSON with only the runes past ASCII escaped (as
// Python's json.dumps writes), HTML with hex and named character
// references; for an email, the same of it in upper and in lower case.
func personalForms(s string) []string {
	variants := []string{s}
	if strings.Contains(s, "@") {
		variants = append(variants, strings.ToUpper(s), strings.ToLower(s))
	}
	var forms []string
	for _, v := range variants {
		var py, hex strings.Builder
		for _, r := range v {
			if r < utf8.RuneSelf {
				py.WriteRune(r)
			} else {
				fmt.Fprintf(&py, `\u%04x`, r)
			}
			fmt.Fprintf(&hex, "&#x%X;", r)
		}
		named := strings.NewReplacer("@", "&commat;", ".", "&period;", "+", "&plus;", "ë", "&euml;").Replace(v)
		forms = append(append(forms, escapedForms(v)...), py.String(), hex.String(), named)
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// TestPersonalDataOfWritesNeverInErrors: the email and names a write was
// given are cut from its errors and the debug log, in every form the answer
// repeats them in, whether the answer is a JSON:API error (decoded field
// for field) or a gateway's page (APIError.Body), and from a transport
// error that quotes the request's body; another email, which the call was
// not given, is left.
func TestPersonalDataOfWritesNeverInErrors(t *testing.T) {
	const email, first, last = "Zoe.Lee+events@Example.org", "Zoë", "Lee-Åkesson"
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		personal []string
		call     func(c *Client) error
	}{
		{"Registrations.Create", []string{email, first, last}, func(c *Client) error {
			_, err := c.Registrations.Create(ctx, "evt_1", &RegistrationCreateRequest{Email: email, FirstName: first, LastName: last})
			return err
		}},
		{"Registrations.Update", []string{first, last}, func(c *Client) error {
			_, err := c.Registrations.Update(ctx, "reg_1", &RegistrationUpdateRequest{FirstName: first, LastName: last})
			return err
		}},
		{"MagicLinks.Create", []string{email, first, last}, func(c *Client) error {
			_, err := c.MagicLinks.Create(ctx, "tkt_1", &MagicLinkCreateRequest{Email: email, FirstName: first, LastName: last})
			return err
		}},
		{"MagicLinks.CreateLegacy", []string{email, first, last}, func(c *Client) error {
			_, err := c.MagicLinks.CreateLegacy(ctx, &LegacyMagicLinkRequest{TicketID: "tkt_1", Email: email, FirstName: first, LastName: last})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var forms []string
			for _, p := range tc.personal {
				forms = append(forms, personalForms(p)...)
			}
			var gateway atomic.Bool
			var logs bytes.Buffer
			var logMu sync.Mutex
			logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
			ts := newTestServer(t, WithLogger(logger))
			ts.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				if gateway.Load() {
					w.WriteHeader(http.StatusBadGateway)
					io.WriteString(w, "<p>"+strings.Join(forms, "</p><p>")+"</p>")
					return
				}
				w.WriteHeader(http.StatusUnprocessableEntity)
				json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
					"status": "422", "title": forms[0], "detail": strings.Join(forms, " | ") + " | ann@example.org",
					"source": map[string]string{"pointer": "/data/attributes/email"},
				}}})
			})
			err := tc.call(ts.client)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, []ErrorObject{{
				Status: "422", Title: redacted, Detail: strings.Repeat(redacted+" | ", len(forms)) + "ann@example.org",
				Source: &ErrorSource{Pointer: "/data/attributes/email"},
			}}, apiErr.Errors)

			gateway.Store(true)
			err2 := tc.call(ts.client)
			require.ErrorAs(t, err2, &apiErr)
			assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
			assert.True(t, strings.HasPrefix(apiErr.Body, "<p>"+redacted+"</p><p>"+redacted+"</p>"), apiErr.Body)

			quoting, err := NewClient(WithBaseURL(ts.URL+basePath), WithToken(testToken), WithLogger(logger), WithRetry(RetryPolicy{MaxAttempts: 1}),
				WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					b, _ := io.ReadAll(r.Body)
					return nil, fmt.Errorf("proxy refused %s", b)
				})}))
			require.NoError(t, err)
			err3 := tc.call(quoting)
			assert.Contains(t, err3.Error(), "proxy refused {")
			logMu.Lock()
			defer logMu.Unlock()
			assert.Contains(t, logs.String(), "proxy refused {")
			shown := assertShowsNone(t, forms, []error{err, err2, err3}, logs.String())
			t.Logf("FIGURE personal-writes %s errors=3 strings-checked=%d forms-looked-for=%d found=0", tc.name, len(shown), len(forms))
		})
	}
}

// TestDoCutsItsQueryAndBodyEmails: Do takes the values of its query (but a
// page number) and the email addresses in its body for personal data: an
// answer that repeats them, in any form, shows none of them in the error
// or the debug log, while the page number and the body's other text show.
func TestDoCutsItsQueryAndBodyEmails(t *testing.T) {
	const email, other, name = "Zoe.Lee+events@Example.org", "ann.b@example.net", "Zoë"
	var forms []string
	for _, p := range []string{email, other, name} {
		forms = append(forms, personalForms(p)...)
	}
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/things", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/things", url.Values{"filter[email][eq]": {email}, "filter[name][eq]": {name}, "page": {"2"}})
		assertBody(t, r, `{"attendee":{"email":"Zoe.Lee+events@Example.org","note":"or write to <ann.b@example.net>, page 2"}}`)
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"detail": strings.Join(forms, " | ") + " | page 2 of the note"}}})
	})
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(WithBaseURL(ts.URL+basePath), WithToken(testToken), WithLogger(logger), WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	query := url.Values{"filter[email][eq]": {email}, "filter[name][eq]": {name}, "page": {"2"}}.Encode()
	body := map[string]any{"attendee": map[string]string{"email": email, "note": "or write to <" + other + ">, page 2"}}
	err = c.Do(context.Background(), http.MethodPost, "/v1/things?"+query, body, nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, []ErrorObject{{Detail: strings.Repeat(redacted+" | ", len(forms)) + "page 2 of the note"}}, apiErr.Errors)
	assert.Equal(t, ts.URL+basePath+"/v1/things?filter[email][eq]=…&filter[name][eq]=…&page=2", apiErr.URL)
	logMu.Lock()
	defer logMu.Unlock()
	shown := assertShowsNone(t, forms, []error{err}, logs.String())
	assert.Contains(t, logs.String(), `"status":422`)
	t.Logf("FIGURE personal-do errors=1 strings-checked=%d forms-looked-for=%d found=0", len(shown), len(forms))
}

// TestListFilterValuesAreCut: a typed list's filter values are personal
// data too, as they are in Do's query: an answer that repeats them shows
// none of them in the error, while the page number shows.
func TestListFilterValuesAreCut(t *testing.T) {
	const email, other = "Zoe.Lee+events@Example.org", "ann.b@example.net"
	var forms []string
	for _, p := range []string{email, other} {
		forms = append(forms, personalForms(p)...)
	}
	ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
	ts.mux.HandleFunc("/v1/events/evt_1/registrations", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_1/registrations", url.Values{"filter[email][in]": {email + "," + other}, "page": {"3"}})
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"detail": strings.Join(forms, " | ") + " | page 3"}}})
	})
	opts := &RegistrationListOptions{ListOptions: ListOptions{Page: 3}, Email: &StringFilter{In: []string{email, other}}}
	_, err := ts.client.Registrations.List(context.Background(), "evt_1", opts)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, []ErrorObject{{Detail: strings.Repeat(redacted+" | ", len(forms)) + "page 3"}}, apiErr.Errors)
	assertShowsNone(t, forms, []error{err}, "")
}

// TestValidationErrorsHoldNoPersonalData: a write refused before any
// request for a malformed email, or a filter with one, names the field at
// fault and not the value.
func TestValidationErrorsHoldNoPersonalData(t *testing.T) {
	const bad = "Zoë Lee <zoe.lee@example.org>"
	ts := newTestServer(t)
	ctx := context.Background()
	_, err1 := ts.client.Registrations.Create(ctx, "evt_1", &RegistrationCreateRequest{Email: bad, FirstName: "Zoë", LastName: "Lee"})
	_, err2 := ts.client.MagicLinks.Create(ctx, "tkt_1", &MagicLinkCreateRequest{Email: bad, FirstName: "Zoë", LastName: "Lee"})
	_, err3 := ts.client.Registrations.List(ctx, "evt_1", &RegistrationListOptions{Email: &StringFilter{In: []string{"ann@example.org", bad}}})
	for _, err := range []error{err1, err2, err3} {
		require.ErrorIs(t, err, ErrInvalidArgument)
	}
	assert.EqualError(t, err1, "rcevents: invalid argument: RegistrationCreateRequest.Email: is not an email address")
	assert.EqualError(t, err2, "rcevents: invalid argument: MagicLinkCreateRequest.Email: is not an email address")
	assert.Contains(t, err3.Error(), "value 1 is not an email address")
	assertShowsNone(t, append(personalForms("zoe.lee@example.org"), "Zoë", "ann@"), []error{err1, err2, err3})
	assert.Zero(t, ts.requests.Load())
}
