package rcevents

import (
	"context"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// basePath is where test servers mount the API, so that a path built without
// the base URL's prefix cannot pass a test by accident.
const basePath = "/api-prefix"

// testToken is the static bearer token of test clients.
const testToken = "test-token-9f8e7d"

// testServer is an httptest server with the API under basePath, and a client
// for it.
type testServer struct {
	*httptest.Server
	mux      *http.ServeMux // handlers see paths without basePath
	client   *Client
	requests atomic.Int64 // requests that reached the server
}

// newTestServer starts a server and a client with a static token and no
// retries; opts come after those and may change them.
func newTestServer(t *testing.T, opts ...Option) *testServer {
	t.Helper()
	ts := &testServer{mux: http.NewServeMux()}
	root := http.NewServeMux()
	root.Handle(basePath+"/", http.StripPrefix(basePath, ts.mux))
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.requests.Add(1)
		root.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	base := []Option{WithBaseURL(ts.URL + basePath), WithToken(testToken), WithRetry(RetryPolicy{MaxAttempts: 1})}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	ts.client = c
	return ts
}

// fixture returns the bytes of testdata/name.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// writeFixture answers with status and the bytes of testdata/name.
func writeFixture(t *testing.T, w http.ResponseWriter, status int, name string) {
	t.Helper()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(fixture(t, name))
}

// assertRequest checks a request's method, path (below basePath) and exact
// query.
func assertRequest(t *testing.T, r *http.Request, method, path string, query url.Values) {
	t.Helper()
	assert.Equal(t, method, r.Method, "method")
	assert.Equal(t, path, r.URL.Path, "path")
	if query == nil {
		query = url.Values{}
	}
	assert.Equal(t, query, r.URL.Query(), "query")
	assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"), "authorization")
	assert.Equal(t, "application/json", r.Header.Get("Accept"), "accept")
}

// assertBody checks that a request's body is JSON equal to want, and that it
// says so in Content-Type.
func assertBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"), "content type")
	assert.JSONEq(t, want, string(b), "body")
}

// assertNoBody checks that a request carries no body.
func assertNoBody(t *testing.T, r *http.Request) {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.Empty(t, b, "body")
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}

// readFixture returns the bytes of testdata/name, for fuzz seeds.
func readFixture(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}

// assertAPIError checks that err is, or wraps, an *APIError equal to want.
// Unless want has a Header, the answer's headers are only checked to be
// there.
func assertAPIError(t *testing.T, err error, want *APIError) {
	t.Helper()
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	got := *apiErr
	if want.Header == nil {
		assert.NotEmpty(t, got.Header, "the answer's headers")
		got.Header = nil
	}
	assert.Equal(t, want, &got)
}

// walkPath walks the organization list at path as an All method does.
func walkPath(ctx context.Context, c *Client, path string, callOpts ...CallOption) iter.Seq2[Organization, error] {
	return all(ctx, c, (*ListOptions)(nil), func(ctx context.Context, o *ListOptions, co ...CallOption) (*Page[Organization], error) {
		return listPage[Organization](ctx, c, path, o, co)
	}, callOpts)
}

// assertShowsNone checks that none of forbidden shows in what errs print,
// with any verb, nor in also (a log, values printed). It returns the strings
// it looked in.
func assertShowsNone(t *testing.T, forbidden []string, errs []error, also ...string) []string {
	t.Helper()
	shown := also
	for _, err := range errs {
		shown = append(shown, printed(err)...)
	}
	for _, s := range shown {
		for _, f := range forbidden {
			if strings.Contains(s, f) {
				t.Errorf("%q shows in %.400q", f, s)
			}
		}
	}
	return shown
}
