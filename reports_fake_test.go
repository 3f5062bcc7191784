package rcevents_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReportFailuresAgainstTheFake plays what goes wrong with reports on the
// fake, as a user's test would: a generation that fails, polls answered
// 500, and a storage origin that fails or finds its pre-signed URL expired.
func TestReportFailuresAgainstTheFake(t *testing.T) {
	checkNoLeaks(t)
	clock := rceventstest.NewClock(time.Date(2025, 6, 12, 9, 0, 0, 0, time.UTC))
	srv := newFake(t, rceventstest.WithReportPolls(2), rceventstest.WithStorageRedirect(), rceventstest.WithClock(clock.Now),
		rceventstest.WithReportFailure(rcevents.ReportTypeChat))
	storageHost := strings.TrimPrefix(srv.StorageURL, "http://")
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	var late atomic.Bool // the file is fetched a minute after the API signed its URL
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if late.Load() && r.URL.Host == storageHost {
			clock.Advance(61 * time.Second)
		}
		return base.RoundTrip(r)
	})}
	c := fakeClient(t, srv, rcevents.WithHTTPClient(hc),
		rcevents.WithRetry(rcevents.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	ctx := context.Background()
	fast := rcevents.WithPollInterval(time.Millisecond, time.Millisecond)

	// The generation fails: Wait says so, naming the report and its status.
	rep, err := c.Reports.Create(ctx, srv.Fixtures.EventID, rcevents.ReportTypeChat, nil)
	require.NoError(t, err)
	got, err := c.Reports.Wait(ctx, rep.ID, fast)
	assert.Nil(t, got)
	require.ErrorIs(t, err, rcevents.ErrReportFailed)
	assert.Equal(t, "rcevents: report failed: "+rep.ID+` has status "failed"`, err.Error())
	_, err = c.Reports.Download(ctx, rep.ID, io.Discard)
	require.ErrorIs(t, err, rcevents.ErrUnprocessable)

	// Two polls answered 500: retried, and the wait goes on.
	rep, err = c.Reports.Create(ctx, srv.Fixtures.EventID, rcevents.ReportTypeAttendees, nil)
	require.NoError(t, err)
	srv.ResetLog()
	srv.FailNext(2, rceventstest.FaultInternalError)
	ready, err := c.Reports.Wait(ctx, rep.ID, fast)
	require.NoError(t, err)
	assert.True(t, ready.Ready())
	var statuses []int
	for _, r := range srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{500, 500, 202, 202, 200}, statuses)

	// The storage origin fails: the error names it and the file's path,
	// never the pre-signed query.
	file := srv.StorageURL + "/reports/" + rep.ID + ".csv"
	srv.SetFaultScope(rceventstest.ScopeStorage)
	srv.FailNext(3, rceventstest.FaultInternalError)
	_, err = c.Reports.Download(ctx, rep.ID, io.Discard)
	require.ErrorIs(t, err, rcevents.ErrServer)
	assert.Equal(t, "rcevents: GET "+file+": 500 Internal Server Error: Something went wrong on our side. (gave up after 3 attempts)", err.Error())
	srv.SetFaultScope(rceventstest.ScopeAPI)

	late.Store(true)
	_, err = c.Reports.Download(ctx, rep.ID, io.Discard)
	require.ErrorIs(t, err, rcevents.ErrForbidden)
	var apiErr *rcevents.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, file, apiErr.URL)
	assert.Contains(t, apiErr.Body, "<Message>Request has expired</Message>")
	assert.NotContains(t, err.Error(), "X-Amz")
	assert.True(t, strings.HasPrefix(err.Error(), "rcevents: GET "+file+": 403 Forbidden: "), err.Error())
}
