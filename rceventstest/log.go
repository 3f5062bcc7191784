package rceventstest

import (
	"net/http"
	"sync"
)

// Request is one entry of the request log: a request the server (or its storage origin)
// received, and how it was answered.
type Request struct {
	Method   string // GET, POST, ...
	Path     string // the URL path, "/v1/events/{id}"
	RawQuery string // the query as sent, without "?"
	// Status is the status answered; 0 when the connection was closed without an answer
	// (FaultReset, FaultDropResponse) or the client went away during injected latency.
	Status int
	// AuthHeader reports whether the request carried an Authorization header (a bearer
	// token, or Basic credentials on the token endpoint).
	AuthHeader bool
	// Fault is the fault injected into the request, if any.
	Fault Fault
	// RateLimited reports whether the rate limit (SetRateLimit) refused the request with
	// a 429; such a request takes no fault.
	RateLimited bool
	// Storage reports whether the storage origin (WithStorageRedirect) received it.
	Storage bool
	// RequestID is the X-Request-Id header the API origin answered with: "req_" and 16
	// hex digits, unique within the server. The storage origin sends none.
	RequestID string
}

// requestLog keeps the log in arrival order of the answers.
type requestLog struct {
	mu      sync.Mutex
	entries []Request
	limit   int
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit > 0 && len(l.entries) >= 2*l.limit {
		// Trim only when twice the limit is reached, so logging stays O(1) amortized.
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-l.limit:]...)
	}
	l.entries = append(l.entries, r)
}

// Requests returns a copy of the request log, oldest first. A request is logged as its
// status goes out, before the client can read the answer (one answered with nothing, when
// its handler returns), so concurrent requests appear in the order they were answered.
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	entries := s.log.entries
	if s.log.limit > 0 && len(entries) > s.log.limit {
		entries = entries[len(entries)-s.log.limit:]
	}
	return append([]Request(nil), entries...)
}

// ResetLog empties the request log.
func (s *Server) ResetLog() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.entries = nil
}

// Stats counts what the server stored through the API since it started, so a test can
// compare what a client reported with what actually happened, faults included.
type Stats struct {
	EventsCreated            int // by POST .../events, POST /v1/templates/{id}/event and duplications
	RegistrationsCreated     int // by POST /v1/events/{id}/registrations
	RegistrationsUpdated     int // by PATCH /v1/registrations/{id}
	TicketsCreated           int // by POST /v1/events/{id}/tickets
	MagicLinksCreated        int // including the deprecated POST /v1/magic_link
	MagicLinksDeleted        int // by DELETE /v1/magicLinks/{id}
	ReportsCreated           int // by POST /v1/events/{id}/reports/...
	DataSubscriptionsCreated int // by POST /v1/events/{id}/dataSubscriptions
	TokensIssued             int // by the token endpoint
}

// Stats returns the counts of stored writes.
func (s *Server) Stats() Stats {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	st := s.store.stats
	st.TokensIssued = int(s.tokens.issued.Load())
	return st
}

// recorder logs its request's entry once, with the first status the handler answers, before
// it is sent.
type recorder struct {
	http.ResponseWriter
	entry *Request
	log   *requestLog // nil once the entry is logged
}

// WriteHeader records the first status written.
func (r *recorder) WriteHeader(code int) {
	if r.entry.Status == 0 {
		r.entry.Status = code
		r.logOnce()
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (r *recorder) Write(b []byte) (int, error) {
	if r.entry.Status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) logOnce() {
	if r.log != nil {
		r.log.add(*r.entry)
		r.log = nil
	}
}

// Unwrap gives http.ResponseController the underlying writer (for Flush and Hijack).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
