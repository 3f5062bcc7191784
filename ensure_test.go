package rcevents

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
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
// reference reads, a filter[updatedAt][gte], pages of perPage items with
// meta.count and a next link, and creates appended to the list. The people
// it starts with were updated in 2020, a minute apart; those created through
// it, now. Its hooks fail chosen requests; hideNew makes its lists leave out
// the people created through it, as an API whose lists lag behind its writes
// does. Its log holds every request as "GET <query>", with the time of an
// updatedAt filter written W, or "POST <email>".
type personList struct {
	t    *testing.T
	typ  string // the JSON:API type of the items
	path string // below basePath

	mu      sync.Mutex
	people  []person
	log     []string
	nextID  int
	hideNew bool

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
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`

	created bool // through the server
}

func newPersonList(t *testing.T, ts *testServer, typ, path string, emails ...string) *personList {
	l := &personList{t: t, typ: typ, path: path}
	for i, e := range emails {
		at := time.Date(2020, 1, 1, 0, i, 0, 0, time.UTC)
		l.people = append(l.people, person{ID: fmt.Sprintf("id_%d", i+1), Email: e, FirstName: "First", LastName: "Last", CreatedAt: at, UpdatedAt: at})
	}
	l.nextID = len(emails)
	ts.mux.HandleFunc(path, l.serve)
	return l
}

// addLocked stores a person as created now. The caller holds l.mu.
func (l *personList) addLocked(email, first, last string) person {
	l.nextID++
	now := time.Now().UTC().Truncate(time.Second)
	p := person{ID: fmt.Sprintf("id_%d", l.nextID), Email: email, FirstName: first, LastName: last, CreatedAt: now, UpdatedAt: now, created: true}
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
		q := r.URL.Query()
		if q.Has(updatedGte) {
			q.Set(updatedGte, "W")
		}
		l.mu.Lock()
		l.gets++
		n := l.gets
		l.log = append(l.log, "GET "+q.Encode())
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

// updatedGte is the query parameter of Sync's filter.
const updatedGte = "filter[updatedAt][gte]"

func (l *personList) list(w http.ResponseWriter, q url.Values) {
	since, err := time.Parse(time.RFC3339, q.Get(updatedGte))
	if q.Has(updatedGte) {
		require.NoError(l.t, err)
	}
	l.mu.Lock()
	var match []person
	for _, p := range l.people {
		if eq := q.Get("filter[email][eq]"); eq != "" && p.Email != eq {
			continue
		}
		if in := q.Get("filter[email][in]"); in != "" && !slices.Contains(strings.Split(in, ","), p.Email) {
			continue
		}
		if p.UpdatedAt.Before(since) || p.created && l.hideNew {
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

// pageQuery is the query of page n of a walk.
func pageQuery(n int) string {
	return url.Values{"page": {strconv.Itoa(n)}, "perPage": {"100"}}.Encode()
}

// The reads of a list as the log shows them: the first page of a walk, and
// the first page of what changed since the index's watermark.
var (
	walk    = "GET " + pageQuery(1)
	changes = "GET " + url.Values{updatedGte: {"W"}, "page": {"1"}, "perPage": {"100"}}.Encode()
)

const linksPath = "/v1/tickets/tkt_1/magicLinks"

func linkReq(email string) *MagicLinkCreateRequest {
	return &MagicLinkCreateRequest{Email: email, FirstName: "Ann", LastName: "Lee"}
}

// noContext is a nil context, which Ensure and EnsureAll refuse.
var noContext context.Context

// ensureRetry keeps the retries of the tests fast: 1 ms, 2 ms, 4 ms.
var ensureRetry = WithRetry(RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})

// newEnsureServer is newTestServer with ensureRetry, whose client reads the
// list 1 ms after a lost answer rather than settleAfter: personList lists a
// write at once.
func newEnsureServer(t *testing.T, opts ...Option) *testServer {
	ts := newTestServer(t, append([]Option{ensureRetry}, opts...)...)
	ts.client.people.settle = time.Millisecond
	return ts
}

// linkIndex is the client's index of a ticket's links.
func linkIndex(t *testing.T, c *Client, ticketID string) *personIndex[MagicLink, *MagicLink, MagicLinkCreateRequest, *MagicLinkCreateRequest] {
	x, err := indexOf(context.Background(), c, "ticketID", ticketID, "magic link", c.MagicLinks.Sync, c.MagicLinks.Create)
	require.NoError(t, err)
	return x
}

// assertIdle asserts that no call holds a person of the index, and that it
// holds an item for each of its entries and nothing else.
func assertIdle[T any, PT personItem[T], R any, PR personRequest[R]](t *testing.T, x *personIndex[T, PT, R, PR]) {
	t.Helper()
	x.locked(func() {
		for key, e := range x.entries {
			assert.Nil(t, e.busy, "%s is held", key)
			assert.True(t, e.lost.IsZero(), "%s is marked lost", key)
			assert.NotNil(t, e.item, "%s has no item", key)
		}
	})
}

// syncRequests returns the requests a first Sync of the ticket's links
// sends to l, through a new client with opts: those a first Ensure makes
// before its create.
func syncRequests(t *testing.T, ts *testServer, l *personList, opts ...Option) []string {
	c, err := NewClient(append([]Option{WithBaseURL(ts.URL + basePath), WithToken(testToken)}, opts...)...)
	require.NoError(t, err)
	before := len(l.requests())
	for _, err := range c.MagicLinks.Sync(context.Background(), "tkt_1", &SyncCursor{}) {
		require.NoError(t, err)
	}
	return l.requests()[before:]
}

// TestEnsureFindsAnotherCase: the server's filter matches case exactly and
// holds ann@x.org; asked for Ann@X.org, the client walks the list, finds
// her, and creates nothing.
func TestEnsureFindsAnotherCase(t *testing.T) {
	ts := newEnsureServer(t)
	l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org", "ann@x.org")
	var resp Response
	link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("Ann@X.org"), WithResponse(&resp))
	require.NoError(t, err)
	assert.False(t, created)
	at := time.Date(2020, 1, 1, 0, 1, 0, 0, time.UTC)
	assert.Equal(t, &MagicLink{ID: "id_2", Email: "ann@x.org", FirstName: "First", LastName: "Last", CreatedAt: at, UpdatedAt: at}, link)
	assert.Equal(t, []string{walk}, l.requests())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestEnsureWalksTheListOnce: 231 links, the last ANN@x.org; asked for
// Ann@X.org, the first Ensure walks the ticket's links as a first Sync does,
// and finds her on page 3; asked again, in another case, it reads only what
// changed since.
func TestEnsureWalksTheListOnce(t *testing.T) {
	ts := newEnsureServer(t, WithPageConcurrency(2))
	var emails []string
	for i := range 230 {
		emails = append(emails, fmt.Sprintf("p%d@x.org", i))
	}
	l := newPersonList(t, ts, "magicLink", linksPath, append(emails, "ANN@x.org")...)
	sync := syncRequests(t, ts, l, WithPageConcurrency(2))
	require.Contains(t, sync, "GET "+pageQuery(3))
	before := len(l.requests())

	link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("Ann@X.org"))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, "id_231", link.ID)
	assert.Equal(t, "ANN@x.org", link.Email)
	assert.ElementsMatch(t, sync, l.requests()[before:])
	x := linkIndex(t, ts.client, "tkt_1")
	x.locked(func() { assert.Len(t, x.entries, 231, "a copy of every link") })

	before = len(l.requests())
	link, created, err = ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.ORG"))
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, "id_231", link.ID)
	assert.Equal(t, []string{changes}, l.requests()[before:])
	assert.Equal(t, 1, l.count("ann@x.org"))
}

func TestEnsureCreates(t *testing.T) {
	for _, email := range []string{"ann@x.org", "Ann@X.org"} {
		t.Run(email, func(t *testing.T) {
			ts := newEnsureServer(t)
			l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
			var resp Response
			link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq(email), WithResponse(&resp))
			require.NoError(t, err)
			assert.True(t, created)
			assert.Equal(t, "id_2", link.ID)
			assert.Equal(t, email, link.Email)
			assert.Equal(t, "Ann", link.FirstName)
			assert.Equal(t, "Lee", link.LastName)
			assert.WithinDuration(t, time.Now(), link.CreatedAt, time.Minute)
			assert.Equal(t, []string{walk, "POST " + email}, l.requests())
			assert.Equal(t, http.StatusCreated, resp.StatusCode, "the answer to the last request")
			assert.Equal(t, 1, resp.Attempts)
		})
	}
}

func TestEnsureRegistration(t *testing.T) {
	ts := newEnsureServer(t)
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
	assert.Equal(t, &Registration{ID: "id_2", Email: "cy@x.org", FirstName: "Cy", LastName: "Ray", CreatedAt: reg.CreatedAt, UpdatedAt: reg.CreatedAt}, reg)
	assert.Equal(t, []string{walk, changes, "POST cy@x.org"}, l.requests())
}

// TestEnsureRemembersWhatTheListDoesNotShowYet: the server's lists never
// show what was created through it. The client creates ann once, and then
// finds her in its index, whatever the case and however many calls ask at
// once, through Ensure and EnsureAll alike.
func TestEnsureRemembersWhatTheListDoesNotShowYet(t *testing.T) {
	ts := newEnsureServer(t, WithPageConcurrency(4))
	l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
	l.hideNew = true
	ctx := context.Background()
	first, created, err := ts.client.MagicLinks.Ensure(ctx, "tkt_1", linkReq("ann@x.org"))
	require.NoError(t, err)
	require.True(t, created)

	var wg sync.WaitGroup
	for _, email := range []string{"ANN@x.org", "Ann@X.org", "ann@x.org", "aNN@x.ORG"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			link, created, err := ts.client.MagicLinks.Ensure(ctx, "tkt_1", linkReq(email))
			if assert.NoError(t, err) {
				assert.False(t, created)
				assert.Equal(t, first, link)
			}
		}()
	}
	wg.Wait()
	reqs := []*MagicLinkCreateRequest{linkReq("ANN@X.ORG"), linkReq("cy@x.org")}
	for run := range 2 {
		for i, res := range ts.client.MagicLinks.EnsureAll(ctx, "tkt_1", reqs) {
			require.NoError(t, res.Err)
			assert.Equal(t, i == 1 && run == 0, res.Created, "run %d, request %d", run, i)
		}
	}
	assert.Equal(t, 1, l.count("ann@x.org"))
	assert.Equal(t, 1, l.count("cy@x.org"))
	posts := slices.DeleteFunc(l.requests(), func(r string) bool { return strings.HasPrefix(r, "GET ") })
	assert.Equal(t, []string{"POST ann@x.org", "POST cy@x.org"}, posts)
	assertIdle(t, linkIndex(t, ts.client, "tkt_1"))
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
	t.Run("stored", func(t *testing.T) {
		ts := newEnsureServer(t)
		l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
		l.onPost = lost(true)
		link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.NoError(t, err)
		assert.True(t, created, "it was not there before this call")
		assert.Equal(t, "id_2", link.ID)
		assert.Equal(t, []string{walk, "POST ann@x.org", changes}, l.requests())
	})
	t.Run("not stored, then created", func(t *testing.T) {
		ts := newEnsureServer(t)
		l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
		l.onPost = func(n int, w http.ResponseWriter, store func() person) bool {
			return n == 1 && lost(false)(n, w, store)
		}
		link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.NoError(t, err)
		assert.True(t, created)
		assert.Equal(t, "id_2", link.ID)
		assert.Equal(t, []string{walk, "POST ann@x.org", changes, "POST ann@x.org"}, l.requests(),
			"a read after the loss finds nothing before the second create")
	})
	t.Run("waits before it reads", func(t *testing.T) {
		ts := newEnsureServer(t)
		ts.client.people.settle = 50 * time.Millisecond
		l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
		var lostAt atomic.Int64 // in UnixNano
		l.onPost = func(n int, w http.ResponseWriter, store func() person) bool {
			defer func() { lostAt.Store(time.Now().UnixNano()) }()
			return lost(true)(n, w, store)
		}
		l.onGet = func(n int, _ http.ResponseWriter, _ *http.Request) bool {
			if n == 2 {
				assert.GreaterOrEqual(t, time.Since(time.Unix(0, lostAt.Load())), 50*time.Millisecond, "read before the settle time")
			}
			return false
		}
		_, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.NoError(t, err)
		assert.True(t, created)
		assert.Equal(t, []string{walk, "POST ann@x.org", changes}, l.requests())
	})
	t.Run("never stored", func(t *testing.T) {
		ts := newEnsureServer(t)
		l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
		l.onPost = lost(false)
		_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.ErrorIs(t, err, ErrServer)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "the reads showed nothing was stored")
		assert.Contains(t, err.Error(), "rcevents: ensuring a magic link: created it 4 times, and each time the answer was lost and nothing was stored; the last: rcevents: POST ")
		want := []string{walk}
		for range 4 {
			want = append(want, "POST ann@x.org", changes)
		}
		assert.Equal(t, want, l.requests())
		assert.Zero(t, l.count("ann@x.org"))
		assertIdle(t, linkIndex(t, ts.client, "tkt_1"))
	})
	t.Run("reads fail, then a later call tells", func(t *testing.T) {
		ts := newEnsureServer(t)
		l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
		l.onPost = lost(true)
		var failing atomic.Bool
		l.onGet = func(n int, w http.ResponseWriter, _ *http.Request) bool {
			if n == 1 || !failing.Load() {
				return false
			}
			w.WriteHeader(http.StatusBadRequest)
			return true
		}
		failing.Store(true)
		_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		require.ErrorIs(t, err, ErrBadRequest, "the read's error")
		require.ErrorIs(t, err, ErrServer, "the create's error")
		assert.Regexp(t, `^rcevents: ensuring a magic link: creating it: rcevents: POST \S+: 500 Internal Server Error \(outcome unknown: the server may have acted on the request\); `+
			`then could not tell whether it was stored: rcevents: GET \S+: 400 Bad Request$`, err.Error())
		assert.Equal(t, []string{walk, "POST ann@x.org", changes}, l.requests())

		// The client remembers the loss: the next call for her reads the
		// list before anything else, finds what the lost create stored, and
		// creates nothing. It did not create it itself.
		failing.Store(false)
		link, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("Ann@x.org"))
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, "id_2", link.ID)
		assert.Equal(t, []string{walk, "POST ann@x.org", changes, changes}, l.requests())
		assert.Equal(t, 1, l.count("ann@x.org"))
	})
	t.Run("cancelled", func(t *testing.T) {
		ts := newEnsureServer(t)
		l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
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
		assert.Equal(t, []string{walk, "POST ann@x.org"}, l.requests())

		// A later call reads before it creates, and finds her.
		_, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, 1, l.count("ann@x.org"))
	})
}

func TestEnsureKnownFailures(t *testing.T) {
	for _, status := range []int{http.StatusUnprocessableEntity, http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			ts := newEnsureServer(t)
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
			assertIdle(t, linkIndex(t, ts.client, "tkt_1"))
		})
	}
	t.Run("read fails", func(t *testing.T) {
		ts := newEnsureServer(t)
		l := newPersonList(t, ts, "magicLink", linksPath)
		l.onGet = func(n int, w http.ResponseWriter, _ *http.Request) bool {
			w.WriteHeader(http.StatusForbidden)
			return true
		}
		_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
		require.ErrorIs(t, err, ErrForbidden)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown)
		assert.Contains(t, err.Error(), "rcevents: ensuring a magic link: listing the existing ones: ")
		assert.Equal(t, []string{walk}, l.requests(), "no create")
	})
	t.Run("invalid", func(t *testing.T) {
		ts := newTestServer(t)
		for _, tc := range []struct {
			ctx    context.Context
			ticket string
			req    *MagicLinkCreateRequest
			field  string
		}{
			{context.Background(), "tkt_1", nil, "MagicLinkCreateRequest.Email: is required"}, // a nil request is the zero one
			{context.Background(), "tkt_1", &MagicLinkCreateRequest{Email: "ann@x.org", FirstName: "Ann"}, "MagicLinkCreateRequest.LastName"},
			{context.Background(), "../x", linkReq("ann@x.org"), "ticketID"},
			{noContext, "tkt_1", linkReq("ann@x.org"), "ctx"},
		} {
			_, _, err := ts.client.MagicLinks.Ensure(tc.ctx, tc.ticket, tc.req)
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.field)
		}
		_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"), WithHeader("Host", "x"))
		require.ErrorIs(t, err, ErrInvalidArgument)
		assert.Zero(t, ts.requests.Load())
	})
}

// TestEnsureReadsAgainAfter500: the pipeline retries the read of a list
// answered 500, as any GET, up to MaxAttempts times.
func TestEnsureReadsAgainAfter500(t *testing.T) {
	ts := newEnsureServer(t)
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
	assert.Equal(t, slices.Repeat([]string{walk}, 4), l.requests())

	l.onGet = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.WriteHeader(http.StatusBadGateway)
		return true
	}
	_, _, err = ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("ann@x.org"))
	require.ErrorIs(t, err, ErrServer)
	assert.Len(t, l.requests(), 4+4, "a 502: the client's own 4 attempts, no more")
}

// TestEnsureErrorsHoldNoEmail: the server repeats the person's email and
// names in its errors, as they are, in another case, URL-escaped,
// JSON-escaped (é as \u00e9, or every rune as \uXXXX) and HTML-escaped
// (&#64; for @); the errors of Ensure and EnsureAll say none of them, in
// their message or in the *APIError's fields.
func TestEnsureErrorsHoldNoEmail(t *testing.T) {
	const email, first, last = "Zoë.Lee-Vipond+vip@Example.org", "Zoëlla", "Lee-Vipond"
	every := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		return b.String()
	}
	jsonEscaped := strings.ReplaceAll(email, "ë", `\u00eb`)
	htmlEscaped := strings.NewReplacer("@", "&#64;", "ë", "&#235;").Replace(email)
	detail := fmt.Sprintf(`{"errors":[{"detail":"no person %s (%s, %s, %s), %s %s","source":{"parameter":"%s"}}]}`,
		strings.ToUpper(email), url.QueryEscape(email), jsonEscaped, htmlEscaped, first, last, every(email))
	forbidden := []string{"zoë", "zo\\u00eb", "vipond", "example.org", "example&#46;org", "zoëlla", `\u005a`, `\u005A`}

	check := func(t *testing.T, err error) {
		t.Helper()
		require.Error(t, err)
		var apiErr *APIError
		texts := []string{err.Error(), fmt.Sprintf("%+v", err)}
		if assert.ErrorAs(t, err, &apiErr) {
			texts = append(texts, apiErr.URL, apiErr.Body, fmt.Sprint(apiErr.Errors))
		}
		for _, s := range texts {
			lower := strings.ToLower(s)
			for _, f := range forbidden {
				assert.NotContains(t, lower, strings.ToLower(f), s)
			}
		}
	}
	answer := func(w http.ResponseWriter, status int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, detail)
	}
	req := &MagicLinkCreateRequest{Email: email, FirstName: first, LastName: last}
	for _, tc := range []struct {
		name       string
		get, post  int // statuses to answer with, 0 for the list's own answer
		wantStatus int
	}{
		{"read", http.StatusBadRequest, 0, http.StatusBadRequest},
		{"create", 0, http.StatusUnprocessableEntity, http.StatusUnprocessableEntity},
		{"lost create", 0, http.StatusInternalServerError, http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newEnsureServer(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
			l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
			l.onGet = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				if tc.get != 0 {
					answer(w, tc.get)
				}
				return tc.get != 0
			}
			l.onPost = func(_ int, w http.ResponseWriter, _ func() person) bool {
				answer(w, tc.post)
				return true
			}
			_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", req)
			check(t, err)
			for _, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", []*MagicLinkCreateRequest{req}) {
				check(t, res.Err)
			}
		})
	}

	// A transport error names the URL too.
	ts := newEnsureServer(t)
	l := newPersonList(t, ts, "magicLink", linksPath)
	l.onGet = func(int, http.ResponseWriter, *http.Request) bool { panic(http.ErrAbortHandler) }
	_, _, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", req)
	require.Error(t, err)
	assert.NotContains(t, strings.ToLower(err.Error()), "example.org", err.Error())
}

// TestEnsureConcurrentCallsCreateOnce: 16 calls of one client for one
// person, in four spellings, at once: one create, one link for all, one
// call reports it created; no call holds anyone afterwards.
func TestEnsureConcurrentCallsCreateOnce(t *testing.T) {
	ts := newEnsureServer(t, WithPageConcurrency(4))
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
	assertIdle(t, linkIndex(t, ts.client, "tkt_1"))
	reqs := l.requests()
	assert.Equal(t, 1, strings.Count(strings.Join(reqs, "\n"), "POST"))
	assert.LessOrEqual(t, len(reqs), 1+16, "a read per call at most, and the create")
}

// TestEnsureWaitsForTheSamePersonOnly: while ann is held, as by a call
// creating her, another person is not held back; a call for ann waits until
// its context ends; ann on another ticket or as a registration does not.
func TestEnsureWaitsForTheSamePersonOnly(t *testing.T) {
	ts := newEnsureServer(t)
	l := newPersonList(t, ts, "magicLink", linksPath)
	x := linkIndex(t, ts.client, "tkt_1")
	item, err := x.hold(context.Background(), foldKey("ANN@x.org"))
	require.NoError(t, err)
	require.Nil(t, item)

	// Another person is not held back.
	_, created, err := ts.client.MagicLinks.Ensure(context.Background(), "tkt_1", linkReq("bob@x.org"))
	require.NoError(t, err)
	assert.True(t, created)
	// The same ticket and person wait, until their context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
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

	x.release(foldKey("ANN@x.org"))
	assertIdle(t, x)
	assert.Zero(t, l.count("ann@x.org"))
	x.locked(func() { assert.Len(t, x.entries, 1, "bob's, and nothing of ann's") })
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
// when strings.EqualFold says they are equal: the index matches emails by
// the key.
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
// repeats an earlier request in another case and 1 is invalid: the walk of
// a first Sync and 3 creates, results in the batch's order. Run again, it
// reads what changed and creates nothing.
func TestEnsureAllWalksOnceAndCreatesTheMissing(t *testing.T) {
	ts := newEnsureServer(t, WithPageConcurrency(3))
	var emails []string
	for i := range 250 {
		emails = append(emails, fmt.Sprintf("p%d@x.org", i))
	}
	l := newPersonList(t, ts, "magicLink", linksPath, emails...)
	sync := syncRequests(t, ts, l, WithPageConcurrency(3))
	before := len(l.requests())
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

	reqLog := l.requests()[before:]
	assert.ElementsMatch(t, sync, reqLog[:len(sync)])
	assert.ElementsMatch(t, []string{"POST new1@x.org", "POST New2@x.org", "POST new3@x.org"}, reqLog[len(sync):])
	for _, e := range []string{"new1@x.org", "new2@x.org", "new3@x.org", "p7@x.org"} {
		assert.Equal(t, 1, l.count(e), e)
	}
	assertIdle(t, linkIndex(t, ts.client, "tkt_1"))

	// Again: everything is there, one read of what changed and nothing else.
	before = len(l.requests())
	for _, res := range ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs) {
		assert.False(t, res.Created)
	}
	assert.Equal(t, []string{changes}, l.requests()[before:])
}

func TestEnsureAllLostAnswers(t *testing.T) {
	ts := newEnsureServer(t)
	l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
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
	assert.Equal(t, []string{walk, "POST a@a.org", changes, "POST b@b.org", changes, "POST b@b.org"}, l.requests())
	assert.Equal(t, 1, l.count("a@a.org"))
	assert.Equal(t, 1, l.count("b@b.org"))
}

func TestEnsureAllFailures(t *testing.T) {
	t.Run("read fails", func(t *testing.T) {
		ts := newEnsureServer(t)
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
		assert.Equal(t, []string{walk}, l.requests())
	})
	t.Run("bad ticket, option or context", func(t *testing.T) {
		ts := newTestServer(t)
		reqs := []*MagicLinkCreateRequest{linkReq("a@a.org"), linkReq("b@b.org")}
		for _, seq := range []iter.Seq2[int, EnsureResult[MagicLink]]{
			ts.client.MagicLinks.EnsureAll(context.Background(), "", reqs),
			ts.client.MagicLinks.EnsureAll(context.Background(), "tkt_1", reqs, WithHeader("", "x")),
			ts.client.MagicLinks.EnsureAll(noContext, "tkt_1", reqs),
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
		ts := newEnsureServer(t)
		l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
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
		assert.Equal(t, []string{walk, "POST a@a.org"}, l.requests())
		x := linkIndex(t, ts.client, "tkt_1")
		x.locked(func() {
			for key, e := range x.entries {
				assert.Nil(t, e.busy, "%s is held", key)
			}
			assert.False(t, x.entries[foldKey("a@a.org")].lost.IsZero(), "a@a.org's create was lost: the next call reads first")
		})
	})
}

// TestEnsureAllCreatesUpToThePageConcurrency: the server holds each create
// until four are in flight; a fifth never comes while they are.
func TestEnsureAllCreatesUpToThePageConcurrency(t *testing.T) {
	const n = 4
	ts := newEnsureServer(t, WithPageConcurrency(n))
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
	ts := newEnsureServer(t, WithPageConcurrency(4))
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
	assertIdle(t, linkIndex(t, ts.client, "tkt_1"))
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
	ts := newEnsureServer(t)
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
	assertIdle(t, linkIndex(t, ts.client, "tkt_1"))
}

// TestEnsureWaitsForEnsureAll: a batch holds the person it creates until it
// is done; an Ensure for her, made while the batch's create is in flight,
// finds the link and creates nothing. (That a call for a held person waits
// is shown by TestEnsureWaitsForTheSamePersonOnly.)
func TestEnsureWaitsForEnsureAll(t *testing.T) {
	ts := newEnsureServer(t)
	l := newPersonList(t, ts, "magicLink", linksPath, "bob@x.org")
	posted, release := make(chan struct{}), make(chan struct{})
	l.onPost = func(n int, w http.ResponseWriter, store func() person) bool {
		if n == 1 {
			close(posted)
			<-release
		}
		return false
	}
	read := make(chan struct{})
	l.onGet = func(n int, _ http.ResponseWriter, _ *http.Request) bool {
		if n == 2 {
			close(read)
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
	<-read // the single call's read reached the server while the create is held
	close(release)
	batch, got := <-done, <-single
	require.NoError(t, batch.Err)
	require.NoError(t, got.err)
	assert.True(t, batch.Created)
	assert.False(t, got.created)
	assert.Equal(t, batch.Item.ID, got.link.ID)
	assert.Equal(t, []string{walk, "POST ann@x.org", changes}, l.requests())
}
