package rcevents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readyReport is the report of reports_get.json.
var readyReport = Report{
	ID:     "rpt_3c9d",
	Title:  "Attendee Log",
	Status: "completed",
	URL:    "https://reports.example-storage.net/evt_5kq2/attendeeLog-3c9d.csv?X-Amz-Expires=60&X-Amz-Signature=5e1f",
	ready:  true,
}

func TestReportsList(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/reports", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/reports", url.Values{"page": {"1"}})
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "reports_list.json")
	})

	page, err := ts.client.Reports.List(context.Background(), "evt_5kq2", &ListOptions{Page: 1})
	require.NoError(t, err)
	assert.Equal(t, &Page[Report]{
		Items: []Report{
			{ // A listed report is not known to be ready, whatever its status says.
				ID:     "rpt_3c9d",
				Title:  "Attendee Log",
				Status: "completed",
				URL:    "https://reports.example-storage.net/evt_5kq2/attendeeLog-3c9d.csv?X-Amz-Expires=60&X-Amz-Signature=5e1f",
			},
			{ID: "rpt_3c9e", Title: "Chat", Status: "processing"},
		},
		Count:  2,
		Number: 1,
		Links: Links{
			First: "https://api.events.ringcentral.com/v1/events/evt_5kq2/reports?page=1",
			Self:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/reports?page=1",
			Last:  "https://api.events.ringcentral.com/v1/events/evt_5kq2/reports?page=1",
		},
	}, page)
	assert.False(t, page.Items[0].Ready())
}

func TestReportsAll(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/reports", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/events/evt_5kq2/reports", url.Values{"page": {"1"}})
		writeFixture(t, w, http.StatusOK, "reports_list.json")
	})

	var ids []string
	for rep, err := range ts.client.Reports.All(context.Background(), "evt_5kq2", nil) {
		require.NoError(t, err)
		ids = append(ids, rep.ID)
	}
	assert.Equal(t, []string{"rpt_3c9d", "rpt_3c9e"}, ids)
}

func TestReportsGet(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/reports/rpt_3c9d", nil)
		assertNoBody(t, r)
		writeFixture(t, w, http.StatusOK, "reports_get.json")
	})

	rep, err := ts.client.Reports.Get(context.Background(), "rpt_3c9d")
	require.NoError(t, err)
	want := readyReport
	assert.Equal(t, &want, rep)
	assert.True(t, rep.Ready())
}

// servePolls answers GET /v1/reports/rpt_3c9d in progress (202) to the
// first inProgress polls, then with status and the fixture; it returns the
// count of polls.
func servePolls(t *testing.T, ts *testServer, inProgress int, status int, fixture string) *atomic.Int64 {
	var polls atomic.Int64
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/reports/rpt_3c9d", nil)
		if polls.Add(1) <= int64(inProgress) {
			writeFixture(t, w, http.StatusAccepted, "reports_get_in_progress.json")
			return
		}
		writeFixture(t, w, status, fixture)
	})
	return &polls
}

func TestReportsGetInProgressThenReady(t *testing.T) {
	ts := newTestServer(t)
	servePolls(t, ts, 1, http.StatusOK, "reports_get.json")

	rep, err := ts.client.Reports.Get(context.Background(), "rpt_3c9d")
	require.NoError(t, err)
	assert.Equal(t, &Report{ID: "rpt_3c9d", Status: "processing"}, rep)
	assert.False(t, rep.Ready())

	rep, err = ts.client.Reports.Get(context.Background(), "rpt_3c9d")
	require.NoError(t, err)
	assert.True(t, rep.Ready())
	assert.Equal(t, "Attendee Log", rep.Title)
}

func TestReportsGetInProgressWithoutID(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"data":{"attributes":{"status":"queued"}}}`))
	})

	rep, err := ts.client.Reports.Get(context.Background(), "rpt_3c9d")
	require.NoError(t, err)
	assert.Equal(t, &Report{ID: "rpt_3c9d", Status: "queued"}, rep)
}

// TestReportsGetWithoutDataIsAnError: a 200 answer that holds no report
// ({}, null, an error document) is an error, as for every other getter, not
// a ready report without a URL; Wait ends with it. The in-progress answer
// (202) may still come without a resource: the report is not ready yet.
func TestReportsGetWithoutDataIsAnError(t *testing.T) {
	ts := newTestServer(t)
	var status atomic.Int64
	var body atomic.Value
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodGet, "/v1/reports/rpt_3c9d", nil)
		w.WriteHeader(int(status.Load()))
		io.WriteString(w, body.Load().(string))
	})
	for _, b := range []string{`{}`, `null`, `{"data":null}`, `{"meta":{}}`, `{"errors":[{"status":"500","detail":"oops"}]}`} {
		body.Store(b)
		status.Store(http.StatusOK)
		rep, err := ts.client.Reports.Get(context.Background(), "rpt_3c9d")
		assert.Nil(t, rep, b)
		if assert.Error(t, err, b) {
			assert.Contains(t, err.Error(), `/v1/reports/rpt_3c9d: 200: decoding the answer: no "data" resource`, b)
		}
		rep, err = ts.client.Reports.Wait(context.Background(), "rpt_3c9d")
		assert.Nil(t, rep, b)
		assert.Error(t, err, b)

		status.Store(http.StatusAccepted)
		rep, err = ts.client.Reports.Get(context.Background(), "rpt_3c9d")
		require.NoError(t, err, b)
		assert.Equal(t, &Report{ID: "rpt_3c9d"}, rep, b)
		assert.False(t, rep.Ready(), b)
	}
}

func TestReportReadyNil(t *testing.T) {
	var rep *Report
	assert.False(t, rep.Ready())
}

func TestReportsCreate(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/events/evt_5kq2/reports/participation/2", func(w http.ResponseWriter, r *http.Request) {
		assertRequest(t, r, http.MethodPost, "/v1/events/evt_5kq2/reports/participation/2", nil)
		assertBody(t, r, `{"data":{"attributes":{"segmentType":"stage","virtualSpaceId":"stg_1a7e",
			"participationReportType":"session","participationTypeId":"ses_4d1c"}}}`)
		writeFixture(t, w, http.StatusCreated, "reports_create.json")
	})

	rep, err := ts.client.Reports.Create(context.Background(), "evt_5kq2", ReportTypeParticipation, &ReportCreateRequest{
		Version:                 "2",
		SegmentType:             SegmentTypeStage,
		VirtualSpaceID:          "stg_1a7e",
		ParticipationReportType: SegmentTypeSession,
		ParticipationTypeID:     "ses_4d1c",
	})
	require.NoError(t, err)
	assert.Equal(t, &Report{ID: "rpt_4a01", Title: "Participation", Status: "enqueued"}, rep)
	assert.False(t, rep.Ready())
}

func TestReportsCreateDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  *ReportCreateRequest
		body string
	}{
		{"nil request", nil, `{"data":{"attributes":{}}}`},
		{"no version", &ReportCreateRequest{SegmentType: SegmentTypeAll}, `{"data":{"attributes":{"segmentType":"all"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.mux.HandleFunc("/v1/events/evt_5kq2/reports/", func(w http.ResponseWriter, r *http.Request) {
				// Without a version, the path ends at the report type.
				assertRequest(t, r, http.MethodPost, "/v1/events/evt_5kq2/reports/attendeeLog", nil)
				assertBody(t, r, tc.body)
				writeFixture(t, w, http.StatusCreated, "reports_create.json")
			})

			_, err := ts.client.Reports.Create(context.Background(), "evt_5kq2", ReportTypeAttendeeLog, tc.req)
			require.NoError(t, err)
			assert.EqualValues(t, 1, ts.requests.Load())
		})
	}
}

func TestReportsWait(t *testing.T) {
	fast := WithPollInterval(time.Millisecond, 2*time.Millisecond)
	ts := newTestServer(t)
	polls := servePolls(t, ts, 2, http.StatusOK, "reports_get.json")

	rep, err := ts.client.Reports.Wait(context.Background(), "rpt_3c9d", fast)
	require.NoError(t, err)
	want := readyReport
	assert.Equal(t, &want, rep)
	assert.EqualValues(t, 3, polls.Load())
}

func TestReportsWaitError(t *testing.T) {
	fast := WithPollInterval(time.Millisecond, time.Millisecond)
	ts := newTestServer(t)
	polls := servePolls(t, ts, 1, http.StatusNotFound, "reports_error_not_found.json")

	_, err := ts.client.Reports.Wait(context.Background(), "rpt_3c9d", fast)
	require.ErrorIs(t, err, ErrNotFound)
	assert.EqualValues(t, 2, polls.Load())
}

// TestReportsWaitEndsWhenTheReportFailed: a 200 answer that says the
// report failed, or gives no url, is no ready report: Get and Wait return
// an error wrapping ErrReportFailed that names the report and its status,
// and Wait polls no more.
func TestReportsWaitEndsWhenTheReportFailed(t *testing.T) {
	fast := WithPollInterval(time.Millisecond, time.Millisecond)
	for _, tc := range []struct{ fixture, want string }{
		{"reports_get_failed.json", `rcevents: report failed: rpt_3c9d has status "failed"`},
		{"reports_get_failed_with_url.json", `rcevents: report failed: rpt_3c9d has status "FAILED"`},
		{"reports_get_without_url.json", `rcevents: report failed: rpt_3c9d has status "completed" but no url to download it from`},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			ts := newTestServer(t)
			polls := servePolls(t, ts, 1, http.StatusOK, tc.fixture)

			rep, err := ts.client.Reports.Wait(context.Background(), "rpt_3c9d", fast)
			assert.Nil(t, rep)
			require.ErrorIs(t, err, ErrReportFailed)
			assert.Equal(t, tc.want, err.Error())
			assert.EqualValues(t, 2, polls.Load(), "the wait ends at the answer that says so")

			rep, err = ts.client.Reports.Get(context.Background(), "rpt_3c9d")
			assert.Nil(t, rep)
			require.ErrorIs(t, err, ErrReportFailed)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// TestReportsWaitSurvivesServerErrors: a poll answered 500, 502 or 503 is
// retried by the client's retry policy, as any GET is, and the wait goes
// on; only a poll that fails every attempt ends it.
func TestReportsWaitSurvivesServerErrors(t *testing.T) {
	fast := WithPollInterval(time.Millisecond, time.Millisecond)
	policy := WithRetry(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})
	for _, tc := range []struct {
		name    string
		answers []int // the status of each request, in turn; then 200
		want    string
	}{
		{"transient", []int{http.StatusAccepted, http.StatusInternalServerError, http.StatusAccepted,
			http.StatusBadGateway, http.StatusServiceUnavailable}, ""},
		{"lasting", []int{http.StatusAccepted, http.StatusInternalServerError, http.StatusInternalServerError,
			http.StatusInternalServerError}, "500 Internal Server Error (gave up after 3 attempts)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, policy)
			var requests atomic.Int64
			ts.mux.HandleFunc("/v1/reports/rpt_3c9d", func(w http.ResponseWriter, r *http.Request) {
				assertRequest(t, r, http.MethodGet, "/v1/reports/rpt_3c9d", nil)
				n := int(requests.Add(1))
				switch {
				case n > len(tc.answers):
					writeFixture(t, w, http.StatusOK, "reports_get.json")
				case tc.answers[n-1] == http.StatusAccepted:
					writeFixture(t, w, http.StatusAccepted, "reports_get_in_progress.json")
				default:
					w.WriteHeader(tc.answers[n-1])
				}
			})

			rep, err := ts.client.Reports.Wait(context.Background(), "rpt_3c9d", fast)
			if tc.want != "" {
				assert.Nil(t, rep)
				require.ErrorIs(t, err, ErrServer)
				assert.Equal(t, "rcevents: GET "+ts.URL+basePath+"/v1/reports/rpt_3c9d: "+tc.want, err.Error())
				assert.EqualValues(t, len(tc.answers), requests.Load())
				return
			}
			require.NoError(t, err)
			want := readyReport
			assert.Equal(t, &want, rep)
			assert.EqualValues(t, len(tc.answers)+1, requests.Load())
		})
	}
}

func TestReportsWaitContextEnds(t *testing.T) {
	// Polls an hour apart: only the context can end the wait.
	fast := WithPollInterval(time.Hour, time.Hour)
	for _, tc := range []struct {
		name string
		ctx  func(polled <-chan struct{}) (context.Context, context.CancelFunc)
		want error
	}{
		{"cancelled", func(polled <-chan struct{}) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-polled
				cancel()
			}()
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func(<-chan struct{}) (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			polled := make(chan struct{}, 1)
			ts.mux.HandleFunc("/v1/reports/rpt_3c9d", func(w http.ResponseWriter, r *http.Request) {
				writeFixture(t, w, http.StatusAccepted, "reports_get_in_progress.json")
				select {
				case polled <- struct{}{}:
				default:
				}
			})
			ctx, cancel := tc.ctx(polled)
			defer cancel()

			start := time.Now()
			rep, err := ts.client.Reports.Wait(ctx, "rpt_3c9d", fast)
			assert.Less(t, time.Since(start), 10*time.Second)
			assert.Nil(t, rep)
			// The context may end during a poll or during a pause: either
			// way its error comes back wrapped.
			require.ErrorIs(t, err, tc.want)
			assert.EqualValues(t, 1, ts.requests.Load())
		})
	}
}

// cancelAfterAnswer reads each answer whole, then cancels: the caller
// gets the answer and finds its context ended right after.
type cancelAfterAnswer struct {
	cancel context.CancelFunc
}

func (c cancelAfterAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	c.cancel()
	return resp, err
}

func TestReportsWaitCancelledWhilePausing(t *testing.T) {
	fast := WithPollInterval(time.Hour, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ts := newTestServer(t, WithHTTPClient(&http.Client{Transport: cancelAfterAnswer{cancel}}))
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d", func(w http.ResponseWriter, r *http.Request) {
		writeFixture(t, w, http.StatusAccepted, "reports_get_in_progress.json")
	})

	rep, err := ts.client.Reports.Wait(ctx, "rpt_3c9d", fast)
	assert.Nil(t, rep)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "rcevents: waiting for report rpt_3c9d: context canceled", err.Error())
	assert.EqualValues(t, 1, ts.requests.Load())
}

// countingWriter counts what it is given and keeps none of it. It closes
// half once it has seen that many bytes.
type countingWriter struct {
	n        int64
	halfway  int64
	half     chan struct{}
	halfOnce bool
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if !c.halfOnce && c.half != nil && c.n >= c.halfway {
		c.halfOnce = true
		close(c.half)
	}
	return len(p), nil
}

func TestReportsDownload(t *testing.T) {
	const size = 1 << 20
	ts := newTestServer(t)
	cw := &countingWriter{halfway: size / 2, half: make(chan struct{})}
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d/download", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, "/v1/reports/rpt_3c9d/download", r.URL.Path)
		assert.Empty(t, r.URL.RawQuery)
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		assert.Equal(t, "*/*", r.Header.Get("Accept"))
		assertNoBody(t, r)
		w.Header().Set("Content-Type", "text/csv")
		chunk := bytes.Repeat([]byte("x"), size/2)
		_, _ = w.Write(chunk)
		w.(http.Flusher).Flush()
		// The second half goes only once the writer has the first: the
		// file streams through, it is not gathered first.
		select {
		case <-cw.half:
		case <-time.After(10 * time.Second):
			t.Error("the first half never reached the writer")
			return
		}
		_, _ = w.Write(chunk)
	})

	n, err := ts.client.Reports.Download(context.Background(), "rpt_3c9d", cw)
	require.NoError(t, err)
	assert.EqualValues(t, size, n)
	assert.EqualValues(t, size, cw.n)
}

func TestReportsDownloadRedirect(t *testing.T) {
	var storageHits atomic.Int64
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storageHits.Add(1)
		if auth := r.Header.Get("Authorization"); auth != "" {
			t.Errorf("the storage origin got an Authorization header: %q", auth)
		}
		assert.Equal(t, "/evt_5kq2/attendeeLog-3c9d.csv", r.URL.Path)
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write(fixture(t, "reports_download.csv"))
	}))
	defer storage.Close()

	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d/download", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		http.Redirect(w, r, storage.URL+"/evt_5kq2/attendeeLog-3c9d.csv?X-Amz-Expires=60", http.StatusFound)
	})

	var buf bytes.Buffer
	n, err := ts.client.Reports.Download(context.Background(), "rpt_3c9d", &buf)
	require.NoError(t, err)
	want := fixture(t, "reports_download.csv")
	assert.EqualValues(t, len(want), n)
	assert.Equal(t, string(want), buf.String())
	assert.EqualValues(t, 1, storageHits.Load())
}

// TestReportsDownloadStorageErrorNamesTheStorage: an error answer of the
// storage origin a download is redirected to names that origin and the
// file's path, not the API's URL, and never the pre-signed query, which is
// a credential: not in the URL, not where the body echoes it.
func TestReportsDownloadStorageErrorNamesTheStorage(t *testing.T) {
	const signature = "5e1f0b7c9a2d4e6f8a1b3c5d7e9f0a2b"
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, signature, r.URL.Query().Get("X-Amz-Signature"))
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write(fixture(t, "reports_storage_expired.xml"))
	}))
	defer storage.Close()
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d/download", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, storage.URL+"/evt_5kq2/attendeeLog-3c9d.csv?X-Amz-Expires=60&X-Amz-Signature="+signature, http.StatusFound)
	})

	var buf bytes.Buffer
	n, err := ts.client.Reports.Download(context.Background(), "rpt_3c9d", &buf)
	require.ErrorIs(t, err, ErrForbidden)
	body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>AccessDenied</Code><Message>Request has expired</Message>` +
		`<X-Amz-Expires>[REDACTED]</X-Amz-Expires><Expires>2025-06-12T09:01:00Z</Expires><ServerTime>2025-06-12T09:04:12Z</ServerTime>` +
		`<RequestId>9Q2XW4TB0K7M</RequestId><SignatureProvided>[REDACTED]</SignatureProvided></Error>`
	assertAPIError(t, err, &APIError{
		StatusCode: http.StatusForbidden,
		Method:     http.MethodGet,
		URL:        storage.URL + "/evt_5kq2/attendeeLog-3c9d.csv",
		Body:       body,
	})
	assert.Equal(t, "rcevents: GET "+storage.URL+"/evt_5kq2/attendeeLog-3c9d.csv: 403 Forbidden: "+strconv.Quote(body), err.Error())
	assert.NotContains(t, fmt.Sprintf("%+v", err), signature)
	assert.Zero(t, n)
	assert.Zero(t, buf.Len(), "the error body does not reach the writer")
}

// TestReportsDownloadStorageUnreachable: a storage origin that cannot be
// reached is named in the error, without the pre-signed query.
func TestReportsDownloadStorageUnreachable(t *testing.T) {
	storage := httptest.NewServer(http.NotFoundHandler())
	gone := storage.URL
	storage.Close()
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d/download", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, gone+"/evt_5kq2/attendeeLog-3c9d.csv?X-Amz-Signature=5e1f0b7c9a2d4e6f", http.StatusFound)
	})

	_, err := ts.client.Reports.Download(context.Background(), "rpt_3c9d", io.Discard)
	require.Error(t, err)
	prefix := "rcevents: GET " + ts.URL + basePath + "/v1/reports/rpt_3c9d/download: " + gone + "/evt_5kq2/attendeeLog-3c9d.csv: "
	assert.True(t, strings.HasPrefix(err.Error(), prefix), "%s\nwant prefix %s", err, prefix)
	assert.NotContains(t, err.Error(), "5e1f0b7c")
}

// TestWithHeaderGoesToTheAPIsOriginOnly: a call's own headers, like the
// bearer token, are not sent to the storage origin a download is
// redirected to.
func TestWithHeaderGoesToTheAPIsOriginOnly(t *testing.T) {
	const key = "k3y-0f-the-caller"
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Values("X-Api-Key"), "the storage origin got the call's header")
		assert.Empty(t, r.Header.Values("Authorization"), "the storage origin got the token")
		_, _ = w.Write(fixture(t, "reports_download.csv"))
	}))
	defer storage.Close()
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d/download", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, []string{key}, r.Header.Values("X-Api-Key"))
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		http.Redirect(w, r, storage.URL+"/evt_5kq2/attendeeLog-3c9d.csv", http.StatusFound)
	})

	var buf bytes.Buffer
	_, err := ts.client.Reports.Download(context.Background(), "rpt_3c9d", &buf, WithHeader("X-Api-Key", key))
	require.NoError(t, err)
	assert.Equal(t, string(fixture(t, "reports_download.csv")), buf.String())
	assert.EqualValues(t, 1, ts.requests.Load())
}

func TestReportsDownloadNotFound(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/reports/rpt_gone/download", func(w http.ResponseWriter, r *http.Request) {
		writeFixture(t, w, http.StatusNotFound, "reports_error_not_found.json")
	})

	var buf bytes.Buffer
	n, err := ts.client.Reports.Download(context.Background(), "rpt_gone", &buf)
	require.ErrorIs(t, err, ErrNotFound)
	assertAPIError(t, err, &APIError{
		StatusCode: http.StatusNotFound,
		Method:     http.MethodGet,
		URL:        ts.URL + basePath + "/v1/reports/rpt_gone/download",
		Errors:     []ErrorObject{{Code: "not_found", Detail: "Report not found", Status: "404", Title: "Not Found"}},
	})
	assert.Zero(t, n)
	assert.Zero(t, buf.Len(), "the error body does not reach the writer")
}

func TestReportsDownloadNotReady(t *testing.T) {
	ts := newTestServer(t)
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d/download", func(w http.ResponseWriter, r *http.Request) {
		writeFixture(t, w, http.StatusAccepted, "reports_get_in_progress.json")
	})

	var buf bytes.Buffer
	n, err := ts.client.Reports.Download(context.Background(), "rpt_3c9d", &buf)
	require.ErrorIs(t, err, ErrReportNotReady)
	assert.Zero(t, n)
	assert.Zero(t, buf.Len())
}

// failingWriter refuses everything.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReportsDownloadWriterFails(t *testing.T) {
	ts := newTestServer(t, WithRetry(RetryPolicy{MaxAttempts: 3}))
	ts.mux.HandleFunc("/v1/reports/rpt_3c9d/download", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(w, strings.NewReader("email\nada@example.com\n"))
	})

	_, err := ts.client.Reports.Download(context.Background(), "rpt_3c9d", failingWriter{})
	require.ErrorContains(t, err, "disk full")
	assert.EqualValues(t, 1, ts.requests.Load(), "a failed copy is not retried")
}

func TestReportsInvalid(t *testing.T) {
	ctx := context.Background()
	create := func(eventID string, typ ReportType, req *ReportCreateRequest) func(*Client) error {
		return func(c *Client) error { _, err := c.Reports.Create(ctx, eventID, typ, req); return err }
	}
	for _, tc := range []struct {
		name  string
		call  func(*Client) error
		field string
	}{
		{"create empty type", create("evt_5kq2", "", nil), "reportType"},
		{"create unknown type", create("evt_5kq2", "attendeelog", nil), "reportType"},
		{"create unknown segment", create("evt_5kq2", ReportTypeChat, &ReportCreateRequest{SegmentType: "booth"}), "ReportCreateRequest.SegmentType"},
		{"create unknown participation", create("evt_5kq2", ReportTypeParticipation, &ReportCreateRequest{ParticipationReportType: "Stage"}), "ReportCreateRequest.ParticipationReportType"},
		{"create version with slash", create("evt_5kq2", ReportTypeChat, &ReportCreateRequest{Version: "2/../../x"}), "ReportCreateRequest.Version"},
		{"create dot version", create("evt_5kq2", ReportTypeChat, &ReportCreateRequest{Version: ".."}), "ReportCreateRequest.Version"},
		{"download nil writer", func(c *Client) error { _, err := c.Reports.Download(ctx, "rpt_3c9d", nil); return err }, "w"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			err := tc.call(ts.client)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.field)
			assert.Zero(t, ts.requests.Load())
		})
	}
}
