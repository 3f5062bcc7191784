package rcevents

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func TestNewClientCredentialModes(t *testing.T) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})
	for _, tc := range []struct {
		name string
		opts []Option
		err  string // "" for success
	}{
		{"client credentials", []Option{WithClientCredentials("id", "secret")}, ""},
		{"token", []Option{WithToken("tok")}, ""},
		{"token source", []Option{WithTokenSource(ts)}, ""},
		{"none", nil, "credentials: none given"},
		{"two", []Option{WithToken("tok"), WithClientCredentials("id", "secret")}, "credentials: WithToken and WithClientCredentials given together"},
		{"three", []Option{WithTokenSource(ts), WithToken("tok"), WithClientCredentials("id", "secret")}, "WithTokenSource and WithToken and WithClientCredentials given together"},
		{"empty id", []Option{WithClientCredentials("", "secret")}, "WithClientCredentials: client ID is empty"},
		{"empty secret", []Option{WithClientCredentials("id", "")}, "WithClientCredentials: client secret is empty"},
		{"empty token", []Option{WithToken("")}, "WithToken: token is empty"},
		{"nil source", []Option{WithTokenSource(nil)}, "WithTokenSource: token source is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(tc.opts...)
			if tc.err == "" {
				require.NoError(t, err)
				assert.NotNil(t, c.Events)
				return
			}
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.err)
			assert.Nil(t, c)
		})
	}
}

func TestNewClientBaseURL(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "https://api.events.ringcentral.com", want: "https://api.events.ringcentral.com"},
		{in: "https://api.events.ringcentral.com/", want: "https://api.events.ringcentral.com"},
		{in: "https://gw.example.com/events-api/", want: "https://gw.example.com/events-api"},
		{in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{in: "http://localhost:8080/prefix", want: "http://localhost:8080/prefix"},
		{in: "http://[::1]:9000", want: "http://[::1]:9000"},
		{in: "http://api.events.ringcentral.com", err: "must be https unless its host is loopback"},
		{in: "http://10.0.0.1", err: "must be https unless its host is loopback"},
		{in: "ftp://example.com", err: "not an absolute http(s) URL"},
		{in: "api.events.ringcentral.com", err: "not an absolute http(s) URL"},
		{in: "https://user:pass@example.com", err: "must not carry credentials"},
		{in: "https://example.com/?x=1", err: "must not have a query or fragment"},
		{in: "https://example.com/?", err: "must not have a query or fragment"},
		{in: "https://example.com?", err: "must not have a query or fragment"},
		{in: "https://example.com/#", err: "must not have a query or fragment"},
		{in: "https://example.com#", err: "must not have a query or fragment"},
		{in: "https://exa mple.com", err: "WithBaseURL"},
		// url.Parse quotes the whole URL in its error: the password must not follow.
		{in: "https://user:pass%zz@example.com", err: "must not carry credentials"},
		{in: "https://user:pass@exa mple.com", err: "must not carry credentials"},
		{in: "user:pass@example.com", err: "must not carry credentials"},
		{in: "https://:pass@example.com/x?y#z", err: "must not carry credentials"},
		// The version is the SDK's to add: kept, every call would go to /v1/v1/….
		{in: "https://api.events.ringcentral.com/v1", err: "WithBaseURL: ends in the API version /v1: leave it out (https://api.events.ringcentral.com), the SDK adds it to every path"},
		{in: "https://api.events.ringcentral.com/v1/", err: "leave it out (https://api.events.ringcentral.com)"},
		{in: "https://gw.example.com/events-api/V1", err: "leave it out (https://gw.example.com/events-api)"},
		{in: "http://127.0.0.1:8080/v1//", err: "leave it out (http://127.0.0.1:8080)"},
		{in: "https://gw.example.com/v1/events-api", want: "https://gw.example.com/v1/events-api"},
		{in: "https://gw.example.com/v10", want: "https://gw.example.com/v10"},
	} {
		c, err := NewClient(WithToken("tok"), WithBaseURL(tc.in))
		if tc.err != "" {
			require.ErrorIs(t, err, ErrInvalidArgument, tc.in)
			assert.Contains(t, err.Error(), tc.err, tc.in)
			assert.NotContains(t, err.Error(), "pass", tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, c.base, tc.in)
	}
}

func TestNewClientOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		opt Option
		err string
	}{
		{WithPageConcurrency(0), "WithPageConcurrency"},
		{WithRateLimit(-1, 1), "WithRateLimit"},
		{WithRateLimit(5, 0), "WithRateLimit"},
		{WithRetry(RetryPolicy{MaxAttempts: -1}), "WithRetry"},
		{WithUserAgent("app/1\r\nX-Evil: 1"), "WithUserAgent"},
		{WithPageConcurrency(MaxPageConcurrency + 1), "WithPageConcurrency: must be at most 32"},
		{WithPageConcurrency(math.MaxInt), "WithPageConcurrency: must be at most 32"},
		{WithRateLimit(math.NaN(), 1), "WithRateLimit"},
		{WithRateLimit(math.Inf(1), 1), "WithRateLimit"},
		{WithRateLimit(math.Inf(-1), 1), "WithRateLimit"},
		{WithUserAgent("app/1\x00"), "WithUserAgent: must not contain control characters"},
		{WithUserAgent("app/1\n"), "WithUserAgent: must not contain control characters"},
		{WithUserAgent("app\t1"), "WithUserAgent: must not contain control characters"},
		{WithUserAgent("app/1\x7f"), "WithUserAgent: must not contain control characters"},
	} {
		c, err := NewClient(WithToken("tok"), tc.opt)
		require.ErrorIs(t, err, ErrInvalidArgument, tc.err)
		assert.Contains(t, err.Error(), tc.err)
		assert.Nil(t, c)
	}
	for _, tok := range []string{"tok-4f1c\x00", "tok-4f1c\r\nX-Evil: 1", "\ntok-4f1c", "tok-4f1c\x7f", "tok\t4f1c"} {
		_, err := NewClient(WithToken(tok))
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", tok)
		assert.Contains(t, err.Error(), "WithToken: must not contain control characters")
		assert.NotContains(t, err.Error(), "4f1c", "the error shows the token")
	}
	c, err := NewClient(WithToken("tok"), WithPageConcurrency(MaxPageConcurrency), WithRateLimit(10, 1), WithUserAgent("app/1 (é)"))
	require.NoError(t, err)
	assert.Equal(t, MaxPageConcurrency, c.pageConcurrency)
}

// TestWithTimeout: zero is the default bound, a negative duration no bound.
func TestWithTimeout(t *testing.T) {
	for _, tc := range []struct {
		opt  Option
		want time.Duration
	}{
		{nil, DefaultTimeout},
		{WithTimeout(0), DefaultTimeout},
		{WithTimeout(5 * time.Second), 5 * time.Second},
		{WithTimeout(-1), -1},
	} {
		c, err := NewClient(WithToken("tok"), tc.opt)
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.timeout)
	}
}

func TestNewClientFromEnv(t *testing.T) {
	t.Setenv("RCEVENTS_CLIENT_ID", "")
	t.Setenv("RCEVENTS_CLIENT_SECRET", "")
	t.Setenv("RCEVENTS_TOKEN", "env-token")
	t.Setenv("RCEVENTS_BASE_URL", "http://127.0.0.1:1/prefix/")
	c, err := NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:1/prefix", c.base)
	assert.Equal(t, "token", c.mode)

	t.Setenv("RCEVENTS_CLIENT_ID", "id")
	t.Setenv("RCEVENTS_CLIENT_SECRET", "sekrit-value")
	_, err = NewClientFromEnv()
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Contains(t, err.Error(), "RCEVENTS_CLIENT_ID/RCEVENTS_CLIENT_SECRET and RCEVENTS_TOKEN given together")

	t.Setenv("RCEVENTS_TOKEN", "")
	c, err = NewClientFromEnv(WithBaseURL("http://localhost:2"))
	require.NoError(t, err)
	assert.Equal(t, "client credentials", c.mode)
	assert.Equal(t, "http://localhost:2", c.base)

	t.Setenv("RCEVENTS_CLIENT_ID", "")
	t.Setenv("RCEVENTS_CLIENT_SECRET", "")
	_, err = NewClientFromEnv()
	assert.ErrorContains(t, err, "none given")
}

// TestNewClientFromEnvErrors: errors name the environment variable at
// fault, not the option it becomes, say "rcevents:" once, and show no
// credential; an option given to NewClientFromEnv is still named as such.
func TestNewClientFromEnvErrors(t *testing.T) {
	for _, tc := range []struct {
		name, id, secret, token, base string
		opts                          []Option
		err                           string
	}{
		{name: "none", err: "credentials: none given: set RCEVENTS_CLIENT_ID and RCEVENTS_CLIENT_SECRET, or RCEVENTS_TOKEN"},
		{name: "both", id: "id", secret: "sekrit-1f2e", token: "tok-1f2e",
			err: "credentials: RCEVENTS_CLIENT_ID/RCEVENTS_CLIENT_SECRET and RCEVENTS_TOKEN given together"},
		{name: "no secret", id: "id", err: "RCEVENTS_CLIENT_SECRET: client secret is empty"},
		{name: "no id", secret: "sekrit-1f2e", err: "RCEVENTS_CLIENT_ID: client ID is empty"},
		{name: "token with a line break", token: "tok-1f2e\r\n", err: "RCEVENTS_TOKEN: must not contain control characters"},
		{name: "http base URL", token: "tok", base: "http://example.com", err: "RCEVENTS_BASE_URL: must be https unless its host is loopback"},
		{name: "base URL with a password", token: "tok", base: "https://me:sekrit-1f2e@example.com", err: "RCEVENTS_BASE_URL: must not carry credentials"},
		{name: "unparsable base URL with a password", token: "tok", base: "https://me:sekrit-1f2e%zz@example.com", err: "RCEVENTS_BASE_URL: must not carry credentials"},
		{name: "unparsable base URL", token: "tok", base: "https://exa mple.com", err: "RCEVENTS_BASE_URL: parse"},
		{name: "base URL with a query", token: "tok", base: "https://example.com/?token=sekrit-1f2e", err: "RCEVENTS_BASE_URL: must not have a query or fragment"},
		{name: "option after the environment", token: "tok", opts: []Option{WithBaseURL("http://example.com")},
			err: "WithBaseURL: must be https unless its host is loopback"},
		{name: "option and environment credentials", token: "tok-1f2e", opts: []Option{WithClientCredentials("id", "sekrit-1f2e")},
			err: "credentials: RCEVENTS_TOKEN and WithClientCredentials given together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("RCEVENTS_CLIENT_ID", tc.id)
			t.Setenv("RCEVENTS_CLIENT_SECRET", tc.secret)
			t.Setenv("RCEVENTS_TOKEN", tc.token)
			t.Setenv("RCEVENTS_BASE_URL", tc.base)
			c, err := NewClientFromEnv(tc.opts...)
			assert.Nil(t, c)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.err)
			assert.Equal(t, 1, strings.Count(err.Error(), "rcevents:"), err.Error())
			assert.NotContains(t, err.Error(), "1f2e", "a credential shows")
		})
	}
}

func TestNewClientDoesNoIO(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("the constructor sent a request")
	}))
	defer srv.Close()
	_, err := NewClient(WithClientCredentials("id", "secret"), WithBaseURL(srv.URL))
	require.NoError(t, err)
}

func TestRequestHeaders(t *testing.T) {
	ts := newTestServer(t, WithUserAgent("checkin-kiosk/2.1"))
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/health", nil)
		assertNoBody(t, r)
		assert.Equal(t, fmt.Sprintf("checkin-kiosk/2.1 rcevents-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH), r.Header.Get("User-Agent"))
		assert.Empty(t, r.Header.Get("Content-Type"))
		w.Write([]byte(`{"status":"ok"}`))
	})
	h, err := ts.client.Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, &Health{Status: "ok"}, h)
}

func TestUserAgentWithoutApp(t *testing.T) {
	assert.Equal(t, fmt.Sprintf("rcevents-go/%s (%s; %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH), userAgent(""))
}

func TestWithHTTPClientIsNotChanged(t *testing.T) {
	hc := &http.Client{}
	c, err := NewClient(WithToken("tok"), WithHTTPClient(hc))
	require.NoError(t, err)
	assert.Nil(t, hc.Transport)
	assert.NotSame(t, hc, c.hc)
}

func TestSecretsNeverPrinted(t *testing.T) {
	const secret = "cs-very-secret-3141"
	const token = "at-very-secret-2718"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/auth/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, token)
	})
	mux.HandleFunc("/v1/organizations/org_1", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer "+token, r.Header.Get("Authorization"))
		writeFixture(t, w, http.StatusNotFound, "error_not_found.json")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	opts := []Option{WithClientCredentials("client-id", secret), WithBaseURL(srv.URL), WithLogger(logger)}
	c, err := NewClient(opts...)
	require.NoError(t, err)
	_, err = c.Organizations.Get(context.Background(), "org_1")
	require.Error(t, err)

	printed := []string{
		logs.String(), err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c), c.String(),
		fmt.Sprintf("%+v", opts), fmt.Sprintf("%#v", opts),
		fmt.Sprintf("%+v", c.Events), fmt.Sprintf("%+v", *c.Events),
	}
	for _, s := range printed {
		assert.NotContains(t, s, secret)
		assert.NotContains(t, s, token)
	}
	assert.Equal(t, "rcevents.Client{baseURL: "+srv.URL+", auth: client credentials}", fmt.Sprintf("%+v", c))
	assert.Contains(t, logs.String(), "status=404")
}

func TestLoggerRecordsEachAttempt(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := newTestServer(t, WithLogger(logger), WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: 1, MaxBackoff: 1}))
	calls := 0
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	})
	_, err := ts.client.Health(context.Background())
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 2)
	for i, status := range []string{`"status":503`, `"status":200`} {
		assert.Contains(t, lines[i], `"level":"DEBUG"`)
		assert.Contains(t, lines[i], `"msg":"rcevents request"`)
		assert.Contains(t, lines[i], `"method":"GET"`)
		assert.Contains(t, lines[i], `"url":"`+ts.URL+basePath+`/v1/health"`)
		assert.Contains(t, lines[i], status)
		assert.Contains(t, lines[i], fmt.Sprintf(`"attempt":%d`, i+1))
		assert.Contains(t, lines[i], `"duration":`)
		assert.NotContains(t, lines[i], testToken)
	}
}

func TestDecodeJSONIgnoresWhatFollowsTheValue(t *testing.T) {
	var v struct {
		Name string `json:"name"`
	}
	require.NoError(t, decodeJSON(strings.NewReader(`{"name":"first"} {"name":"second"}`), &v))
	assert.Equal(t, "first", v.Name)
}
