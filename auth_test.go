package rcevents

import (
	"context"
	"encoding/base64"
	"fmt"
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
	at := &authTransport{base: rt, origin: originOf(mustParse(t, "https://api.example.com")), tokens: staticTokens("T")}
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
