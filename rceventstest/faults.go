package rceventstest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// A Fault is a failure the server can inject instead of (or around) a normal answer.
// The zero Fault is no fault.
type Fault int

// FaultRateLimit answers 429 with a Retry-After header and a JSON:API error.
const FaultRateLimit Fault = 1

// FaultInternalError answers 500 with a JSON:API error.
const FaultInternalError Fault = 2

// FaultBadGateway answers 502 with an HTML page, as a gateway in front of the API does.
const FaultBadGateway Fault = 3

// FaultUnavailable answers 503 with an empty body and a Retry-After header.
const FaultUnavailable Fault = 4

// FaultGatewayTimeout answers 504 with an HTML page.
const FaultGatewayTimeout Fault = 5

// FaultReset closes the connection without answering, before the request is handled:
// nothing is stored. The client sees a connection reset or an unexpected EOF, unless
// its transport retries by itself: Go's does once for a GET on a reused connection.
const FaultReset Fault = 6

// FaultDropResponse handles the request (a write is stored) and then closes the
// connection without answering, as when a response is lost on the way back.
const FaultDropResponse Fault = 7

// FaultRevokeTokens revokes every token issued so far (see Server.RevokeTokens) before
// the request is authenticated, so it is answered 401.
const FaultRevokeTokens Fault = 8

// faultCount is the number of Fault values, counting the zero one.
const faultCount = 9

var faultNames = [faultCount]string{"none", "rate limit (429)", "internal error (500)", "bad gateway (502)",
	"unavailable (503)", "gateway timeout (504)", "connection reset", "dropped response", "token revocation"}

// String names the fault.
func (f Fault) String() string {
	if f < 0 || int(f) >= faultCount {
		return "Fault(" + strconv.Itoa(int(f)) + ")"
	}
	return faultNames[f]
}

// A Scope selects the requests latency and faults apply to; scopes combine with |.
type Scope uint8

// ScopeAPI is every API request except the token endpoint. It is the default scope.
const ScopeAPI Scope = 1

// ScopeToken is the token endpoint, POST /v1/auth/token.
const ScopeToken Scope = 2

// ScopeStorage is the storage origin of WithStorageRedirect.
const ScopeStorage Scope = 4

// faults decides, request by request, which fault to inject and how long to wait first.
// All draws come from one seeded generator under a mutex: the same seed and the same order
// of requests give the same faults.
type faults struct {
	mu         sync.Mutex
	rng        *rand.Rand
	rates      [faultCount]float64
	queue      []Fault
	latencyMin time.Duration
	latencyMax time.Duration
	bodyRate   int // bytes a second of an answer's body (SetBodyRate), 0 for no limit
	retryAfter time.Duration
	scope      Scope
}

// delay draws the latency of one request in scope sc.
func (f *faults) delay(sc Scope) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.scope&sc == 0 || f.latencyMax == 0 {
		return 0
	}
	return f.latencyMin + time.Duration(f.rng.Int64N(int64(f.latencyMax-f.latencyMin)+1))
}

// next picks the fault of one request in scope sc, once its latency is over: a request
// abandoned during its latency does not use up a queued fault.
func (f *faults) next(sc Scope) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.scope&sc == 0 {
		return 0
	}
	if len(f.queue) > 0 {
		next := f.queue[0]
		f.queue = f.queue[1:]
		return next
	}
	u := f.rng.Float64()
	for fault := Fault(1); fault < faultCount; fault++ {
		if u < f.rates[fault] {
			return fault
		}
		u -= f.rates[fault]
	}
	return 0
}

// SetLatency delays every request in the fault scope by a duration drawn uniformly from
// [min, max]; SetLatency(0, 0) turns latency off. A delayed request stops waiting when its
// client goes away or the server closes. It panics unless 0 ≤ min ≤ max.
func (s *Server) SetLatency(min, max time.Duration) {
	if min < 0 || max < min {
		panic(fmt.Sprintf("rceventstest: latency [%v, %v] is not a range of durations ≥ 0", min, max))
	}
	s.faults.set(func(f *faults) { f.latencyMin, f.latencyMax = min, max })
}

// SetBodyRate sends the body of every answer in the fault scope at bytesPerSecond, in
// pieces a tenth of a second apart, after headers that go at once: latency spread over the
// body, as a slow or congested link gives it, where SetLatency delays the answer before its
// headers. A test can so check what bounds a download, or a call that reads a whole
// answer. A request whose client goes away stops being answered. SetBodyRate(0) turns it
// off; it panics if bytesPerSecond < 0.
func (s *Server) SetBodyRate(bytesPerSecond int) {
	if bytesPerSecond < 0 {
		panic(fmt.Sprintf("rceventstest: body rate %d is negative", bytesPerSecond))
	}
	s.faults.set(func(f *faults) { f.bodyRate = bytesPerSecond })
}

// slowBody writes an answer's body at rate bytes a second, a piece every tenth of a second
// (a byte every 1/rate s below 10 bytes a second), flushing each. wait sleeps for a
// duration and reports false when the client or the server went away first.
type slowBody struct {
	http.ResponseWriter
	rate int
	wait func(time.Duration) bool
}

// errGone ends a slow body whose client or server went away.
var errGone = errors.New("rceventstest: the client or the server went away")

func (b *slowBody) Write(p []byte) (int, error) {
	rc := http.NewResponseController(b.ResponseWriter)
	_ = rc.Flush() // the headers go at once
	piece, n := max(1, b.rate/10), 0
	for len(p) > 0 {
		k := min(piece, len(p))
		if !b.wait(time.Duration(k) * time.Second / time.Duration(b.rate)) {
			return n, errGone
		}
		m, err := b.ResponseWriter.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		_ = rc.Flush()
		p = p[k:]
	}
	return n, nil
}

// Unwrap gives http.ResponseController the underlying writer (for Flush and Hijack).
func (b *slowBody) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// slowed returns w, or w writing at the body rate of scope sc, if one is set.
func (s *Server) slowed(w http.ResponseWriter, r *http.Request, sc Scope) http.ResponseWriter {
	rate := s.faults.bodyRateOf(sc)
	if rate == 0 {
		return w
	}
	return &slowBody{ResponseWriter: w, rate: rate, wait: func(d time.Duration) bool { return s.wait(r, d) }}
}

// bodyRateOf is the body rate of a request in scope sc, 0 for none.
func (f *faults) bodyRateOf(sc Scope) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.scope&sc == 0 {
		return 0
	}
	return f.bodyRate
}

// SetFaultRate makes a fraction rate (0 to 1) of the requests in the fault scope fail with
// f; rate 0 turns f off. Rates of different faults add up and must not exceed 1. It panics
// on an unknown fault or a rate out of range.
func (s *Server) SetFaultRate(f Fault, rate float64) {
	checkFault(f)
	if !(rate >= 0 && rate <= 1) {
		panic(fmt.Sprintf("rceventstest: fault rate %v of %v is not within [0, 1]", rate, f))
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	sum := rate
	for other, r := range s.faults.rates {
		if Fault(other) != f {
			sum += r
		}
	}
	if sum > 1+1e-9 {
		panic(fmt.Sprintf("rceventstest: fault rates add up to %v, more than 1", sum))
	}
	s.faults.rates[f] = rate
}

func checkFault(f Fault) {
	if f <= 0 || int(f) >= faultCount {
		panic(fmt.Sprintf("rceventstest: unknown fault %d", f))
	}
}

// FailNext makes the next n requests in the fault scope fail with f, before any rate
// applies. Calls queue up: FailNext(2, FaultRateLimit) then FailNext(1, FaultReset) fails
// the next three requests with 429, 429 and a reset.
func (s *Server) FailNext(n int, f Fault) {
	checkFault(f)
	s.faults.set(func(fs *faults) { fs.queue = append(fs.queue, slices.Repeat([]Fault{f}, max(n, 0))...) })
}

// ClearFaults turns latency, the body rate and every fault rate off and forgets queued FailNext faults.
// The scope and Retry-After are kept.
func (s *Server) ClearFaults() {
	s.faults.set(func(f *faults) {
		f.rates, f.queue = [faultCount]float64{}, nil
		f.latencyMin, f.latencyMax, f.bodyRate = 0, 0, 0
	})
}

// SetRetryAfter sets the Retry-After of injected 429 and 503 answers, sent in whole
// seconds rounded up. It is 0 until set, so that a client retries them at once and fault
// tests stay fast; set it to test how a client waits.
func (s *Server) SetRetryAfter(d time.Duration) {
	s.faults.set(func(f *faults) { f.retryAfter = d })
}

// SetFaultScope sets which requests latency and faults apply to. By default (ScopeAPI) the
// token endpoint and the storage origin are spared.
func (s *Server) SetFaultScope(sc Scope) {
	s.faults.set(func(f *faults) { f.scope = sc })
}

// set changes f under its lock.
func (f *faults) set(change func(*faults)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// respond answers an injected HTTP error. Faults that are not answers are handled by the caller.
func (f *faults) respond(w http.ResponseWriter, fault Fault) {
	retryAfter := f.retryAfterNow()
	switch fault {
	case FaultRateLimit:
		writeTooManyRequests(w, retryAfter)
	case FaultInternalError:
		writeErrors(w, http.StatusInternalServerError, apiError{Code: "internal_server_error", Detail: "Something went wrong on our side."})
	case FaultBadGateway:
		writeGatewayPage(w, http.StatusBadGateway, "502 Bad Gateway")
	case FaultUnavailable:
		w.Header().Set("Retry-After", seconds(retryAfter))
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
	case FaultGatewayTimeout:
		writeGatewayPage(w, http.StatusGatewayTimeout, "504 Gateway Time-out")
	}
}

func (f *faults) retryAfterNow() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.retryAfter
}

// writeTooManyRequests answers 429 with a JSON:API error and a Retry-After of d.
func writeTooManyRequests(w http.ResponseWriter, d time.Duration) {
	retry := seconds(d)
	w.Header().Set("Retry-After", retry)
	writeErrors(w, http.StatusTooManyRequests, apiError{Code: "too_many_requests", Detail: "Rate limit exceeded. Retry in " + retry + " seconds."})
}

// seconds is d in whole seconds, rounded up, as Retry-After carries it.
func seconds(d time.Duration) string {
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
}

func writeGatewayPage(w http.ResponseWriter, status int, title string) {
	page := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title + "</h1></center>\r\n</body>\r\n</html>\r\n"
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(page))
}

// resetConnection closes the client's connection without an answer; on TCP it sends a
// reset (SO_LINGER 0) rather than a clean close.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // cannot hijack (HTTP/2): abort the stream instead
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
