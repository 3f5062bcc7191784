package rcevents

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// personList is a purpose-built server for one list of people, magic links
// or registrations: a filter[email] that matches exactly, as the API's
// reference reads, pages of perPage items with meta.count and a next link,
// and creates appended to the list. Its hooks fail chosen requests; its log
// holds every request as "GET <query>" or "POST <email>".
type personList struct {
	t    *testing.T
	typ  string // the JSON:API type of the items
	path string // below basePath

	mu     sync.Mutex
	people []person
	log    []string
	nextID int

	// onGet, when set, may answer a GET r itself (n counts GETs from 1) and
	// return true.
	onGet func(n int, w http.ResponseWriter, r *http.Request) bool
	// onPost, when set, may answer a POST itself (n counts POSTs from 1);
	// store stores the person and returns it.
	onPost func(n int, w http.ResponseWriter, store func() person) bool
	gets   int
	posts  int
}

type person struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

func newPersonList(t *testing.T, ts *testServer, typ, path string, emails ...string) *personList {
	l := &personList{t: t, typ: typ, path: path}
	for _, e := range emails {
		l.add(e)
	}
	ts.mux.HandleFunc(path, l.serve)
	return l
}

// add stores a person; the caller holds no lock.
func (l *personList) add(email string) person {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.addLocked(email, "First", "Last")
}

func (l *personList) addLocked(email, first, last string) person {
	l.nextID++
	p := person{ID: fmt.Sprintf("id_%d", l.nextID), Email: email, FirstName: first, LastName: last}
	l.people = append(l.people, p)
	return p
}

func (l *personList) requests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.log)
}

func (l *personList) count(email string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, p := range l.people {
		if strings.EqualFold(p.Email, email) {
			n++
		}
	}
	return n
}

func (l *personList) serve(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		l.mu.Lock()
		l.gets++
		n := l.gets
		l.log = append(l.log, "GET "+r.URL.RawQuery)
		hook := l.onGet
		l.mu.Unlock()
		if hook != nil && hook(n, w, r) {
			return
		}
		l.list(w, r.URL.Query())
	case http.MethodPost:
		var doc struct {
			Data struct {
				Attributes person `json:"attributes"`
			} `json:"data"`
		}
		body, err := io.ReadAll(r.Body)
		require.NoError(l.t, err)
		require.NoError(l.t, json.Unmarshal(body, &doc, json.RejectUnknownMembers(false)))
		a := doc.Data.Attributes
		l.mu.Lock()
		l.posts++
		n := l.posts
		l.log = append(l.log, "POST "+a.Email)
		hook := l.onPost
		l.mu.Unlock()
		store := func() person {
			l.mu.Lock()
			defer l.mu.Unlock()
			return l.addLocked(a.Email, a.FirstName, a.LastName)
		}
		if hook != nil && hook(n, w, store) {
			return
		}
		l.write(w, http.StatusCreated, map[string]any{"data": l.resource(store())})
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (l *personList) list(w http.ResponseWriter, q url.Values) {
	l.mu.Lock()
	var match []person
	for _, p := range l.people {
		if eq := q.Get("filter[email][eq]"); eq != "" && p.Email != eq {
			continue
		}
		if in := q.Get("filter[email][in]"); in != "" && !slices.Contains(strings.Split(in, ","), p.Email) {
			continue
		}
		match = append(match, p)
	}
	l.mu.Unlock()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	per, _ := strconv.Atoi(q.Get("perPage"))
	if per == 0 {
		per = 25
	}
	from, to := min((page-1)*per, len(match)), min(page*per, len(match))
	data := []any{}
	for _, p := range match[from:to] {
		data = append(data, l.resource(p))
	}
	links := map[string]any{"next": nil}
	if to < len(match) {
		links["next"] = fmt.Sprintf("https://api.example/%s?page=%d", l.path, page+1)
	}
	l.write(w, http.StatusOK, map[string]any{"data": data, "meta": map[string]any{"count": len(match)}, "links": links})
}

func (l *personList) resource(p person) map[string]any {
	return map[string]any{"id": p.ID, "type": l.typ, "attributes": p}
}

func (l *personList) write(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	require.NoError(l.t, err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// filterQuery is the query of a look-up of emails.
func filterQuery(emails ...string) string {
	v := url.Values{"perPage": {"100"}}
	if len(emails) == 1 {
		v.Set("filter[email][eq]", emails[0])
	} else {
		v.Set("filter[email][in]", strings.Join(emails, ","))
	}
	return v.Encode()
}

// pageQuery is the query of page n of a walk.
func pageQuery(n int) string {
	return url.Values{"page": {strconv.Itoa(n)}, "perPage": {"100"}}.Encode()
}

const linksPath = "/v1/tickets/tkt_1/magicLinks"

func linkReq(email string) *MagicLinkCreateRequest {
	return &MagicLinkCreateRequest{Email: email, FirstName: "Ann", LastName: "Lee"}
}

// ensureRetry keeps the look-ups of lost answers fast: 1 ms, 2 ms, 4 ms.
var ensureRetry = WithRetry(RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})

func TestEnsureFindsWithTheFilter(t *testing.T) {
	ts := newTestServer(t, ensureRetry)
	l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org", "ann@x.org")
	var resp Response
	link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("Ann@X.org"), WithResponse(&resp))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, &MagicLink{ID: "id_2", Email: "ann@x.org", FirstName: "First", LastName: "Last"}, link)
	assert.Equal(t, []string{"GET " + filterQuery("Ann@X.org", "ann@x.org")}, l.requests())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestEnsureWalksWhenTheFilterMissesAnotherCase: the server's filter
// matches exactly and holds the person as ANN@x.org; asked for Ann@X.org,
// the filter finds nothing and the walk finds the link on page 3.
func TestEnsureWalksWhenTheFilterMissesAnotherCase(t *testing.T) {
	ts := newTestServer(t, ensureRetry, WithPageConcurrency(2))
	var emails []string
	for i := range 230 {
		emails = append(emails, fmt.Sprintf("p%d@x.org", i))
	}
	l := newPersonList(t, ts, "magicLink", linksPath, append(emails, "ANN@x.org")...)
	link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("Ann@X.org"))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, "id_231", link.ID)
	assert.Equal(t, "ANN@x.org", link.Email)
	reqs := l.requests()
	assert.Equal(t, "GET "+filterQuery("Ann@X.org", "ann@x.org"), reqs[0])
	assert.ElementsMatch(t, []string{"GET " + pageQuery(1), "GET " + pageQuery(2), "GET " + pageQuery(3)}, reqs[1:])
	assert.Equal(t, 1, l.count("ann@x.org"))
}

func TestEnsureCreates(t *testing.T) {
	for _, tc := range []struct {
		email  string
		lookup string
	}{
		{"ann@x.org", filterQuery("ann@x.org")},
		{"Ann@X.org", filterQuery("Ann@X.org", "ann@x.org")},
	} {
		t.Run(tc.email, func(t *testing.T) {
			ts := newTestServer(t, ensureRetry)
			l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
			var resp Response
			link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq(tc.email), WithResponse(&resp))
			require.NoError(t, err)
			assert.True(t, created)
			assert.Equal(t, &MagicLink{ID: "id_2", Email: tc.email, FirstName: "Ann", LastName: "Lee"}, link)
			assert.Equal(t, []string{"GET " + tc.lookup, "GET " + pageQuery(1), "POST " + tc.email}, l.requests())
			assert.Equal(t, http.StatusCreated, resp.StatusCode, "the answer to the last request")
			assert.Equal(t, 1, resp.Attempts)
		})
	}
}

func TestEnsureRegistration(t *testing.T) {
	ts := newTestServer(t, ensureRetry)
	l := newPersonList(t, ts, "registration", "/v1/events/evt_1/registrations", "Bob@X.org")
	reg, created, err := ts.client.Registrations.Ensure(context.Background(), "evt_1",
		&RegistrationCreateRequest{Email: "bob@x.org", FirstName: "Bob", LastName: "Ray"})
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, "id_1", reg.ID)
	reg, created, err = ts.client.Registrations.Ensure(context.Background(), "evt_1",
		&RegistrationCreateRequest{Email: "cy@x.org", FirstName: "Cy", LastName: "Ray"})
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, &Registration{ID: "id_2", Email: "cy@x.org", FirstName: "Cy", LastName: "Ray"}, reg)
	assert.Equal(t, []string{
		"GET " + filterQuery("bob@x.org"), "GET " + pageQuery(1),
		"GET " + filterQuery("cy@x.org"), "GET " + pageQuery(1), "POST cy@x.org",
	}, l.requests())
}

// lost answers a POST as a create whose outcome is unknown: the server
// stores the person or not, then answers 500.
func lost(stored bool) func(int, http.ResponseWriter, func() person) bool {
	return func(_ int, w http.ResponseWriter, store func() person) bool {
		if stored {
			store()
		}
		w.WriteHeader(http.StatusInternalServerError)
		return true
	}
}

func TestEnsureAfterALostAnswer(t *testing.T) {
	lookup := "GET " + filterQuery("ann@x.org")
	t.Run("stored", func(t *testing.T) {
		ts := newTestServer(t, ensureRetry)
		l := newPersonList(t, ts, "magicLink", linksPath)
		l.onPost = lost(true)
		link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.NoError(t, err)
		assert.True(t, created, "it was not there before this call")
		assert.Equal(t, "id_1", link.ID)
		assert.Equal(t, []string{lookup, "GET " + pageQuery(1), "POST ann@x.org", lookup}, l.requests())
	})
	t.Run("not stored, then created", func(t *testing.T) {
		ts := newTestServer(t, ensureRetry)
		l := newPersonList(t, ts, "magicLink", linksPath)
		l.onPost = func(n int, w http.ResponseWriter, store func() person) bool {
			return n == 1 && lost(false)(n, w, store)
		}
		link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.NoError(t, err)
		assert.True(t, created)
		assert.Equal(t, "id_1", link.ID)
		assert.Equal(t, []string{lookup, "GET " + pageQuery(1), "POST ann@x.org", lookup, lookup, lookup, "POST ann@x.org"}, l.requests(),
			"three look-ups in a row find nothing before the second create")
	})
	t.Run("shows up late", func(t *testing.T) {
		ts := newTestServer(t, ensureRetry)
		l := newPersonList(t, ts, "magicLink", linksPath)
		l.onPost = lost(false)
		l.onGet = func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n == 4 { // the second look-up after the create
				l.add("ann@x.org")
			}
			return false
		}
		link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.NoError(t, err)
		assert.True(t, created)
		assert.Equal(t, "id_1", link.ID)
		assert.Equal(t, []string{lookup, "GET " + pageQuery(1), "POST ann@x.org", lookup, lookup}, l.requests())
	})
	t.Run("never stored", func(t *testing.T) {
		ts := newTestServer(t, ensureRetry)
		l := newPersonList(t, ts, "magicLink", linksPath)
		l.onPost = lost(false)
		_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.ErrorIs(t, err, ErrServer)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "the look-ups showed nothing was stored")
		assert.Contains(t, err.Error(), "rcevents: ensuring a magic link: created it 4 times, and each time the answer was lost and nothing was stored; the last: rcevents: POST ")
		want := []string{lookup, "GET " + pageQuery(1)}
		for range 4 {
			want = append(want, "POST ann@x.org", lookup, lookup, lookup)
		}
		assert.Equal(t, want, l.requests())
		assert.Zero(t, l.count("ann@x.org"))
	})
	t.Run("look-ups fail", func(t *testing.T) {
		ts := newTestServer(t, ensureRetry)
		l := newPersonList(t, ts, "magicLink", linksPath)
		l.onPost = lost(true)
		l.onGet = func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n <= 2 {
				return false
			}
			w.WriteHeader(http.StatusBadRequest)
			return true
		}
		_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		require.ErrorIs(t, err, ErrBadRequest, "the last look-up's error")
		require.ErrorIs(t, err, ErrServer, "the create's error")
		assert.Regexp(t, `^rcevents: ensuring a magic link: creating it: rcevents: POST \S+: 500 Internal Server Error \(outcome unknown: the server may have acted on the request\); `+
			`then could not tell whether it was stored \(4 look-ups\): rcevents: GET \S+: 400 Bad Request$`, err.Error())
		assert.Equal(t, []string{lookup, "GET " + pageQuery(1), "POST ann@x.org", lookup, lookup, lookup, lookup}, l.requests())
	})
	t.Run("cancelled", func(t *testing.T) {
		ts := newTestServer(t, ensureRetry)
		l := newPersonList(t, ts, "magicLink", linksPath)
		ctx, cancel := context.WithCancel(context.Background())
		l.onPost = func(_ int, w http.ResponseWriter, store func() person) bool {
			store()
			cancel()
			resetConnection(t, w)
			return true
		}
		_, _, err := ts.client.MagicLinks.Ensure(ctx, "tkt_1", linkReq("ann@x.org"))
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, []string{lookup, "GET " + pageQuery(1), "POST ann@x.org"}, l.requests())
	})
}

func TestEnsureKnownFailures(t *testing.T) {
	for _, status := range []int{http.StatusUnprocessableEntity, http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			ts := newTestServer(t, ensureRetry)
			l := newPersonList(t, ts, "magicLink", linksPath)
			l.onPost = func(_ int, w http.ResponseWriter, _ func() person) bool {
				w.WriteHeader(status)
				return true
			}
			_, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
			require.Error(t, err)
			assert.False(t, created)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown)
			assert.True(t, strings.HasPrefix(err.Error(), "rcevents: ensuring a magic link: creating it: rcevents: POST "), err.Error())
			posts := 1
			if status == http.StatusTooManyRequests {
				posts = 4 // the client retries a 429
			}
			assert.Equal(t, posts, strings.Count(strings.Join(l.requests(), "\n"), "POST"))
		})
	}
	t.Run("walk fails", func(t *testing.T) {
		ts := newTestServer(t, ensureRetry)
		l := newPersonList(t, ts, "magicLink", linksPath)
		l.onGet = func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n == 2 {
				w.WriteHeader(http.StatusForbidden)
				return true
			}
			return false
		}
		_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.ErrorIs(t, err, ErrForbidden)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		assert.Contains(t, err.Error(), "rcevents: ensuring a magic link: looking for it in the whole list: ")
		assert.Len(t, l.requests(), 2, "no create")
	})
	t.Run("invalid", func(t *testing.T) {
		ts := newTestServer(t)
		for _, tc := range []struct {
			ticket string
			req    *MagicLinkCreateRequest
			field  string
		}{
			{"tkt_1", nil, "MagicLinkCreateRequest.Email: is required"}, // a nil request is the zero one
			{"tkt_1", &MagicLinkCreateRequest{Email: "ann@x.org", FirstName: "Ann"}, "MagicLinkCreateRequest.LastName"},
			{"../x", linkReq("ann@x.org"), "ticketID"},
		} {
			_, _, err := ts.client.MagicLinks.Ensure(context.Background(), tc.ticket, tc.req)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.field)
		}
		_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"), WithHeader("Host", "x"))
		require.ErrorIs(t, err, ErrInvalidArgument)
		assert.Zero(t, ts.requests.Load())
	})
}

// TestEnsureTriesALookupAgainAfter500: the client does not retry a GET
// answered 500; Ensure's look-ups do, up to MaxAttempts times.
func TestEnsureTriesALookupAgainAfter500(t *testing.T) {
	ts := newTestServer(t, ensureRetry)
	l := newPersonList(t, ts, "magicLink", linksPath, "ann@x.org")
	l.onGet = func(n int, w http.ResponseWriter, _ *http.Request) bool {
		if n <= 3 {
			w.WriteHeader(http.StatusInternalServerError)
			return true
		}
		return false
	}
	link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, "id_1", link.ID)
	assert.Len(t, l.requests(), 4)

	l.onGet = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusBadGateway)
		return true
	}
	_, _, err = ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
	require.ErrorIs(t, err, ErrServer)
	assert.Len(t, l.requests(), 4+4, "a 502: the client's own 4 attempts, no more")
}

// TestEnsureErrorsHoldNoEmail: the look-up's URL carries the email in its
// filter, and the server echoes it back; the error says neither, whatever
// the case, and its *APIError's URL and details are cut too.
func TestEnsureErrorsHoldNoEmail(t *testing.T) {
	const email = "Ann.Lee+vip@Example.org"
	ts := newTestServer(t, ensureRetry)
	l := newPersonList(t, ts, "magicLink", linksPath)
	l.onGet = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errors":[{"detail":"no person %s (%s)","source":{"parameter":"filter[email][in]=%s"}}]}`,
			strings.ToUpper(email), url.QueryEscape(email), email)
		return true
	}
	_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq(email))
	require.ErrorIs(t, err, ErrBadRequest)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	for _, s := range []string{err.Error(), apiErr.URL, fmt.Sprint(apiErr.Errors), fmt.Sprintf("%+v", err)} {
		lower := strings.ToLower(s)
		assert.NotContains(t, lower, "ann.lee", s)
		assert.NotContains(t, lower, "example.org", s)
	}
	assert.Contains(t, err.Error(), "[REDACTED]")
	assert.Equal(t, 400, apiErr.StatusCode)

	// A transport error names the URL too.
	l.onGet = func(int, http.ResponseWriter, *http.Request) bool { panic(http.ErrAbortHandler) }
	_, _, err = ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq(email))
	require.Error(t, err)
	assert.NotContains(t, strings.ToLower(err.Error()), "example.org", err.Error())
}

// TestEnsureConcurrentCallsCreateOnce: 16 calls of one client for one
// person, in four spellings, at once: one create, one link for all, one
// call reports it created; the client's locks are gone afterwards.
func TestEnsureConcurrentCallsCreateOnce(t *testing.T) {
	ts := newTestServer(t, ensureRetry, WithPageConcurrency(4))
	l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
	spellings := []string{"ann@x.org", "Ann@X.org", "ANN@X.ORG", "aNn@x.Org"}
	var wg sync.WaitGroup
	var creates atomic.Int64
	ids := make([]string, 16)
	start := make(chan struct{})
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq(spellings[i%len(spellings)]))
			if assert.NoError(t, err) {
				ids[i] = link.ID
			}
			if created {
				creates.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 1, creates.Load())
	assert.Equal(t, 1, l.count("ann@x.org"))
	for _, id := range ids {
		assert.Equal(t, "id_2", id)
	}
	assert.Zero(t, ts.client.ensureLocks.size(), "no lock outlives its calls")
	assert.Equal(t, 1, strings.Count(strings.Join(l.requests(), "\n"), "POST"))
}

func TestEnsureWaitsForTheSamePersonOnly(t *testing.T) {
	ts := newTestServer(t, ensureRetry)
	l := newPersonList(t, ts, "magicLink", linksPath)
	e, err := ts.client.MagicLinks.ensurer("tkt_1")
	require.NoError(t, err)
	unlock, err := ts.client.ensureLocks.lock(context.Background(), e.key("ANN@x.org"))
	require.NoError(t, err)

	// Another person is not held back.
	_, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("bob@x.org"))
	require.NoError(t, err)
	assert.True(t, created)
	// The same ticket and person wait, until their context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err = ts.client.MagicLinks.Ensure(ctx, "tkt_1", linkReq("ann@x.org"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.Equal(t, "rcevents: ensuring a magic link: waiting for another call of this client for the same person: context deadline exceeded", err.Error())
	// The same person on another ticket or as a registration does not.
	newPersonList(t, ts, "magicLink", "/v1/tickets/tkt_2/magicLinks")
	_, _, err = ts.client.MagicLinks.Ensure(context.Background(), "tkt_2", linkReq("ann@x.org"))
	require.NoError(t, err)
	newPersonList(t, ts, "registration", "/v1/events/tkt_1/registrations")
	_, _, err = ts.client.Registrations.Ensure(context.Background(), "tkt_1", &RegistrationCreateRequest{Email: "ann@x.org", FirstName: "A", LastName: "L"})
	require.NoError(t, err)

	assert.Equal(t, 1, ts.client.ensureLocks.size())
	unlock()
	assert.Zero(t, ts.client.ensureLocks.size())
	assert.Zero(t, l.count("ann@x.org"))
}

func TestKeyLocks(t *testing.T) {
	var l keyLocks
	ctx := context.Background()
	u1, err := l.lock(ctx, "a")
	require.NoError(t, err)
	got := make(chan func())
	go func() {
		u, err := l.lock(ctx, "a")
		assert.NoError(t, err)
		got <- u
	}()
	u3, err := l.lock(ctx, "b")
	require.NoError(t, err)
	select {
	case <-got:
		t.Fatal("a was locked twice")
	default:
	}
	u1()
	u2 := <-got
	assert.Equal(t, 2, l.size())
	u2()
	u3()
	assert.Zero(t, l.size())
}

func TestFoldKey(t *testing.T) {
	for _, pair := range [][2]string{
		{"ann@x.org", "ANN@X.ORG"},
		{"kelvin@x.org", "\u212aelvin@x.org"}, // KELVIN SIGN folds to k
		{"straße@x.de", "STRAßE@X.DE"},
		{"σ@x.gr", "Σ@x.gr"},
		{"ς@x.gr", "Σ@x.gr"},
	} {
		assert.True(t, strings.EqualFold(pair[0], pair[1]))
		assert.Equal(t, foldKey(pair[0]), foldKey(pair[1]), "%q %q", pair[0], pair[1])
	}
	assert.NotEqual(t, foldKey("ann@x.org"), foldKey("anne@x.org"))
	assert.NotEqual(t, foldKey("strasse@x.de"), foldKey("straße@x.de"), "EqualFold does not fold ß to ss")
}

// FuzzFoldKey checks that foldKey puts two strings under one key exactly
// when strings.EqualFold says they are equal: the client's locks and
// EnsureAll's matching use the key, the look-ups EqualFold.
func FuzzFoldKey(f *testing.F) {
	f.Add("ann@x.org", "ANN@X.ORG")
	f.Add("\u212a", "k")
	f.Add("ß", "SS")
	f.Add("\xff", "\xfe")
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.EqualFold(a, b) != (foldKey(a) == foldKey(b)) {
			t.Fatalf("EqualFold(%q, %q) = %t, foldKeys %q and %q", a, b, strings.EqualFold(a, b), foldKey(a), foldKey(b))
		}
		if utf8.ValidString(a) && !strings.EqualFold(a, foldKey(a)) {
			t.Fatalf("foldKey(%q) = %q, not EqualFold to it", a, foldKey(a))
		}
	})
}

// TestEnsureAllWalksOnceAndCreatesTheMissing: 250 links on the server, 3
// pages; a batch of 8 requests, of which 3 are there in another case, 1
// repeats an earlier request in another case and 1 is invalid: 3 pages and
// 3 creates, no look-up, results in the batch's order.
func TestEnsureAllWalksOnceAndCreatesTheMissing(t *testing.T) {
	ts := newTestServer(t, ensureRetry, WithPageConcurrency(3))
	var emails []string
	for i := range 250 {
		emails = append(emails, fmt.Sprintf("p%d@x.org", i))
	}
	l := newPersonList(t, ts, "magicLink", linksPath, emails...)
	reqs := []*MagicLinkCreateRequest{
		linkReq("P7@X.org"),
		linkReq("new1@x.org"),
		linkReq("p249@x.org"),
		{Email: "bad@x.org"},
		linkReq("New2@x.org"),
		linkReq("NEW1@X.ORG"),
		linkReq("p120@X.ORG"),
		linkReq("new3@x.org"),
	}
	var got []string
	var results []EnsureResult[MagicLink]
	for i, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs, WithProgress(func(int, int) { t.Error("progress reported") })) {
		got = append(got, strconv.Itoa(i))
		results = append(results, res)
	}
	assert.Equal(t, []string{"0", "1", "2", "3", "4", "5", "6", "7"}, got, "in the batch's order")
	want := []struct {
		id      string
		created bool
	}{{"id_8", false}, {"", true}, {"id_250", false}, {}, {"", true}, {"", false}, {"id_121", false}, {"", true}}
	for i, w := range want {
		res := results[i]
		if i == 3 {
			require.ErrorIs(t, res.Err, ErrInvalidArgument)
			assert.Nil(t, res.Item)
			continue
		}
		require.NoError(t, res.Err, "request %d", i)
		assert.Equal(t, w.created, res.Created, "request %d", i)
		assert.True(t, strings.EqualFold(reqs[i].Email, res.Item.Email), "request %d", i)
		if w.id != "" {
			assert.Equal(t, w.id, res.Item.ID, "request %d", i)
		}
	}
	assert.Equal(t, results[1].Item, results[5].Item, "a repeated email gets the first request's link")
	assert.NotSame(t, results[1].Item, results[5].Item, "a copy of it")

	reqLog := l.requests()
	assert.ElementsMatch(t, []string{"GET " + pageQuery(1), "GET " + pageQuery(2), "GET " + pageQuery(3)}, reqLog[:3])
	assert.ElementsMatch(t, []string{"POST new1@x.org", "POST New2@x.org", "POST new3@x.org"}, reqLog[3:])
	for _, e := range []string{"new1@x.org", "new2@x.org", "new3@x.org", "p7@x.org"} {
		assert.Equal(t, 1, l.count(e), e)
	}
	assert.Zero(t, ts.client.ensureLocks.size())

	// Again: everything is there, one walk and nothing else.
	for _, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs) {
		assert.False(t, res.Created)
	}
	assert.Len(t, l.requests(), len(reqLog)+3)
}

func TestEnsureAllLostAnswers(t *testing.T) {
	ts := newTestServer(t, ensureRetry)
	l := newPersonList(t, ts, "magicLink", linksPath)
	l.onPost = func(n int, w http.ResponseWriter, store func() person) bool {
		switch n {
		case 1:
			return lost(true)(n, w, store) // a.org is stored, its answer lost
		case 2:
			return lost(false)(n, w, store) // b.org is not, and is created again
		}
		return false
	}
	reqs := []*MagicLinkCreateRequest{linkReq("a@a.org"), linkReq("b@b.org")}
	for _, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs) {
		require.NoError(t, res.Err)
		assert.True(t, res.Created)
	}
	a, b := "GET "+filterQuery("a@a.org"), "GET "+filterQuery("b@b.org")
	assert.Equal(t, []string{"GET " + pageQuery(1), "POST a@a.org", a, "POST b@b.org", b, b, b, "POST b@b.org"}, l.requests())
	assert.Equal(t, 1, l.count("a@a.org"))
	assert.Equal(t, 1, l.count("b@b.org"))
}

func TestEnsureAllFailures(t *testing.T) {
	t.Run("walk fails", func(t *testing.T) {
		ts := newTestServer(t, ensureRetry)
		l := newPersonList(t, ts, "magicLink", linksPath)
		l.onGet = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			w.WriteHeader(http.StatusForbidden)
			return true
		}
		reqs := []*MagicLinkCreateRequest{linkReq("a@a.org"), nil, linkReq("A@A.org")}
		n := 0
		for i, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs) {
			n++
			require.Error(t, res.Err)
			if i == 1 {
				assert.ErrorIs(t, res.Err, ErrInvalidArgument)
				continue
			}
			assert.ErrorIs(t, res.Err, ErrForbidden)
			assert.Contains(t, res.Err.Error(), "rcevents: ensuring magic links: listing the existing ones: ")
		}
		assert.Equal(t, 3, n)
		assert.Equal(t, []string{"GET " + pageQuery(1)}, l.requests())
	})
	t.Run("bad ticket or option", func(t *testing.T) {
		ts := newTestServer(t)
		for _, seq := range []func(func(int, EnsureResult[MagicLink]) bool){
			ts.client.MagicLinks.EnsureAll(context.Background(), "", []*MagicLinkCreateRequest{linkReq("a@a.org"), linkReq("b@b.org")}),
			ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", []*MagicLinkCreateRequest{linkReq("a@a.org"), linkReq("b@b.org")}, WithHeader("", "x")),
		} {
			n := 0
			for _, res := range seq {
				n++
				assert.ErrorIs(t, res.Err, ErrInvalidArgument)
			}
			assert.Equal(t, 2, n)
		}
		assert.Zero(t, ts.requests.Load())
	})
	t.Run("empty", func(t *testing.T) {
		ts := newTestServer(t)
		for range ts.client.Registrations.EnsureAll(context.Background(), "evt_1", nil) {
			t.Fatal("a result for no request")
		}
		assert.Zero(t, ts.requests.Load())
	})
	t.Run("cancelled", func(t *testing.T) {
		ts := newTestServer(t, ensureRetry)
		l := newPersonList(t, ts, "magicLink", linksPath)
		ctx, cancel := context.WithCancel(context.Background())
		l.onPost = func(_ int, w http.ResponseWriter, store func() person) bool {
			store()
			cancel()
			resetConnection(t, w)
			return true
		}
		reqs := []*MagicLinkCreateRequest{linkReq("a@a.org"), linkReq("b@b.org"), linkReq("c@c.org")}
		var errs []error
		for _, res := range ts.client.MagicLinks.EnsureAll(ctx, "tkt_1", reqs) {
			errs = append(errs, res.Err)
		}
		require.Len(t, errs, 3, "every request gets a result")
		assert.ErrorIs(t, errs[0], ErrOutcomeUnknown, "sent, and its answer lost")
		for _, err := range errs[1:] {
			assert.ErrorIs(t, err, context.Canceled)
			assert.NotErrorIs(t, err, ErrOutcomeUnknown, "never sent")
		}
		assert.Equal(t, []string{"GET " + pageQuery(1), "POST a@a.org"}, l.requests())
		assert.Zero(t, ts.client.ensureLocks.size())
	})
}

// TestEnsureAllCreatesUpToThePageConcurrency: the server holds each create
// until four are in flight; a fifth never comes while they are.
func TestEnsureAllCreatesUpToThePageConcurrency(t *testing.T) {
	const n = 4
	ts := newTestServer(t, ensureRetry, WithPageConcurrency(n))
	l := newPersonList(t, ts, "magicLink", linksPath)
	var inFlight, most atomic.Int64
	all := make(chan struct{})
	var once sync.Once
	l.onPost = func(_ int, w http.ResponseWriter, store func() person) bool {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		if now == n {
			once.Do(func() { close(all) })
		}
		select {
		case <-all:
		case <-time.After(10 * time.Second):
			t.Error("fewer than 4 creates at once")
		}
		return false
	}
	var reqs []*MagicLinkCreateRequest
	for i := range 3 * n {
		reqs = append(reqs, linkReq(fmt.Sprintf("p%d@x.org", i)))
	}
	for _, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs) {
		require.NoError(t, res.Err)
		assert.True(t, res.Created)
	}
	assert.EqualValues(t, n, most.Load())
}

// TestEnsureAllBreak: breaking out of the loop stops the batch, and the
// loop ends only once the creates in flight are done: a second batch finds
// every link the first made, and makes each of the others once.
func TestEnsureAllBreak(t *testing.T) {
	ts := newTestServer(t, ensureRetry, WithPageConcurrency(4))
	l := newPersonList(t, ts, "magicLink", linksPath)
	var reqs []*MagicLinkCreateRequest
	for i := range 50 {
		reqs = append(reqs, linkReq(fmt.Sprintf("p%d@x.org", i)))
	}
	posts := func() int { return strings.Count(strings.Join(l.requests(), "\n"), "POST") }
	for _, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs) {
		require.NoError(t, res.Err)
		break
	}
	first := posts()
	assert.Zero(t, ts.client.ensureLocks.size())
	assert.Equal(t, first, len(l.people), "every create sent was answered before the loop ended")

	created := 0
	for _, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs) {
		require.NoError(t, res.Err)
		if res.Created {
			created++
		}
	}
	assert.Equal(t, 50-first, created)
	assert.Equal(t, 50, posts())
	for _, r := range reqs {
		assert.Equal(t, 1, l.count(r.Email), r.Email)
	}
}

// TestEnsureAllBreakDuringTheWalk: a caller that stops at a first result
// that needs no request (an invalid one) stops the walk, which the server
// holds until then; nothing is created.
func TestEnsureAllBreakDuringTheWalk(t *testing.T) {
	ts := newTestServer(t, ensureRetry)
	l := newPersonList(t, ts, "magicLink", linksPath)
	broken := make(chan struct{})
	l.onGet = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		<-broken
		select {
		case <-r.Context().Done(): // the client gave up the walk
		case <-time.After(time.Minute):
			t.Error("the walk went on after the caller stopped")
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	reqs := []*MagicLinkCreateRequest{nil, linkReq("a@a.org")}
	for _, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs) {
		require.ErrorIs(t, res.Err, ErrInvalidArgument)
		close(broken)
		break
	}
	assert.LessOrEqual(t, len(l.requests()), 1, "the walk's first page at most: not retried, no create")
	assert.Zero(t, ts.client.ensureLocks.size())
}

// TestEnsureWaitsForEnsureAll: a batch holds its people until it is done
// with them; an Ensure for one of them, made while the batch creates it,
// waits, then finds the link and creates nothing.
func TestEnsureWaitsForEnsureAll(t *testing.T) {
	ts := newTestServer(t, ensureRetry)
	l := newPersonList(t, ts, "magicLink", linksPath)
	posted, release := make(chan struct{}), make(chan struct{})
	l.onPost = func(n int, w http.ResponseWriter, store func() person) bool {
		if n == 1 {
			close(posted)
			<-release
		}
		return false
	}
	done := make(chan EnsureResult[MagicLink])
	go func() {
		for _, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", []*MagicLinkCreateRequest{linkReq("ann@x.org")}) {
			done <- res
		}
	}()
	<-posted
	e, err := ts.client.MagicLinks.ensurer("tkt_1")
	require.NoError(t, err)
	type result struct {
		link    *MagicLink
		created bool
		err     error
	}
	single := make(chan result)
	go func() {
		link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("Ann@x.org"))
		single <- result{link, created, err}
	}()
	for waiting := false; !waiting; {
		ts.client.ensureLocks.mu.Lock()
		waiting = ts.client.ensureLocks.m[e.key("ann@x.org")].refs == 2
		ts.client.ensureLocks.mu.Unlock()
		runtime.Gosched()
	}
	close(release)
	batch, got := <-done, <-single
	require.NoError(t, batch.Err)
	require.NoError(t, got.err)
	assert.True(t, batch.Created)
	assert.False(t, got.created)
	assert.Equal(t, batch.Item.ID, got.link.ID)
	assert.Equal(t, []string{"GET " + pageQuery(1), "POST ann@x.org", "GET " + filterQuery("Ann@x.org", "ann@x.org")}, l.requests())
}
