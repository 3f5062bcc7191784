package rcevents

// The reliability guarantees of RELIABILITY.md that need the package's
// internals or purpose-built servers. The ones proven against the fake API
// are in reliability_fake_test.go.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// TestRetryAfterGarbageBacksOff: a Retry-After that is neither seconds nor a
// date is ignored, and the retry waits for the policy's backoff instead of
// hammering the server at once. The backoff here is at least two seconds
// but for a chance of 1 in 10^7, far longer than the call may last.
func TestRetryAfterGarbageBacksOff(t *testing.T) {
	for _, value := range []string{"soon", "-3", "1.5", "Tomorrow, 25:00", "0x10"} {
		t.Run(value, func(t *testing.T) {
			ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: 10000 * time.Hour, MaxBackoff: 10000 * time.Hour}))
			var calls atomic.Int64
			ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) > 1 {
					t.Errorf("retried at once after Retry-After %q", value)
				}
				w.Header().Set("Retry-After", value)
				w.WriteHeader(http.StatusTooManyRequests)
			})
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			_, err := ts.client.Health(ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded, "the call was still waiting to retry when its context ended")
			require.ErrorIs(t, err, ErrRateLimited)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Zero(t, apiErr.RetryAfter)
			assert.Equal(t, int64(1), calls.Load())
		})
	}
}

// echoedSecretForms are the ways a client secret can come back in an answer that
// echoes the token request: as it is, form-encoded, JSON-escaped, and inside
// HTTP Basic credentials (which oauth2 form-encodes first).
func echoedSecretForms(id, secret string) []string {
	js, _ := json.Marshal(secret)
	return []string{
		secret,
		url.QueryEscape(secret),
		string(js[1 : len(js)-1]),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret))),
	}
}

// printed is everything an error can show: its message under each verb and
// the message of every error in its chain.
func printed(err error) []string {
	out := []string{fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)}
	queue := []error{err}
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		if e == nil {
			continue
		}
		out = append(out, e.Error())
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			queue = append(queue, u.Unwrap())
		case interface{ Unwrap() []error }:
			queue = append(queue, u.Unwrap()...)
		}
		var apiErr *APIError
		if errors.As(e, &apiErr) {
			out = append(out, fmt.Sprintf("%+v", *apiErr), apiErr.Body)
		}
	}
	return out
}

// assertNoSecret checks that none of secrets shows in anything err prints.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range printed(err) {
		for _, secret := range secrets {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("%q shows in %q", secret, s)
			}
		}
	}
}

// TestTokenEndpointEchoNeverLeaksSecret: a token endpoint that echoes the
// request it got (its Authorization header, its form body) in a refusal, in
// any shape, does not bring the client secret into the error, whichever way
// the credentials were sent.
func TestTokenEndpointEchoNeverLeaksSecret(t *testing.T) {
	const id, secret = "client id", "s3cr:et/+&<x>"
	echo := func(r *http.Request) string {
		b, _ := io.ReadAll(r.Body)
		return "got Authorization=" + r.Header.Get("Authorization") + " body=" + string(b)
	}
	for _, tc := range []struct {
		name    string
		respond func(w http.ResponseWriter, echoed string)
	}{
		{"401 text", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, echoed)
		}},
		{"400 oauth2 error", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": echoed, "error_uri": echoed})
		}},
		{"400 json without code", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"message": echoed})
		}},
		{"200 form error", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			io.WriteString(w, url.Values{"error": {"invalid_client"}, "error_description": {echoed}}.Encode())
		}},
		{"502 html", func(w http.ResponseWriter, echoed string) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><pre>"+echoed+"</pre></html>")
		}},
	} {
		for style, name := range map[oauth2.AuthStyle]string{oauth2.AuthStyleInHeader: "basic", oauth2.AuthStyleInParams: "form"} {
			t.Run(tc.name+" "+name, func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/v1/auth/token" {
						t.Errorf("%s reached the API without a token", r.URL.Path)
						return
					}
					tc.respond(w, echo(r))
				}))
				defer srv.Close()
				c, err := NewClient(WithClientCredentials(id, secret), WithAuthStyle(style), WithBaseURL(srv.URL),
					WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
				require.NoError(t, err)
				_, err = c.Health(context.Background())
				require.Error(t, err)
				assert.Contains(t, err.Error(), "fetching a token")
				assertNoSecret(t, err, echoedSecretForms(id, secret)...)
			})
		}
	}
}

// TestAPIErrorNeverCarriesToken: an API (or a gateway in front of it) that
// echoes the request's Authorization header in an error answer does not
// bring the bearer token into the *APIError, whatever the status and shape
// of the answer, and whether the token is static or fetched (a 401 there
// fetches a second token, which the second answer echoes).
func TestAPIErrorNeverCarriesToken(t *testing.T) {
	const static = "static-token-6b1f0e"
	for _, status := range []int{400, 401, 403, 404, 422, 429, 500, 502} {
		for _, shape := range []string{"json:api", "html"} {
			for _, mode := range []string{"static", "client credentials"} {
				t.Run(fmt.Sprintf("%d %s %s", status, shape, mode), func(t *testing.T) {
					var issued []string
					var mu sync.Mutex
					mux := http.NewServeMux()
					mux.HandleFunc("/v1/auth/token", func(w http.ResponseWriter, r *http.Request) {
						mu.Lock()
						tok := fmt.Sprintf("fetched-token-%d-a71c", len(issued)+1)
						issued = append(issued, tok)
						mu.Unlock()
						w.Header().Set("Content-Type", "application/json")
						fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, tok)
					})
					mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
						auth := r.Header.Get("Authorization")
						if shape == "html" {
							w.Header().Set("Content-Type", "text/html")
							w.WriteHeader(status)
							fmt.Fprintf(w, "<html><body>Request had %s (%s)</body></html>", auth, strings.TrimPrefix(auth, "Bearer "))
							return
						}
						w.Header().Set("Content-Type", "application/vnd.api+json")
						w.WriteHeader(status)
						json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
							"status": fmt.Sprint(status), "title": auth, "detail": "token " + strings.TrimPrefix(auth, "Bearer ") + " refused",
							"source": map[string]string{"parameter": auth},
						}}})
					})
					srv := httptest.NewServer(mux)
					defer srv.Close()
					creds := WithToken(static)
					if mode != "static" {
						creds = WithClientCredentials("id", "secret-5d2a")
					}
					c, err := NewClient(creds, WithBaseURL(srv.URL), WithRetry(RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
					require.NoError(t, err)
					_, err = c.Health(context.Background())
					var apiErr *APIError
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, status, apiErr.StatusCode)
					assert.Contains(t, err.Error(), "[REDACTED]", "the echo is still there, without the token")
					mu.Lock()
					defer mu.Unlock()
					assertNoSecret(t, err, append([]string{static}, issued...)...)
				})
			}
		}
	}
}

// TestDateTimeFilterYearsRefused: a filter time RFC 3339 cannot write (year
// 10000, year 0 and before) is refused before any request, naming the
// filter and operator, instead of going out as a malformed query.
func TestDateTimeFilterYearsRefused(t *testing.T) {
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	bc := time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ts := newTestServer(t)
	for _, tc := range []struct {
		call  func() error
		field string
	}{
		{func() error {
			_, err := ts.client.Registrations.List(context.Background(), "evt_1", &RegistrationListOptions{CreatedAt: &DateTimeFilter{Gte: far}})
			return err
		}, "RegistrationListOptions.CreatedAt.Gte"},
		{func() error {
			_, err := ts.client.Registrations.List(context.Background(), "evt_1", &RegistrationListOptions{UpdatedAt: &DateTimeFilter{Lt: bc}})
			return err
		}, "RegistrationListOptions.UpdatedAt.Lt"},
		{func() error {
			_, err := ts.client.Registrations.List(context.Background(), "evt_1", &RegistrationListOptions{
				Email: &StringFilter{Eq: "ada@example.com"}, UserUpdatedAt: &DateTimeFilter{In: []time.Time{ok, far}},
			})
			return err
		}, "RegistrationListOptions.UserUpdatedAt.In[1]"},
		{func() error {
			_, err := ts.client.MagicLinks.List(context.Background(), "tkt_1", &MagicLinkListOptions{UpdatedAt: &DateTimeFilter{Eq: ok, Gt: far}})
			return err
		}, "MagicLinkListOptions.UpdatedAt.Gt"},
	} {
		err := tc.call()
		require.ErrorIs(t, err, ErrInvalidArgument, tc.field)
		assert.Contains(t, err.Error(), tc.field+": year ", tc.field)
	}
	assert.Zero(t, ts.requests.Load())
}

// TestListAnswerWithoutDataIsAnError: a 200 answer to a list call that is
// JSON but not a list ({}, null, an error document) is an error, not an
// empty page: taken for one, it would end an All walk quietly and lose
// every item after it.
func TestListAnswerWithoutDataIsAnError(t *testing.T) {
	for _, body := range []string{`{}`, `null`, `{"data":null}`, `{"meta":{"count":100}}`, `{"errors":[{"status":"500","detail":"oops"}]}`} {
		t.Run(body, func(t *testing.T) {
			for _, n := range []int{1, 4} {
				ls := newListServer(t, 100, WithPageConcurrency(n))
				ls.mux.HandleFunc("/v1/broken", func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("page") == "3" {
						io.WriteString(w, body)
						return
					}
					ls.serve(w, r)
				})
				ids, err := collect(t, all(context.Background(), ls.client, nil, func(ctx context.Context, lo *ListOptions) (*Page[Organization], error) {
					return listPage[Organization](ctx, ls.client, "/v1/broken", lo, lo)
				}))
				require.Error(t, err, "concurrency %d", n)
				assert.Contains(t, err.Error(), `200: decoding the answer: no "data" list`)
				assert.Equal(t, wantIDs(1, 20), ids, "concurrency %d", n)
			}
		})
	}
}

// TestErrorSnippetBounded: APIError.Body stays within maxErrorSnippet bytes
// (and the "…" of a cut) whatever bytes the answer holds, and a byte that is
// not UTF-8 near the start of a long answer does not cut the snippet there.
func TestErrorSnippetBounded(t *testing.T) {
	many := strings.Repeat("0\xff", maxErrorSnippet) // each invalid byte becomes a 3-byte U+FFFD
	latin1 := "caf\xe9 " + strings.Repeat("au lait ", 200)
	for _, body := range []string{many, many[:maxErrorSnippet], latin1} {
		_, s := decodeErrorBody([]byte(body))
		assert.LessOrEqual(t, len(s), maxErrorSnippet+len("…"), "%.40q", body)
		assert.True(t, utf8.ValidString(s))
	}
	_, s := decodeErrorBody([]byte(latin1))
	assert.True(t, strings.HasPrefix(s, "caf\uFFFD au lait au lait"), "%.40q", s)
	assert.True(t, strings.HasSuffix(s, "…"))
}
