package rcevents

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// tokenServer is an API with a token endpoint that issues tok-1, tok-2, …
// and accepts only the tokens it issued and has not revoked.
type tokenServer struct {
	*httptest.Server
	mux     *http.ServeMux
	issued  atomic.Int64
	revoked sync.Map // token → true
	gate    chan struct{}
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{mux: http.NewServeMux()}
	ts.mux.HandleFunc("/v1/auth/token", func(w http.ResponseWriter, r *http.Request) {
		if ts.gate != nil {
			<-ts.gate
		}
		n := ts.issued.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, n)
	})
	ts.Server = httptest.NewServer(ts.mux)
	t.Cleanup(ts.Close)
	return ts
}

// authorized reports whether r carries a token the server accepts.
func (ts *tokenServer) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !strings.HasPrefix(tok, "tok-") {
		return false
	}
	_, revoked := ts.revoked.Load(tok)
	return !revoked
}

func TestClientCredentialsBasicAuth(t *testing.T) {
	ts := newTokenServer(t)
	var form, auth string
	ts.mux.HandleFunc("/prefix/v1/auth/token", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		require.NoError(t, r.ParseForm())
		form, auth = r.PostForm.Encode(), r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"tok-basic","token_type":"Bearer","expires_in":3600}`))
	})
	ts.mux.HandleFunc("/prefix/v1/health", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer tok-basic", r.Header.Get("Authorization"))
		w.Write([]byte(`{"status":"ok"}`))
	})
	c, err := NewClient(WithClientCredentials("my id", "my:secret"), WithBaseURL(ts.URL+"/prefix/"), WithScopes("read", "write"))
	require.NoError(t, err)
	_, err = c.Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "grant_type=client_credentials&scope=read+write", form)
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("my+id:my%3Asecret")), auth)
}

func TestClientCredentialsInBody(t *testing.T) {
	ts := newTokenServer(t)
	var form, auth string
	ts.mux.HandleFunc("/p/v1/auth/token", func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		form, auth = r.PostForm.Encode(), r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"tok-body","token_type":"Bearer","expires_in":3600}`))
	})
	ts.mux.HandleFunc("/p/v1/health", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok"}`))
	})
	c, err := NewClient(WithClientCredentials("id-1", "secret-1"), WithBaseURL(ts.URL+"/p"), WithAuthStyle(oauth2.AuthStyleInParams))
	require.NoError(t, err)
	_, err = c.Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "client_id=id-1&client_secret=secret-1&grant_type=client_credentials", form)
	assert.Empty(t, auth)
}

func TestTokenFetchedOnceForConcurrentCalls(t *testing.T) {
	ts := newTokenServer(t)
	ts.gate = make(chan struct{})
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		assert.True(t, ts.authorized(r))
		w.Write([]byte(`{"status":"ok"}`))
	})
	c, err := NewClient(WithClientCredentials("id", "secret"), WithBaseURL(ts.URL))
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Health(context.Background())
			errs <- err
		}()
	}
	close(ts.gate) // let the first fetch through once all 50 are under way or waiting
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), ts.issued.Load())
}

func TestTokenFetchOutlivesCancelledCaller(t *testing.T) {
	ts := newTokenServer(t)
	ts.gate = make(chan struct{})
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok"}`))
	})
	c, err := NewClient(WithClientCredentials("id", "secret"), WithBaseURL(ts.URL))
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.Health(ctx)
		done <- err
	}()
	cancel()
	err = <-done
	require.ErrorIs(t, err, context.Canceled)

	// The fetch the cancelled call started goes on and serves the next call.
	close(ts.gate)
	_, err = c.Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(1), ts.issued.Load())
}

func TestRevokedTokenRefreshedOnce(t *testing.T) {
	ts := newTokenServer(t)
	var calls atomic.Int64
	ts.mux.HandleFunc("/v1/events/evt_1/registrations", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !ts.authorized(r) {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"errors":[{"status":"401","title":"Unauthorized","detail":"token revoked"}]}`))
			return
		}
		// The replayed POST carries the whole body again.
		assertBody(t, r, `{"data":{"type":"registration","attributes":{"email":"ada@example.com"}}}`)
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"data":{"id":"reg_1","type":"registration","attributes":{}}}`))
	})
	c, err := NewClient(WithClientCredentials("id", "secret"), WithBaseURL(ts.URL))
	require.NoError(t, err)

	tok, err := c.tokens.token(context.Background())
	require.NoError(t, err)
	ts.revoked.Store(tok.AccessToken, true)

	body := map[string]any{"data": map[string]any{"type": "registration", "attributes": map[string]any{"email": "ada@example.com"}}}
	var resp Response
	err = c.Do(context.Background(), http.MethodPost, "/v1/events/evt_1/registrations", body, nil, WithResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, 1, resp.Attempts, "the replay after a 401 is the same attempt")
	assert.Equal(t, int64(2), calls.Load(), "one refused attempt, one retry")
	assert.Equal(t, int64(2), ts.issued.Load(), "one refresh")
}

func TestSecond401IsUnauthorized(t *testing.T) {
	ts := newTokenServer(t)
	var calls atomic.Int64
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"errors":[{"status":"401","title":"Unauthorized","detail":"authentication failed"}]}`))
	})
	c, err := NewClient(WithClientCredentials("id", "secret"), WithBaseURL(ts.URL))
	require.NoError(t, err)
	_, err = c.Health(context.Background())
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, err.Error(), "authentication failed")
	assert.Equal(t, int64(2), calls.Load())
	assert.Equal(t, int64(2), ts.issued.Load())
}

func TestStaticToken401NotRetried(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	})
	_, err := ts.client.Health(context.Background())
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, int64(1), ts.requests.Load())
}

func TestTokenSourceAskedAgainAfter401(t *testing.T) {
	var asked atomic.Int64
	src := tokenSourceFunc(func() (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: fmt.Sprintf("src-%d", asked.Add(1))}, nil
	})
	ts := newTestServer(t)
	c, err := NewClient(WithTokenSource(src), WithBaseURL(ts.URL+basePath))
	require.NoError(t, err)
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer src-2" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	})
	_, err = c.Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(2), asked.Load())
}

type tokenSourceFunc func() (*oauth2.Token, error)

func (f tokenSourceFunc) Token() (*oauth2.Token, error) { return f() }

func TestTokenEndpointFailures(t *testing.T) {
	const secret = "sekrit-4242"
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
		is      error
	}{
		{"refused", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client","error_description":"bad secret ` + secret + `"}`))
		}, "POST URL/v1/auth/token: 401 Unauthorized: bad secret [REDACTED]", ErrUnauthorized},
		{"garbage", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`<html>nope</html>`))
		}, "rcevents: fetching a token from URL/v1/auth/token: oauth2: cannot parse json", nil},
		{"no token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"token_type":"Bearer"}`))
		}, "server response missing access_token", nil},
		{"down", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte(`<html>502 Bad Gateway</html>`))
		}, "POST URL/v1/auth/token: 502 Bad Gateway: \"<html>502 Bad Gateway</html>\"", ErrServer},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/token", http.StatusTemporaryRedirect)
		}, "307 Temporary Redirect", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("/v1/auth/token", tc.handler)
			mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
				t.Error("the API was called without a token")
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			c, err := NewClient(WithClientCredentials("id", secret), WithBaseURL(srv.URL), WithRetry(RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
			require.NoError(t, err)
			_, err = c.Health(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), strings.ReplaceAll(tc.want, "URL", srv.URL))
			assert.NotContains(t, err.Error(), secret)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
		})
	}
}

func TestNoTokenToOtherOrigin(t *testing.T) {
	var sawAuth atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawAuth.Store(r.Header.Get("Authorization"))
		w.Write([]byte(`{"status":"redirected"}`))
	}))
	defer other.Close()
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		http.Redirect(w, r, other.URL+"/health", http.StatusFound)
	})
	require.NotEqual(t, originOf(mustParse(t, ts.URL)), originOf(mustParse(t, other.URL)))

	h, err := ts.client.Health(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "redirected", h.Status)
	assert.Equal(t, "", sawAuth.Load(), "the other origin got the token")
}

func TestNoTokenToSameHostOtherPortOrScheme(t *testing.T) {
	var sent []string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = append(sent, r.URL.String()+" "+r.Header.Get("Authorization"))
		return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})
	at := &authTransport{base: rt, origin: originOf(mustParse(t, "https://api.example.com")), tokens: staticTokens("T", nil)}
	for _, u := range []string{
		"https://api.example.com/a", "https://API.example.com:443/b", "http://api.example.com/c",
		"https://api.example.com:8443/d", "https://evil.example.com/e", "https://api.example.com.evil.example/f",
	} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer caller-set")
		resp, err := at.RoundTrip(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	assert.Equal(t, []string{
		"https://api.example.com/a Bearer T",
		"https://API.example.com:443/b Bearer T",
		"http://api.example.com/c ",
		"https://api.example.com:8443/d ",
		"https://evil.example.com/e ",
		"https://api.example.com.evil.example/f ",
	}, sent)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// healthServer is an API whose health check answers any request with a
// bearer token.
func healthServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// retries4 would retry a failed token fetch, if the client did.
var retries4 = WithRetry(RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})

// TestTokenSourcePanicIsAnError: a token source that panics gives the call
// an error that says so, without the panic's value (which may hold a
// secret) unless the runtime made it; the process lives on, the call is not
// retried, and the next call asks the source again.
func TestTokenSourcePanicIsAnError(t *testing.T) {
	verifyNoLeaks(t)
	srv := healthServer(t)
	for _, tc := range []struct {
		name  string
		panic func()
		want  string
	}{
		{"string", func() { panic("refresh token rt-9a8b7c expired") }, "the token source panicked (a panic value of type string)"},
		{"error", func() { panic(fmt.Errorf("refresh token rt-9a8b7c expired")) }, "the token source panicked (a panic value of type *errors.errorString)"},
		{"runtime", func() {
			var tokens []string
			_ = tokens[len("rt-9a8b7c")]
		}, "the token source panicked: index out of range [9] with length 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked atomic.Int64
			src := tokenSourceFunc(func() (*oauth2.Token, error) {
				if asked.Add(1) == 1 {
					tc.panic()
				}
				return &oauth2.Token{AccessToken: "tok-after"}, nil
			})
			c, err := NewClient(WithTokenSource(src), WithBaseURL(srv.URL), retries4)
			require.NoError(t, err)
			_, err = c.Health(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "rcevents: fetching a token: "+tc.want)
			assertNoSecret(t, err, "rt-9a8b7c")
			assert.Equal(t, int64(1), asked.Load(), "a panic is not retried")

			_, err = c.Health(context.Background())
			require.NoError(t, err)
			assert.Equal(t, int64(2), asked.Load())
		})
	}
}

// stuckCall runs call and fails the test if it has not returned within 10 s,
// far past the bounds the tests set: what it checks is that a call without
// a deadline of its own ends at all.
func stuckCall(t *testing.T, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the call is still waiting for a token")
		return nil
	}
}

// TestTokenSourceThatNeverReturns: a token source whose Token never returns
// fails the call after the token fetch's bound, with an error saying so, and
// the call is not retried; the next call starts a fresh fetch instead of
// waiting on the stuck one. The stuck goroutine cannot be stopped: it ends
// when the source returns, here when the test releases it.
func TestTokenSourceThatNeverReturns(t *testing.T) {
	verifyNoLeaks(t)
	srv := healthServer(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var asked atomic.Int64
	src := tokenSourceFunc(func() (*oauth2.Token, error) {
		if asked.Add(1) == 1 {
			<-release
		}
		return &oauth2.Token{AccessToken: "tok-fresh"}, nil
	})
	c, err := NewClient(WithTokenSource(src), WithBaseURL(srv.URL), retries4)
	require.NoError(t, err)
	assertStuckThenFresh(t, c, &asked, "token-source")
}

// TestTokenEndpointThatNeverAnswers: the client-credentials fetch is under
// the same bound: a token endpoint that never answers fails the call after
// it, without a retry, and the next call asks the endpoint again.
func TestTokenEndpointThatNeverAnswers(t *testing.T) {
	verifyNoLeaks(t)
	var asked atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/auth/token", func(w http.ResponseWriter, r *http.Request) {
		if asked.Add(1) == 1 {
			// Until the client gives up on the request, which the server
			// notices once it has read the body.
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok-2","token_type":"Bearer","expires_in":3600}`)
	})
	mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer tok-2", r.Header.Get("Authorization"))
		w.Write([]byte(`{"status":"ok"}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient(WithClientCredentials("id", "secret"), WithBaseURL(srv.URL), retries4)
	require.NoError(t, err)
	assertStuckThenFresh(t, c, &asked, "token-endpoint")
}

// assertStuckThenFresh checks that c's first call, whose token fetch gets
// stuck, fails after a bound of 50 ms without a retry, and that the next
// call fetches a token afresh; asked counts the fetches.
func assertStuckThenFresh(t *testing.T, c *Client, asked *atomic.Int64, what string) {
	t.Helper()
	c.tokens.timeout = 50 * time.Millisecond
	start := time.Now()
	err := stuckCall(t, func() error { _, err := c.Health(context.Background()); return err })
	took := time.Since(start)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "rcevents: fetching a token: no token within 50ms")
	assert.Equal(t, int64(1), asked.Load(), "the call was retried")

	// The bound is long again, so that the fresh fetch cannot run out of it
	// on a slow machine; the stuck one is still stuck.
	c.tokens.timeout = tokenTimeout
	err = stuckCall(t, func() error { _, err := c.Health(context.Background()); return err })
	require.NoError(t, err)
	assert.Equal(t, int64(2), asked.Load())
	t.Logf("FIGURE %s stuck: first call failed after %s (bound 50ms), fetches=%d, second call ok", what, took.Round(time.Millisecond), asked.Load())
}
