package rcevents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithResponseOnSuccess(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/organizations/org_1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req_8c2f")
		w.Header().Set("RateLimit-Limit", "100")
		w.Header().Set("RateLimit-Remaining", "99")
		w.Header().Set("RateLimit-Reset", "30")
		writeFixture(t, w, http.StatusOK, "organizations_get.json")
	})
	var resp Response
	before := time.Now()
	org, err := ts.client.Organizations.Get(context.Background(), "org_1", WithResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, "org_7f3a", org.ID)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, ts.URL+basePath+"/v1/organizations/org_1", resp.URL)
	assert.Equal(t, "req_8c2f", resp.RequestID)
	assert.Equal(t, "req_8c2f", resp.Header.Get("X-Request-Id"))
	assert.Equal(t, 1, resp.Attempts)
	assert.Positive(t, resp.Duration)
	assert.Equal(t, 100, resp.RateLimit.Limit)
	assert.Equal(t, 99, resp.RateLimit.Remaining)
	assert.WithinRange(t, resp.RateLimit.Reset, before.Add(29*time.Second), time.Now().Add(31*time.Second))
}

func TestWithResponseOnAPIErrorCountsAttempts(t *testing.T) {
	ts := newTestServer(t, fastRetry)
	var calls atomic.Int64
	ts.mux.HandleFunc("/v1/organizations/org_1", func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("X-Request-Id", "req_"+strconv.FormatInt(n, 10))
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeFixture(t, w, http.StatusNotFound, "error_not_found.json")
	})
	var resp Response
	_, err := ts.client.Organizations.Get(context.Background(), "org_1", WithResponse(&resp))
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, 3, resp.Attempts, "two 503s, then the 404")
	assert.Equal(t, "req_3", resp.RequestID)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "req_3", apiErr.RequestID)
	assert.Equal(t, "req_3", apiErr.Header.Get("X-Request-Id"))
	assert.Contains(t, err.Error(), "[request req_3]")
}

func TestWithResponseWhenNoAnswerCame(t *testing.T) {
	ts := newTestServer(t, fastRetry)
	ts.mux.HandleFunc("/v1/organizations/org_1", func(w http.ResponseWriter, r *http.Request) {
		resetConnection(t, w)
	})
	var resp Response
	_, err := ts.client.Organizations.Get(context.Background(), "org_1", WithResponse(&resp))
	require.Error(t, err)
	assert.Zero(t, resp.StatusCode)
	assert.Nil(t, resp.Header)
	assert.Equal(t, 4, resp.Attempts)
}

func TestRateLimitHeaders(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		header http.Header
		want   RateLimit
		ok     bool
	}{
		{"IETF", http.Header{"Ratelimit-Limit": {"20"}, "Ratelimit-Remaining": {"3"}, "Ratelimit-Reset": {"2"}},
			RateLimit{Limit: 20, Remaining: 3, Reset: now.Add(2 * time.Second)}, true},
		{"IETF list", http.Header{"Ratelimit-Limit": {"100, 100;w=60"}, "Ratelimit-Remaining": {"99"}, "Ratelimit-Reset": {"60"}},
			RateLimit{Limit: 100, Remaining: 99, Reset: now.Add(time.Minute)}, true},
		{"X- with a Unix time", http.Header{"X-Ratelimit-Limit": {"5000"}, "X-Ratelimit-Remaining": {"4999"}, "X-Ratelimit-Reset": {"1796140800"}},
			RateLimit{Limit: 5000, Remaining: 4999, Reset: time.Unix(1796140801, 0)}, true},
		{"X- with seconds", http.Header{"X-Ratelimit-Limit": {"60"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"45"}},
			RateLimit{Limit: 60, Remaining: 0, Reset: now.Add(45 * time.Second)}, true},
		{"X- with a Unix time past", http.Header{"X-Ratelimit-Limit": {"60"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1700000000"}},
			RateLimit{Limit: 60, Remaining: 0}, true},
		{"RingCentral", http.Header{"X-Rate-Limit-Group": {"medium"}, "X-Rate-Limit-Limit": {"40"}, "X-Rate-Limit-Remaining": {"39"}, "X-Rate-Limit-Window": {"60"}},
			RateLimit{Limit: 40, Remaining: 39, Window: time.Minute}, true},
		{"without reset", http.Header{"Ratelimit-Limit": {"10"}, "Ratelimit-Remaining": {"10"}}, RateLimit{Limit: 10, Remaining: 10}, true},
		{"remaining over limit", http.Header{"Ratelimit-Limit": {"5"}, "Ratelimit-Remaining": {"9"}}, RateLimit{Limit: 9, Remaining: 9}, true},
		{"none", http.Header{"Content-Type": {"application/json"}}, RateLimit{}, false},
		{"no remaining", http.Header{"Ratelimit-Limit": {"5"}}, RateLimit{}, false},
		{"garbage", http.Header{"Ratelimit-Limit": {"many"}, "Ratelimit-Remaining": {"-1"}}, RateLimit{}, false},
		{"a limit no server means", http.Header{"Ratelimit-Limit": {"100000000000000000000000"}, "Ratelimit-Remaining": {"7"}}, RateLimit{}, false},
		{"a remaining count no server means", http.Header{"Ratelimit-Remaining": {"1000000000000"}}, RateLimit{}, false},
		{"a reset in another millennium", http.Header{"Ratelimit-Limit": {"10"}, "Ratelimit-Remaining": {"1"}, "Ratelimit-Reset": {"1000000000000000000000000000000"}},
			RateLimit{Limit: 10, Remaining: 1}, true},
		{"a Unix reset in another millennium", http.Header{"X-Ratelimit-Limit": {"10"}, "X-Ratelimit-Remaining": {"1"}, "X-Ratelimit-Reset": {"99999999999999"}},
			RateLimit{Limit: 10, Remaining: 1}, true},
		{"a window no server means", http.Header{"X-Rate-Limit-Limit": {"10"}, "X-Rate-Limit-Remaining": {"1"}, "X-Rate-Limit-Window": {"1e40"}},
			RateLimit{Limit: 10, Remaining: 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseRateLimit(tc.header, now)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want.Limit, got.Limit)
			assert.Equal(t, tc.want.Remaining, got.Remaining)
			assert.True(t, tc.want.Reset.Equal(got.Reset), "reset %v, want %v", got.Reset, tc.want.Reset)
		})
	}
}

func TestResponseFromBothRateLimitHeaderStyles(t *testing.T) {
	for _, tc := range []struct {
		name      string
		header    map[string]string
		id        string
		limit     int
		remaining int
	}{
		{"IETF", map[string]string{"RateLimit-Limit": "20", "RateLimit-Remaining": "7", "Request-Id": "r-1"}, "r-1", 20, 7},
		{"X-", map[string]string{"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "59", "X-Correlation-Id": "c-2"}, "c-2", 60, 59},
		{"none", nil, "", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				io.WriteString(w, `{"status":"ok"}`)
			})
			var resp Response
			_, err := ts.client.Health(context.Background(), WithResponse(&resp))
			require.NoError(t, err)
			assert.Equal(t, tc.id, resp.RequestID)
			assert.Equal(t, RateLimit{Limit: tc.limit, Remaining: tc.remaining}, resp.RateLimit)
		})
	}
}

func TestWithHeader(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, []string{"a", "b"}, r.Header.Values("X-Trace"))
		assert.Equal(t, "checkin", r.Header.Get("X-Client-Feature"))
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		io.WriteString(w, `{"status":"ok"}`)
	})
	_, err := ts.client.Health(context.Background(), WithHeader("X-Trace", "a"), WithHeader("x-trace", "b"), WithHeader("X-Client-Feature", "checkin"))
	require.NoError(t, err)
	assert.EqualValues(t, 1, ts.requests.Load())
}

func TestWithHeaderRefused(t *testing.T) {
	ts := newTestServer(t)
	const secret = "s3cr3t-value"
	for _, tc := range []struct{ key, value string }{
		{"Authorization", "Bearer " + secret},
		{"authorization", secret},
		{"Host", "evil.example"},
		{"Content-Length", "0"},
		{"Content-Type", "text/plain"},
		{"Transfer-Encoding", "chunked"},
		{"User-Agent", "x"},
		{"Accept", "text/csv"},
		{"accept-encoding", "gzip"},
		{"Connection", "close"},
		{"X-Token", secret + "\r\nX-Injected: 1"},
		{"X-Token", secret + "\n"},
		{"X-Token", secret + "\x00"},
		{"X-Token", secret + "\x7f"},
		{"X Token", "v"},
		{"X-Token:", "v"},
		{"", "v"},
	} {
		_, err := ts.client.Health(context.Background(), WithHeader(tc.key, tc.value))
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", tc.key)
		assert.Contains(t, err.Error(), "WithHeader")
		assert.NotContains(t, err.Error(), secret)
	}
	_, err := ts.client.Health(context.Background(), WithHeader("accept-encoding", "gzip"))
	assert.EqualError(t, err, "rcevents: invalid argument: WithHeader: Accept-Encoding is set by the client and cannot be set per call "+
		"(the client sets Accept, Accept-Encoding, Authorization, Connection, Content-Length, Content-Type, Host, Transfer-Encoding, User-Agent)")
	assert.Zero(t, ts.requests.Load(), "no request sent")
}

func TestWithCallRetry(t *testing.T) {
	ts := newTestServer(t, fastRetry)
	var calls atomic.Int64
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	_, err := ts.client.Health(context.Background(), WithCallRetry(RetryPolicy{MaxAttempts: 1}))
	require.ErrorIs(t, err, ErrServer)
	assert.EqualValues(t, 1, calls.Load(), "this call fails fast")

	calls.Store(0)
	_, err = ts.client.Health(context.Background())
	require.ErrorIs(t, err, ErrServer)
	assert.EqualValues(t, 4, calls.Load(), "the client's policy is unchanged")

	_, err = ts.client.Health(context.Background(), WithCallRetry(RetryPolicy{MaxBackoff: -1}))
	require.ErrorIs(t, err, ErrInvalidArgument)
}

func TestCallOptionsStayWithTheirCall(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", r.Header.Get("X-Caller"))
		io.WriteString(w, `{"status":"ok"}`)
	})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			caller := fmt.Sprintf("caller-%d", i)
			for range 10 {
				var resp Response
				_, err := ts.client.Health(context.Background(), WithHeader("X-Caller", caller), WithResponse(&resp))
				assert.NoError(t, err)
				assert.Equal(t, caller, resp.RequestID, "a call sees only its own options")
			}
		}()
	}
	wg.Wait()
	var resp Response
	_, err := ts.client.Health(context.Background(), WithResponse(&resp))
	require.NoError(t, err)
	assert.Empty(t, resp.RequestID, "no header left on the client")
}

func TestOptionsOnAWalk(t *testing.T) {
	ls := newListServer(t, 1000, WithPageConcurrency(8))
	var headers []string
	var mu sync.Mutex
	ls.inspect = func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		headers = append(headers, r.Header.Get("X-Job"))
	}
	var resp Response
	type progress struct{ items, total int }
	var seen []progress
	ids, err := collect(t, ls.client.Organizations.All(context.Background(), &ListOptions{PerPage: 10},
		WithHeader("X-Job", "export-7"), WithResponse(&resp), WithCallRetry(RetryPolicy{MaxAttempts: 2}),
		WithProgress(func(items, total int) { seen = append(seen, progress{items, total}) })))
	require.NoError(t, err)
	assert.Equal(t, wantIDs(1, 1000), ids)

	assert.Len(t, ls.requested(), 100, "WithProgress costs no request")
	require.Len(t, seen, 100, "one call a page")
	for i, p := range seen {
		assert.Equal(t, progress{(i + 1) * 10, 1000}, p)
	}
	assert.Len(t, headers, 100)
	for _, h := range headers {
		assert.Equal(t, "export-7", h, "every page carries the header")
	}
	assert.Equal(t, "req-page-100", resp.RequestID, "the last page's metadata")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 1, resp.Attempts)
}

func TestWithProgressWithoutCount(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/organizations", func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		next := `"http://api.example/v1/organizations?page=2"`
		if page == "2" {
			next = "null"
		}
		fmt.Fprintf(w, `{"data":[{"id":"org_%s","attributes":{}}],"links":{"self":"x","next":%s}}`, page, next)
	})
	var totals []int
	_, err := collect(t, ts.client.Organizations.All(context.Background(), nil, WithProgress(func(items, total int) { totals = append(totals, items, total) })))
	require.NoError(t, err)
	assert.Equal(t, []int{1, 0, 2, 0}, totals)
}

func TestDo(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_1/widgets", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			assertRequest(t, r, http.MethodPost, "/v1/events/evt_1/widgets", url.Values{"mode": {"fast"}})
			assertBody(t, r, `{"data":{"type":"widget","attributes":{"name":"Gauge","size":3}}}`)
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"data":{"id":"wdg_1","type":"widget","attributes":{"name":"Gauge"}}}`)
		case http.MethodGet:
			assertRequest(t, r, http.MethodGet, "/v1/events/evt_1/widgets", nil)
			assertNoBody(t, r)
			io.WriteString(w, `{"data":[{"id":"wdg_1","attributes":{"name":"Gauge"}}]}`)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	ctx := context.Background()

	var created struct {
		Data struct {
			ID         string `json:"id"`
			Attributes struct {
				Name string `json:"name"`
			} `json:"attributes"`
		} `json:"data"`
	}
	attrs := map[string]any{"name": "Gauge", "size": 3}
	require.NoError(t, ts.client.Do(ctx, http.MethodPost, "/v1/events/evt_1/widgets?mode=fast", RequestBody("widget", attrs), &created))
	assert.Equal(t, "wdg_1", created.Data.ID)
	assert.Equal(t, "Gauge", created.Data.Attributes.Name)

	var raw json.RawMessage
	require.NoError(t, ts.client.Do(ctx, "GET", "/v1/events/evt_1/widgets", nil, &raw))
	assert.JSONEq(t, `{"data":[{"id":"wdg_1","attributes":{"name":"Gauge"}}]}`, string(raw))
	var value jsontext.Value
	require.NoError(t, ts.client.Do(ctx, "GET", "/v1/events/evt_1/widgets", nil, &value))
	assert.JSONEq(t, string(raw), string(value))

	var resp Response
	require.NoError(t, ts.client.Do(ctx, http.MethodDelete, "/v1/events/evt_1/widgets", nil, &raw, WithResponse(&resp)))
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)

	err := ts.client.Do(ctx, http.MethodGet, "/v1/missing", nil, nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
}

func TestDoSendsRawBodyAsIs(t *testing.T) {
	ts := newTestServer(t)
	var got atomic.Value
	ts.mux.HandleFunc("/v1/raw", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(string(b))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		w.WriteHeader(http.StatusNoContent)
	})
	// Whitespace, escapes the encoder would rewrite, a repeated name (valid
	// RFC 8259) and key order all go out as written.
	const text = "{\"data\": {\"attributes\":{\"b\":1,\"a\":2,\n\t\"name\": \"Zo\\u00eb\", \"url\": \"a\\/b\", \"a\": 3}}}"
	for _, body := range []any{json.RawMessage(text), jsontext.Value(text), []byte(text)} {
		require.NoError(t, ts.client.Do(context.Background(), http.MethodPatch, "/v1/raw", body, nil), "%T", body)
		assert.Equal(t, text, got.Load(), "%T", body)
	}
	assert.EqualValues(t, 3, ts.requests.Load())
}

func TestDoRefusesBodiesThatAreNotJSON(t *testing.T) {
	ts := newTestServer(t)
	for _, body := range []any{
		json.RawMessage(`{"a":`), json.RawMessage(""), jsontext.Value(`{"a":1} {"b":2}`),
		[]byte("{\"name\":\"\xff\"}"), []byte(`{'a':1}`), []byte("Zoë"),
	} {
		err := ts.client.Do(context.Background(), http.MethodPost, "/v1/raw", body, nil)
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", body)
		assert.Equal(t, "rcevents: invalid argument: body: is not valid JSON (RFC 8259), and JSON text is sent as it is", err.Error())
	}
	assert.Zero(t, ts.requests.Load(), "no request sent")
}

// TestDoChecksOutBeforeSending: an out that cannot be decoded into is
// refused before the request goes, so that a create is never stored and
// then reported as failed (a caller who retries would create it twice).
func TestDoChecksOutBeforeSending(t *testing.T) {
	ts := newTestServer(t)
	var widget struct{ Data json.RawMessage }
	var nilPtr *struct{ Data json.RawMessage }
	for _, out := range []any{widget, nilPtr, map[string]any{}, json.RawMessage(nil), "x"} {
		err := ts.client.Do(context.Background(), http.MethodPost, "/v1/events/evt_1/widgets", RequestBody("widget", nil), out)
		require.ErrorIs(t, err, ErrInvalidArgument, "%T", out)
		assert.Equal(t, fmt.Sprintf("rcevents: invalid argument: out: must be nil or a non-nil pointer, got %T", out), err.Error())
	}
	assert.Zero(t, ts.requests.Load(), "no request sent")
}

func TestDoRefusesPathsLeavingTheAPI(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{
		"", "v1/health", "http://evil.example/v1/health", "https://" + strings.TrimPrefix(ts.URL, "http://") + "/v1/health",
		"//evil.example/v1/health", "/v1/../../health", "/v1/./health", "/..", "/v1/%2e%2e/health", "/v1/%2E%2E/x",
		"/v1\\health", "/v1/health#frag", "/v1/health\r\nX-Injected: 1", "/v1/\x00", "/v1/\x7f",
		// A raw space would end the request line early.
		"/v1/x?q=a HTTP/1.0", "/v1/a b", "/v1/x?q=a\tb",
		// '\\' in any encoding, which some servers read as '/'.
		"/v1/%5C..%5C..%5Cadmin", "/v1/%5c", "/v1/%255C", "/v1/%25255c", "/v1/x?file=%5C", "/v1/x?file=%255c",
		// ".." and "." in any spelling, in the path and in query values.
		"/v1/..;/admin", "/v1/%2e%2e;/admin", "/v1/.%2e/x", "/v1/%2e./x", "/v1/%252e%252e/x", "/v1/%2e/x", "/v1/.;x/y",
		"/v1/a%2F..%2Fb", "/v1/a%252F..%252Fb", "/v1/%c0%ae%c0%ae/x", "/v1/x?path=../../admin", "/v1/x?path=..",
		"/v1/x?next=..%2F..", "/v1/x?next=%2e%2e", "/v1/x?a=1&b=..;x",
		// Control characters behind an escape.
		"/v1/%00", "/v1/x?q=%0d%0aX-Injected:%201",
	} {
		err := ts.client.Do(context.Background(), http.MethodGet, path, nil, nil)
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", path)
		assert.Contains(t, err.Error(), ": path: ", "%q", path)
	}
	for _, path := range []string{"/v1/../x?filter[email][eq]=ann.lee@example.com", "/v1/x\n?filter[email][eq]=ann.lee@example.com",
		"/v1/x?filter[email][eq]=ann.lee@example.com&next=../..", "/v1/x?filter[email][eq]=ann lee@example.com"} {
		err := ts.client.Do(context.Background(), http.MethodGet, path, nil, nil)
		require.ErrorIs(t, err, ErrInvalidArgument)
		assert.NotContains(t, err.Error(), "ann", "the query stays out of the error")
	}
	for _, method := range []string{"", "GET /", "G\nET"} {
		err := ts.client.Do(context.Background(), method, "/v1/health", nil, nil)
		require.ErrorIs(t, err, ErrInvalidArgument, "%q", method)
	}
	assert.Zero(t, ts.requests.Load(), "no request sent")
}

// TestDoSendsOrdinaryPaths: what the checks refuse is narrow; dots inside
// a name, escapes of other characters, brackets and ';' go out.
func TestDoSendsOrdinaryPaths(t *testing.T) {
	ts := newTestServer(t)
	var got atomic.Value
	ts.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.EscapedPath() + "?" + r.URL.RawQuery)
		w.WriteHeader(http.StatusNoContent)
	})
	for path, want := range map[string]string{
		"/v1/a...b":         "/v1/a...b?",
		"/v1/.well-known/x": "/v1/.well-known/x?",
		"/v1/x?q=a..b":      "/v1/x?q=a..b",
		"/v1/x?filter[email][eq]=a@b.example&page=2": "/v1/x?filter[email][eq]=a@b.example&page=2",
		"/v1/x?q=a+b&r=a%20b":                        "/v1/x?q=a+b&r=a%20b",
		"/v1/x;v=2":                                  "/v1/x;v=2?",
		"/v1/caf%C3%A9":                              "/v1/caf%C3%A9?",
	} {
		require.NoError(t, ts.client.Do(context.Background(), http.MethodGet, path, nil, nil), path)
		assert.Equal(t, want, got.Load(), path)
	}
}

func TestDoBodyThatCannotBeEncoded(t *testing.T) {
	ts := newTestServer(t)
	err := ts.client.Do(context.Background(), http.MethodPost, "/v1/x", map[string]any{"f": func() {}}, nil)
	require.ErrorIs(t, err, ErrInvalidArgument)
	assert.Zero(t, ts.requests.Load())
}

func TestResponseNeverPrintsHeaders(t *testing.T) {
	resp := &Response{StatusCode: 200, Header: http.Header{"Set-Cookie": {"session=s3cr3t"}}, RequestID: "req_1", Attempts: 2}
	for _, s := range []string{fmt.Sprint(resp), fmt.Sprintf("%v", resp), fmt.Sprintf("%+v", resp), fmt.Sprintf("%#v", resp), resp.String()} {
		assert.NotContains(t, s, "s3cr3t")
		assert.Contains(t, s, "req_1")
	}
}

func TestResponseKeepsTheWholeURLForTheCallerOnly(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_1/registrations", func(w http.ResponseWriter, r *http.Request) {
		writeFixture(t, w, http.StatusBadRequest, "registrations_error_bad_filter.json")
	})
	var resp Response
	_, err := ts.client.Registrations.List(context.Background(), "evt_1",
		&RegistrationListOptions{Email: &StringFilter{Eq: "ann.lee@example.com"}}, WithResponse(&resp))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "ann.lee")
	assert.Contains(t, resp.URL, "filter%5Bemail%5D%5Beq%5D=ann.lee%40example.com", "asked for, it is whole")
	assert.NotContains(t, fmt.Sprintf("%v %+v %s", resp, &resp, resp.String()), "ann.lee")
}

// FuzzCheckDoPath: a path Do accepts stays below the base URL however a
// server reads it: decoded once, twice or thrice, with '\' read as '/' and
// what follows a ';' in a segment dropped (as Java servlet containers do);
// and it holds no space to end the request line.
func FuzzCheckDoPath(f *testing.F) {
	for _, s := range []string{"/v1/x", "/v1/x?q=a..b&page=2", "/v1/%2e%2e/x", "/v1/..;/x", "/v1/x?q=a b", "/v1/%255c",
		"/v1/x?next=../..", "/v1/a%252F..%252Fb", "/v1/%c0%ae", "/v1/.well-known", "/v1/%5C..%5C..%5Cadmin", "/v1/..;/..;/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		escaped, query, err := checkDoPath(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("%q: %v does not wrap ErrInvalidArgument", raw, err)
			}
			return
		}
		if strings.Contains(escaped+query, " ") {
			t.Fatalf("%q: sent as %q?%q", raw, escaped, query)
		}
		p := escaped
		for range 3 {
			segs := strings.Split(strings.ReplaceAll(p, "\\", "/"), "/")
			for i, seg := range segs {
				segs[i], _, _ = strings.Cut(seg, ";")
			}
			if read := path.Clean("/base/" + strings.Join(segs, "/")); read != "/base" && !strings.HasPrefix(read, "/base/") {
				t.Fatalf("%q: sent as %q, which a server may read as %q", raw, escaped, read)
			}
			if p, err = url.PathUnescape(p); err != nil {
				break
			}
		}
	})
}
