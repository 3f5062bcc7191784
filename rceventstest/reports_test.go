package rceventstest_test

import (
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
	"github.com/rcevents/rcevents-go/rceventstest"
)

func TestReportLifecycle(t *testing.T) {
	srv, c := start(t, rceventstest.WithReportPolls(2))
	fx := srv.Fixtures
	created := expect[oneJSON](c, http.StatusCreated, http.MethodPost, "/v1/events/"+fx.EventID+"/reports/attendees", nil).Data
	checkResource(t, created, "report")
	if created.Attributes["status"] != "in_progress" || created.Attributes["url"] != "" {
		t.Errorf("created report: %v", created.Attributes)
	}
	path := "/v1/reports/" + created.ID
	// Not ready: the download answers like the report itself, without using up a poll.
	if early := expect[oneJSON](c, http.StatusAccepted, http.MethodGet, path+"/download", nil).Data; early.Type != "in_progress_report" {
		t.Errorf("early download: %+v", early)
	}
	for i := 0; i < 2; i++ {
		pending := expect[oneJSON](c, http.StatusAccepted, http.MethodGet, path, nil).Data
		checkResource(t, pending, "in_progress_report")
		if pending.Attributes["status"] != "in_progress" {
			t.Errorf("poll %d: %v", i, pending.Attributes)
		}
	}
	ready := c.get(path)
	checkResource(t, ready, "report")
	want := srv.URL + path + "/download"
	if ready.Attributes["status"] != "completed" || ready.Attributes["url"] != want || !strings.HasPrefix(ready.Attributes["title"].(string), "Attendees report") {
		t.Fatalf("ready report: %v", ready.Attributes)
	}
	c.get(path) // stays ready

	r := c.do(http.MethodGet, path+"/download", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("download: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != fx.Registrations+1 || rows[0][0] != "Registration ID" || rows[1][0] != fx.RegistrationID {
		t.Errorf("CSV: %d rows, first %v", len(rows), rows[:2])
	}

	l := c.list("/v1/events/" + fx.EventID + "/reports")
	if l.Meta.Count != 3 || l.Data[0].ID != fx.ReportID || l.Data[2].ID != created.ID {
		t.Errorf("reports: %+v", l)
	}
	for _, rep := range l.Data {
		checkResource(t, rep, "report")
	}
	if seeded := c.get("/v1/reports/" + fx.ReportID); seeded.Attributes["status"] != "completed" {
		t.Errorf("seeded report: %v", seeded.Attributes)
	}
	if got := srv.Stats().ReportsCreated; got != 1 {
		t.Errorf("ReportsCreated = %d", got)
	}
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/reports/nope", nil)
	c.failure(http.StatusNotFound, http.MethodGet, "/v1/reports/nope/download", nil)
}

func TestCreateReport(t *testing.T) {
	srv, c := start(t, rceventstest.WithReportPolls(0))
	ev := "/v1/events/" + srv.Fixtures.EventID + "/reports/"
	rep := expect[oneJSON](c, http.StatusCreated, http.MethodPost, ev+"schedule/2", map[string]any{
		"data": map[string]any{"attributes": map[string]any{"segmentType": "stage", "virtualSpaceId": srv.Fixtures.StageID, "participationReportType": "all"}},
	}).Data
	if rep.Attributes["status"] != "completed" {
		t.Errorf("report with no polls: %v", rep.Attributes)
	}
	r := c.do(http.MethodGet, "/v1/reports/"+rep.ID+"/download", nil)
	if !strings.HasPrefix(string(r.Body), "Schedule item ID,") {
		t.Errorf("schedule CSV: %.80s", r.Body)
	}
	for _, typ := range []string{"summary", "boothInteraction", "engagement", "noShows"} {
		expect[oneJSON](c, http.StatusCreated, http.MethodPost, ev+typ, nil)
	}
	if errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, ev+"everything", nil); errs[0].Source["parameter"] != "reportType" {
		t.Errorf("bad type: %+v", errs)
	}
	if errs := c.failure(http.StatusUnprocessableEntity, http.MethodPost, ev+"attendees/3", nil); errs[0].Source["parameter"] != "reportVersion" {
		t.Errorf("bad version: %+v", errs)
	}
	c.failure(http.StatusUnprocessableEntity, http.MethodPost, ev+"attendees", map[string]any{"data": map[string]any{"attributes": map[string]any{"segmentType": "lobby"}}})
	c.failure(http.StatusNotFound, http.MethodPost, "/v1/events/nope/reports/attendees", nil)
}

func TestReportFailure(t *testing.T) {
	srv, c := start(t, rceventstest.WithReportPolls(1), rceventstest.WithStorageRedirect(), rceventstest.WithReportFailure(rcevents.ReportTypeChat))
	ev := "/v1/events/" + srv.Fixtures.EventID + "/reports/"
	failed := expect[oneJSON](c, http.StatusCreated, http.MethodPost, ev+"chat", nil).Data
	done := expect[oneJSON](c, http.StatusCreated, http.MethodPost, ev+"attendees", nil).Data
	for _, rep := range []resourceJSON{failed, done} {
		if pending := expect[oneJSON](c, http.StatusAccepted, http.MethodGet, "/v1/reports/"+rep.ID, nil).Data; pending.Attributes["status"] != "in_progress" {
			t.Errorf("%s before it is done: %v", rep.ID, pending.Attributes)
		}
	}
	// Done: the failed report says so and gives no url; its download is refused.
	got := c.get("/v1/reports/" + failed.ID)
	checkResource(t, got, "report")
	if got.Attributes["status"] != "failed" || got.Attributes["url"] != "" {
		t.Errorf("failed report: %v", got.Attributes)
	}
	if errs := c.failure(http.StatusUnprocessableEntity, http.MethodGet, "/v1/reports/"+failed.ID+"/download", nil); errs[0].Code != "report_failed" {
		t.Errorf("failed report's download: %+v", errs)
	}
	// The other type is generated as usual.
	if got := c.get("/v1/reports/" + done.ID); got.Attributes["status"] != "completed" || !strings.HasPrefix(got.Attributes["url"].(string), srv.StorageURL+"/") {
		t.Errorf("other report: %v", got.Attributes)
	}
	l := c.list("/v1/events/" + srv.Fixtures.EventID + "/reports")
	if st := l.Data[len(l.Data)-2].Attributes["status"]; st != "failed" {
		t.Errorf("listed failed report: status %v", st)
	}

	// Without types, every report fails.
	srv, c = start(t, rceventstest.WithReportPolls(0), rceventstest.WithReportFailure())
	for _, typ := range rcevents.ReportTypes() {
		rep := expect[oneJSON](c, http.StatusCreated, http.MethodPost, "/v1/events/"+srv.Fixtures.EventID+"/reports/"+string(typ), nil).Data
		if rep.Attributes["status"] != "failed" || rep.Attributes["url"] != "" {
			t.Errorf("%s: %v", typ, rep.Attributes)
		}
	}
}

func TestReportStorageRedirect(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, c := start(t, rceventstest.WithStorageRedirect(), rceventstest.WithClock(clock))
	if srv.StorageURL == "" || srv.StorageURL == srv.URL {
		t.Fatalf("storage URL %q", srv.StorageURL)
	}
	download := srv.URL + "/v1/reports/" + srv.Fixtures.ReportID + "/download"

	// Not following the redirect: a 302 to a pre-signed URL on the storage origin.
	noFollow := *srv.HTTPClient()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ := http.NewRequest(http.MethodGet, download, nil)
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	location := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(location, srv.StorageURL+"/") || !strings.Contains(location, "X-Amz-Signature=") {
		t.Fatalf("download: %d, Location %q", resp.StatusCode, location)
	}

	// Go's client keeps the Authorization header across a redirect to the same host on
	// another port, which pre-signed storage refuses.
	srv.ResetLog()
	r := c.do(http.MethodGet, download, nil)
	if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "AccessDenied") {
		t.Fatalf("following with the token: %d %s", r.Status, r.Body)
	}
	log := srv.Requests()
	if len(log) != 2 || log[1].Storage != true || log[1].AuthHeader != true || log[1].Status != http.StatusForbidden {
		t.Errorf("log: %+v", log)
	}

	// A client that drops credentials on the way gets the file.
	stripping := *srv.HTTPClient()
	stripping.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		req.Header.Del("Authorization")
		return nil
	}
	c.hc = &stripping
	srv.ResetLog()
	r = c.do(http.MethodGet, download, nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(string(r.Body), "Registration ID,") {
		t.Fatalf("following without the token: %d %.100s", r.Status, r.Body)
	}
	if log := srv.Requests(); len(log) != 2 || !log[1].Storage || log[1].AuthHeader || log[1].Status != http.StatusOK {
		t.Errorf("log: %+v", log)
	}

	// The report's url is pre-signed on the storage origin and expires after a minute.
	signed := c.get("/v1/reports/" + srv.Fixtures.ReportID).Attributes["url"].(string)
	c.token = ""
	if r := c.do(http.MethodGet, signed, nil); r.Status != http.StatusOK {
		t.Errorf("pre-signed url: %d", r.Status)
	}
	u, _ := url.Parse(signed)
	q := u.Query()
	q.Set("X-Amz-Signature", strings.Repeat("0", 64))
	u.RawQuery = q.Encode()
	if r := c.do(http.MethodGet, u.String(), nil); r.Status != http.StatusForbidden {
		t.Errorf("tampered url: %d", r.Status)
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	if r := c.do(http.MethodGet, signed, nil); r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "expired") {
		t.Errorf("expired url: %d %s", r.Status, r.Body)
	}
}

func TestLargeReportStreams(t *testing.T) {
	srv, c := start(t, rceventstest.WithRegistrations(20000))
	resp, err := c.hc.Do(authorized(t, srv, "/v1/reports/"+srv.Fixtures.ReportID+"/download"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows := 0
	rd := csv.NewReader(resp.Body)
	for {
		_, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
	}
	if rows != 20001 {
		t.Errorf("%d rows, want 20001", rows)
	}
}

// authorized builds a GET carrying the server's static token.
func authorized(t *testing.T, srv *rceventstest.Server, path string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	return req
}
