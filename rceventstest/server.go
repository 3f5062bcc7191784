package rceventstest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
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
	log     *requestLog
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
		store:   newStore(key),
		tokens:  &tokenStore{},
		faults:  newFaults(cfg),
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
	s.tokens.add(s.Token, tokenInfo{write: true}, false)
	s.Fixtures = seedStore(s.store, cfg.seed, cfg.registrations)
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

// routes registers the token endpoint and the 34 operations.
func (s *Server) routes() {
	s.mux.HandleFunc("POST "+tokenPath, s.issueToken)
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /v1/health": s.health,

		"GET /v1/organizations":                                          s.listOrganizations,
		"GET /v1/organizations/{organizationId}":                         s.getOrganization,
		"GET /v1/organizations/{organizationId}/templates":               s.listTemplates,
		"POST /v1/templates/{templateId}/event":                          s.createEventFromTemplate,
		"GET /v1/organizations/{organizationId}/events":                  s.listEvents,
		"POST /v1/organizations/{organizationId}/events":                 s.createEvent,
		"GET /v1/events/{eventId}":                                       s.getEvent,
		"POST /v1/events/{eventId}/duplications":                         s.duplicateEvent,
		"GET /v1/events/{eventId}/registrations":                         s.listRegistrations,
		"POST /v1/events/{eventId}/registrations":                        s.createRegistration,
		"GET /v1/registrations/{registrationId}":                         s.getRegistration,
		"PATCH /v1/registrations/{registrationId}":                       s.updateRegistration,
		"GET /v1/events/{eventId}/tickets":                               s.listTickets,
		"POST /v1/events/{eventId}/tickets":                              s.createTicket,
		"GET /v1/tickets/{ticketId}":                                     s.getTicket,
		"GET /v1/tickets/{ticketId}/bankQuestions":                       s.listBankQuestions,
		"GET /v1/tickets/{ticketId}/magicLinks":                          s.listMagicLinks,
		"POST /v1/tickets/{ticketId}/magicLinks":                         s.createMagicLink,
		"GET /v1/magicLinks/{magicLinkId}":                               s.getMagicLink,
		"DELETE /v1/magicLinks/{magicLinkId}":                            s.deleteMagicLink,
		"POST /v1/magic_link":                                            s.createLegacyMagicLink,
		"GET /v1/events/{eventId}/reports":                               s.listReports,
		"GET /v1/reports/{reportId}":                                     s.getReport,
		"POST /v1/events/{eventId}/reports/{reportType}":                 s.createReport,
		"POST /v1/events/{eventId}/reports/{reportType}/{reportVersion}": s.createReport,
		"GET /v1/reports/{reportId}/download":                            s.downloadReport,
		"GET /v1/events/{eventId}/scheduleItems":                         s.listScheduleItems,
		"GET /v1/scheduleItems/{scheduleItemId}":                         s.getScheduleItem,
		"GET /v1/events/{eventId}/sessions":                              s.listSessions,
		"GET /v1/events/{eventId}/stages":                                s.listStages,
		"GET /v1/events/{eventId}/booths":                                s.listBooths,
		"GET /v1/booths/{boothId}/tags":                                  s.listBoothTags,
		"GET /v1/scheduleItems/{scheduleItemId}/tags":                    s.listScheduleItemTags,
		"POST /v1/events/{eventId}/dataSubscriptions":                    s.createDataSubscription,
	} {
		s.mux.HandleFunc(pattern, s.authorize(h))
	}
	s.mux.HandleFunc("/", s.unrouted)
}

// serveAPI is the pipeline every API request goes through: latency and faults, then
// routing (and authentication), then the request log.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	scope := ScopeAPI
	if r.URL.Path == tokenPath {
		scope = ScopeToken
	}
	s.serve(w, r, scope, s.mux)
}

// serve runs h under the faults of scope and logs the request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, scope Scope, h http.Handler) {
	entry := Request{
		Method:     r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		AuthHeader: r.Header.Get("Authorization") != "",
		Storage:    scope == ScopeStorage,
	}
	// The entry is logged as the status goes out, before the client can
	// read the answer, so a client that has its answer finds it logged;
	// a request answered with nothing is logged when its handler returns.
	logged := false
	rec := &recorder{ResponseWriter: w, onStatus: func(status int) {
		entry.Status, logged = status, true
		s.log.add(entry)
	}}
	defer func() {
		if !logged {
			s.log.add(entry)
		}
	}()

	if d := s.faults.delay(scope); d > 0 && !s.wait(r, d) {
		return
	}
	entry.Fault = s.faults.next(scope)
	switch entry.Fault {
	case 0:
		h.ServeHTTP(rec, r)
	case FaultReset:
		resetConnection(w)
	case FaultDropResponse:
		h.ServeHTTP(httptest.NewRecorder(), r)
		resetConnection(w)
	case FaultRevokeTokens:
		s.tokens.revokeAll()
		h.ServeHTTP(rec, r)
	default:
		s.faults.respond(rec, entry.Fault)
	}
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
