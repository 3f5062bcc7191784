package rceventstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake of the whole Events API, served over HTTP on loopback.
type Server struct {
	// URL is the base URL of the API, "http://127.0.0.1:port", with no trailing slash.
	URL string
	// StorageURL is the base URL of the storage origin; empty without WithStorageRedirect.
	StorageURL string
	// ClientID and ClientSecret are the client credentials the token endpoint accepts.
	ClientID, ClientSecret string
	// Token is a long-lived bearer token the server accepts, with the read and write
	// scopes, for clients configured with a static token. RevokeTokens revokes it too.
	Token string
	// Fixtures names the seeded resources.
	Fixtures Fixtures

	cfg     config
	store   *store
	tokens  *tokenStore
	faults  *faults
	limit   *rateLimiter
	log     *requestLog
	hook    atomic.Pointer[func(Request)] // see OnRequest
	served  atomic.Uint64                 // requests given an ID so far
	mux     *http.ServeMux
	api     *httptest.Server
	storage *httptest.Server
	signKey []byte        // signs pre-signed storage URLs
	done    chan struct{} // closed by Close, to end injected latency early
	once    sync.Once
}

// NewServer seeds the data and starts serving it on a free loopback port (or the address
// of WithAddr). It panics if it cannot listen, as httptest.NewServer does. The caller must
// Close it.
func NewServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	key := mix64(uint64(cfg.seed) ^ 0x6a09e667f3bcc908)
	s := &Server{
		cfg:     cfg,
		store:   newStore(key, cfg.clock),
		tokens:  &tokenStore{},
		faults:  &faults{rng: rand.New(rand.NewPCG(uint64(cfg.seed), 0xfa017)), scope: ScopeAPI},
		limit:   &rateLimiter{now: time.Now},
		log:     &requestLog{limit: cfg.logLimit},
		mux:     http.NewServeMux(),
		signKey: []byte(newToken()),
		done:    make(chan struct{}),
	}
	s.ClientID, s.ClientSecret = cfg.clientID, cfg.clientSecret
	if s.ClientID == "" {
		s.ClientID = "rcevt_" + strconv.FormatUint(mix64(key^1), 36)
		s.ClientSecret = hex.EncodeToString(hmac.New(sha256.New, []byte(s.ClientID)).Sum(nil))
	}
	s.Token = newToken()
	s.tokens.add(s.Token, tokenInfo{write: true})
	s.Fixtures = seedStore(s.store, cfg.registrations)
	s.routes()

	s.api = httptest.NewUnstartedServer(http.HandlerFunc(s.serveAPI))
	if cfg.addr != "" {
		s.api.Listener.Close()
		l, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			panic(fmt.Sprintf("rceventstest: listening on %s: %v", cfg.addr, err))
		}
		s.api.Listener = l
	}
	s.api.Start()
	s.URL = s.api.URL
	if cfg.storage {
		s.storage = httptest.NewServer(http.HandlerFunc(s.serveStorage))
		s.StorageURL = s.storage.URL
	}
	return s
}

// Close shuts the server (and its storage origin) down, ending injected latency early and
// waiting for the requests in flight.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.api.Close()
		if s.storage != nil {
			s.storage.Close()
		}
	})
}

// Handler returns the API as an http.Handler, faults, log and authentication included, to
// mount it elsewhere. Links in answers follow the Host the request was sent to.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveAPI) }

// HTTPClient returns an HTTP client for the server that holds no credentials; its idle
// connections are closed by Close.
func (s *Server) HTTPClient() *http.Client { return s.api.Client() }

// routes registers the token endpoint and the 34 operations. Most reads are built from
// the store's tables by one and list.
func (s *Server) routes() {
	s.mux.HandleFunc("POST "+tokenPath, s.issueToken)
	st := s.store
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /v1/health": func(w http.ResponseWriter, _ *http.Request) { // the one answer that is not an envelope
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		},

		"GET /v1/organizations": list(s, "organization", "", nil, func(st *store, _ string, _ []condition) ([]organization, bool) {
			return st.orgs.all(""), true
		}),
		"GET /v1/organizations/{organizationId}":                         one(s, "organization", st.orgs.value),
		"GET /v1/organizations/{organizationId}/templates":               s.listTemplates,
		"POST /v1/templates/{templateId}/event":                          s.createEventFromTemplate,
		"GET /v1/organizations/{organizationId}/events":                  list(s, "event", "organization", nil, children(&st.events, &st.orgs)),
		"POST /v1/organizations/{organizationId}/events":                 s.createEvent,
		"GET /v1/events/{eventId}":                                       one(s, "event", st.events.value),
		"POST /v1/events/{eventId}/duplications":                         s.duplicateEvent,
		"GET /v1/events/{eventId}/registrations":                         s.listRegistrations,
		"POST /v1/events/{eventId}/registrations":                        s.createRegistration,
		"GET /v1/registrations/{registrationId}":                         one(s, "registration", st.registrationValue),
		"PATCH /v1/registrations/{registrationId}":                       s.updateRegistration,
		"GET /v1/events/{eventId}/tickets":                               list(s, "ticket", "event", nil, children(&st.tickets, &st.events)),
		"POST /v1/events/{eventId}/tickets":                              s.createTicket,
		"GET /v1/tickets/{ticketId}":                                     one(s, "ticket", st.tickets.value),
		"GET /v1/tickets/{ticketId}/magicLinks":                          list(s, "magicLink", "ticket", magicLinkFilters, (*store).magicLinksOf),
		"POST /v1/tickets/{ticketId}/magicLinks":                         s.createMagicLink,
		"GET /v1/magicLinks/{magicLinkId}":                               one(s, "magicLink", st.magicLinks.value),
		"DELETE /v1/magicLinks/{magicLinkId}":                            s.deleteMagicLink,
		"POST /v1/magic_link":                                            s.createLegacyMagicLink,
		"GET /v1/events/{eventId}/reports":                               s.listReports,
		"GET /v1/reports/{reportId}":                                     s.getReport,
		"POST /v1/events/{eventId}/reports/{reportType}":                 s.createReport,
		"POST /v1/events/{eventId}/reports/{reportType}/{reportVersion}": s.createReport,
		"GET /v1/reports/{reportId}/download":                            s.downloadReport,
		"GET /v1/events/{eventId}/scheduleItems":                         list(s, "scheduleItem", "event", nil, children(&st.scheduleItems, &st.events)),
		"GET /v1/scheduleItems/{scheduleItemId}":                         one(s, "scheduleItem", st.scheduleItems.value),
		"GET /v1/events/{eventId}/sessions":                              list(s, "session", "event", nil, children(&st.sessions, &st.events)),
		"GET /v1/events/{eventId}/stages":                                list(s, "stage", "event", nil, children(&st.stages, &st.events)),
		"GET /v1/events/{eventId}/booths":                                list(s, "booth", "event", nil, children(&st.booths, &st.events)),
		"GET /v1/booths/{boothId}/tags":                                  list(s, "tag", "booth", nil, tagsOf(&st.booths, func(b *booth) []string { return b.tagIDs })),
		"GET /v1/scheduleItems/{scheduleItemId}/tags":                    list(s, "tag", "scheduleItem", nil, tagsOf(&st.scheduleItems, func(it *scheduleItem) []string { return it.tagIDs })),
		"POST /v1/events/{eventId}/dataSubscriptions":                    s.createDataSubscription,
		"GET /v1/tickets/{ticketId}/bankQuestions": list(s, "bank_question", "ticket", nil, func(st *store, id string, _ []condition) ([]bankQuestion, bool) {
			return st.questions.pick(st.ticketQs[id]), st.tickets.has(id)
		}),
	} {
		s.mux.HandleFunc(pattern, s.authorize(h))
	}
	s.mux.HandleFunc("/", s.unrouted)
}

// serveAPI is the pipeline every request to the API origin goes through: see serve.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	scope := ScopeAPI
	if r.URL.Path == tokenPath {
		scope = ScopeToken
	}
	s.serve(w, r, scope, s.mux)
}

// serve runs h for a request in scope and logs it. Before h come, in this order: a request
// ID (on the API origin), injected latency, the OnRequest hook and the rate limit (API
// requests only), and injected faults.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, scope Scope, h http.Handler) {
	entry := Request{
		Method:     r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		AuthHeader: r.Header.Get("Authorization") != "",
		Storage:    scope == ScopeStorage,
	}
	if scope != ScopeStorage {
		// Unique, and the same for the same seed and order of requests.
		entry.RequestID = fmt.Sprintf("req_%016x", mix64(s.store.ids.key^s.served.Add(1)))
		w.Header().Set("X-Request-Id", entry.RequestID)
	}
	// Logged as the status goes out, before the client can read the answer; with no answer,
	// when the handler returns or before the connection is cut.
	rec := &recorder{ResponseWriter: s.slowed(w, r, scope), entry: &entry, log: s.log}
	defer rec.logOnce()

	if d := s.faults.delay(scope); d > 0 && !s.wait(r, d) {
		return
	}
	if scope == ScopeAPI {
		if fn := s.hook.Load(); fn != nil {
			(*fn)(entry)
		}
		if retryAfter, ok := s.limit.admit(w.Header()); !ok {
			entry.RateLimited = true
			writeTooManyRequests(rec, retryAfter)
			return
		}
	}
	entry.Fault = s.faults.next(scope)
	switch entry.Fault {
	case 0:
		h.ServeHTTP(rec, r)
	case FaultReset, FaultDropResponse:
		if entry.Fault == FaultDropResponse {
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
		rec.logOnce() // before the client sees the connection go and sends its next request
		resetConnection(w)
	case FaultRevokeTokens:
		s.RevokeTokens()
		h.ServeHTTP(rec, r)
	default:
		s.faults.respond(rec, entry.Fault)
	}
}

// OnRequest makes the server call fn with each API request (but the token endpoint's and
// the storage origin's) once its injected latency is over, before the rate limit, faults
// and the handler: Method, Path, RawQuery, AuthHeader and RequestID are set. A test can
// so change data between two pages of a walk, say delete a magic link before page 3 is
// served. fn may call the server, through an rcevents client or over HTTP: the server holds
// no lock while fn runs, and the requests fn makes reach fn too. fn runs on the goroutine
// serving the request, concurrently for concurrent requests. OnRequest(nil) removes it.
func (s *Server) OnRequest(fn func(Request)) {
	if fn == nil {
		s.hook.Store(nil)
		return
	}
	s.hook.Store(&fn)
}

// wait sleeps for an injected latency; it reports false when the client went away or the
// server is closing first.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.done:
	}
	return false
}

// unrouted answers a path no operation has (404) or a method the path does not take (405),
// both with a JSON:API error.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		writeErrors(w, http.StatusNotFound, apiError{Code: "not_found", Detail: "no operation has the path " + r.URL.Path})
		return
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeErrors(w, http.StatusMethodNotAllowed, apiError{Code: "method_not_allowed", Detail: r.Method + " is not allowed on " + r.URL.Path})
}
