package rcevents

import (
	"fmt"
	"os"
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// The pacer keeps all the requests of a client under the API's rate limit,
// which the API does not document and a caller rarely knows. It learns the
// limit from the answers: from RateLimit-* or X-RateLimit-* headers when the
// API sends them, before anything is refused, and otherwise from the pattern
// of 429 answers.
//
// The server is modelled as a token bucket: it refills at some rate and
// holds at most some burst; a request arriving when it is empty is refused
// with a Retry-After. Three things make a 429 expensive, and the pacer is
// built around them:
//
//   - A Retry-After pauses every new request of the client, not only the one
//     refused: the others would only drain the bucket and be refused too.
//     During a pause of d, the bucket refills to at most its burst, so the
//     pause costs d − burst/rate of the server's capacity. Few refusals, not
//     fast retries, make a walk fast.
//   - The requests that waited resume spread over a tenth of the pause
//     (jitter), then at the estimated rate, not all in one instant.
//   - Every drain of the bucket that ends in a refusal is a measurement: the
//     requests served between the moment the bucket was last full (or last
//     empty, plus what a pause let it refill) and the refusal are the burst
//     plus the rate times the time taken. Two drains of different lengths
//     give both; the pacer fits them to the latest measurements (see
//     estimate).
//
// Before it knows anything, the pacer lets requests through at once, but at
// most a few more in flight than have been answered (a slow start that
// doubles every round trip), so that the first burst of a concurrent walk
// overruns a small bucket by little; the slow start ends with the first sign
// of a limit or once it no longer holds anything back. Once the rate is
// estimated, requests go at a little under it, and the pace creeps upward
// while nothing is refused, so that a limit raised later is found again.
type pacer struct {
	mu       sync.Mutex
	now      func() time.Time
	random   func() float64 // in [0, 1), for the jitter
	adaptive bool
	ceiling  *rate.Limiter // the caller's WithRateLimit, or nil
	api      origin        // answers from elsewhere say nothing of the API's limit
	retries  bool          // the retry policy allows more than one attempt

	changed chan struct{} // closed and replaced when a waiting request may go sooner

	inflight  int           // requests let through and not yet answered
	seq       uint64        // requests let through so far
	served    uint64        // answers other than 429 so far
	starting  bool          // the slow start holds: nothing is known of the limit yet
	rtt       time.Duration // the shortest round trip seen, once one has been
	firstAns  time.Time     // when the first answer came
	firstSent time.Time     // when the first request went

	// The gate.
	pauseUntil time.Time     // no request goes before this
	pauseLen   time.Duration // how long the latest pause lasts
	maxPause   time.Duration // the longest pause yet
	gen        uint64        // counts pauses, so that a request waiting for its slot sees a new one
	rate       float64       // requests a second; 0 while no limit is known
	burst      float64       // requests that may go at once after the bucket refilled
	tat        time.Time     // the theoretical arrival time of the next request (GCRA)
	rampFrom   time.Time     // when the pace was set
	doubling   time.Duration // the pace doubles this often since rampFrom; 0: it ramps as below
	target     float64       // it rises in a straight line to target,
	rampDur    time.Duration // reached after rampDur,
	slope      float64       // and then by slope requests a second, a second

	recent []time.Time // when the latest answers other than 429 came, oldest first
	est    estimator
	refit  bool // a refusal came: estimate again when the pause ends
	hdr    headerLimit

	tracef func(format string, args ...any) // TEMP
}

// Tuning of the pacer. None of these is a property of a particular server:
// they are fractions of what the pacer measured.
const (
	// slowStart is how many more requests than have been answered may be in
	// flight before anything is known of the limit.
	slowStart = 4
	// slowStartEnd is the window past which the slow start no longer holds
	// anything back and ends.
	slowStartEnd = 256
	// margin is how far under the estimated rate the pacer sends.
	margin = 0.05
	// creep is how fast, as a share of the rate a second, the pace rises
	// while nothing is refused.
	creep = 0.01
	// probeSpan is how many pauses the pace takes to rise across the
	// rates that may be the server's.
	probeSpan = 3
	// doublingShare is the share of a pause the pace takes to double when
	// the rate is not known at all.
	doublingShare = 0.25
	// minPause is the shortest pause the ramps scale with.
	minPause = 200 * time.Millisecond
	// jitterShare is the share of a pause over which waiting requests
	// resume.
	jitterShare = 0.1
	// floorShare is the share of the rate served lately under which the
	// pace never falls, over servedWindow, which keeps maxRecent answers.
	floorShare   = 0.5
	servedWindow = 10 * time.Second
	maxRecent    = 1024
	// maxForgiven bounds the refusals of one call that do not count as
	// attempts (see pacedCall.forgive).
	maxForgiven = 10
)

func newPacer(adaptive bool, ceiling *rate.Limiter, api origin, retries bool) *pacer {
	return &pacer{
		retries:  retries,
		now:      time.Now,
		random:   rand.Float64,
		adaptive: adaptive,
		ceiling:  ceiling,
		api:      api,
		changed:  make(chan struct{}),
		starting: true,
		tracef:   tmpTrace(),
	}
}

func tmpTrace() func(string, ...any) {
	if os.Getenv("PACERTRACE") == "" {
		return nil
	}
	return func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }
}

// A pacedCall is one call's passage through the pacer: it waits before each
// attempt and reports each answer.
type pacedCall struct {
	p        *pacer
	servedAt uint64 // the pacer's served count when the call began
	pass     pass   // the attempt in flight, if out
	forgiven int    // refusals that did not count as attempts
	excused  bool   // the last answer was such a refusal
	resumeAt time.Time
	resumeOf time.Time // the pause resumeAt was drawn for
}

// pass is one request let through the gate.
type pass struct {
	out    bool // let through and not yet answered
	seq    uint64
	sent   time.Time
	regain bool // let through on what the header quota was thought to regain
}

// call starts the pacing of one call.
func (p *pacer) call() *pacedCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &pacedCall{p: p, servedAt: p.served}
}

// wait blocks until the call's next attempt may be sent, or ctx ends.
func (pc *pacedCall) wait(ctx context.Context) error {
	p := pc.p
	if p.ceiling != nil {
		if err := p.ceiling.Wait(ctx); err != nil {
			return err
		}
	}
	for p.adaptive {
		p.mu.Lock()
		d, changed := p.admit(p.now(), pc)
		p.mu.Unlock()
		if d == 0 {
			return nil
		}
		if err := sleepOrChange(ctx, d, changed); err != nil {
			return err
		}
	}
	return nil
}

// sleepOrChange waits for d, until changed is closed, or until ctx ends.
func sleepOrChange(ctx context.Context, d time.Duration, changed <-chan struct{}) error {
	if d == forever {
		select {
		case <-changed:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-changed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// forever is what admit returns when only a change of state lets the
// request go.
const forever = time.Duration(math.MaxInt64)

// admit lets pc's next attempt through at now and returns 0, or returns how
// long to wait before asking again (forever: until changed is closed).
func (p *pacer) admit(now time.Time, pc *pacedCall) (time.Duration, <-chan struct{}) {
	// A request that comes during a pause, or as it ends, resumes at a
	// random moment of the tenth of the pause that follows it.
	spread := time.Duration(jitterShare * float64(p.pauseLen))
	if now.Before(p.pauseUntil.Add(spread)) && !pc.resumeOf.Equal(p.pauseUntil) {
		pc.resumeOf = p.pauseUntil
		pc.resumeAt = p.pauseUntil.Add(time.Duration(p.random() * float64(spread)))
	}
	if pc.resumeOf.Equal(p.pauseUntil) && now.Before(pc.resumeAt) {
		return pc.resumeAt.Sub(now), p.changed
	}
	if p.refit {
		p.refit = false
		p.estimate(now)
	}
	if p.starting {
		if w, grows := p.window(now); p.inflight >= w {
			return grows, p.changed
		}
	}
	if d := p.hdr.wait(p, now); d > 0 {
		return d, p.changed
	}
	if r := p.pace(now); r > 0 {
		interval := time.Duration(float64(time.Second) / r)
		tolerance := time.Duration(float64(interval) * (max(p.burst, 1) - 1))
		if p.tat.Before(p.pauseUntil) {
			p.tat = p.pauseUntil
		}
		if at := p.tat.Add(-tolerance); at.After(now) {
			return at.Sub(now), p.changed
		}
		p.tat = later(p.tat, now).Add(interval)
	}
	regain := p.hdr.take(now)
	p.seq++
	p.inflight++
	p.est.add(p.seq, now)
	if p.tracef != nil {
		p.tracef("%v admit %d inflight=%d", now.Format("05.000"), p.seq, p.inflight)
	}
	if p.seq == 1 {
		p.firstSent = now
	}
	pc.pass = pass{out: true, seq: p.seq, sent: now, regain: regain}
	pc.excused = false
	return 0, nil
}

// window is how many requests the slow start lets be in flight at now, and
// how long until it lets more: slowStart more than have been answered, a
// window that doubles every round trip. So that a server that holds its
// answers does not hold the client back for good, the window also doubles
// every two shortest round trips since the first answer. The slow start
// ends once the window no longer holds anything back.
func (p *pacer) window(now time.Time) (int, time.Duration) {
	w := slowStart + int(p.served)
	if p.firstAns.IsZero() {
		return w, forever
	}
	period := 2 * p.rtt
	k := int(now.Sub(p.firstAns) / period)
	if k > 16 || max(w, slowStart<<k) > slowStartEnd {
		p.starting = false
		return math.MaxInt, 0
	}
	return max(w, slowStart<<k), p.firstAns.Add(time.Duration(k+1) * period).Sub(now)
}

// pace is the rate the gate lets requests through at now: the estimate,
// ramping up since it was set, under the caller's ceiling.
func (p *pacer) pace(now time.Time) float64 {
	if p.rate <= 0 {
		return 0
	}
	r := p.rate
	if el := now.Sub(p.rampFrom).Seconds(); el > 0 {
		switch ramp := p.rampDur.Seconds(); {
		case p.doubling > 0:
			r *= math.Exp2(el / p.doubling.Seconds())
		case el < ramp:
			r += (p.target - r) * el / ramp
		default:
			r = max(r, p.target) + p.slope*(el-ramp)
		}
	}
	if p.ceiling != nil && float64(p.ceiling.Limit()) < r {
		r = float64(p.ceiling.Limit())
	}
	return r
}

// setRate sets the pace from now on: r, doubling every doubling, or else
// rising in a straight line to target over rampDur and then by slope.
func (p *pacer) setRate(now time.Time, r, burst float64, doubling time.Duration, target float64, rampDur time.Duration, slope float64) {
	if p.tracef != nil {
		p.tracef("%v setRate %.2f burst %.2f doubling %v target %.2f in %v slope %.2f log=%d", now.Format("05.000"), r, burst, doubling, target, rampDur, slope, len(p.est.log))
	}
	p.rate, p.burst, p.rampFrom = r, max(burst, 1), now
	p.doubling, p.target, p.rampDur, p.slope = doubling, target, rampDur, slope
	p.starting = false
}

// end gives back the call's pass if its answer was never reported.
func (pc *pacedCall) end() {
	p := pc.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if pc.pass.out {
		pc.pass.out = false
		p.inflight--
		p.broadcast()
	}
}

// broadcast wakes the requests waiting for a change.
func (p *pacer) broadcast() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// observe reports the answer to the call's attempt: resp, or none when the
// round trip failed.
func (pc *pacedCall) observe(resp *http.Response) {
	p := pc.p
	if !p.adaptive {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !pc.pass.out {
		return
	}
	pc.pass.out = false
	p.inflight--
	defer p.broadcast()
	if resp == nil || originOf(resp.Request.URL) != p.api {
		p.est.record(pc.pass.seq, unknown)
		return
	}
	now := p.now()
	if rtt := now.Sub(pc.pass.sent); p.rtt == 0 || rtt < p.rtt {
		p.rtt = max(rtt, time.Millisecond)
	}
	if p.firstAns.IsZero() {
		p.firstAns = now
	}
	p.hdr.observe(p, pc.pass, resp.Header, now)
	if resp.StatusCode != http.StatusTooManyRequests {
		p.served++
		if len(p.recent) == maxRecent {
			p.recent = append(p.recent[:0], p.recent[1:]...)
		}
		p.recent = append(p.recent, now)
		p.est.record(pc.pass.seq, served)
		return
	}
	ra, hasRA := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	if p.tracef != nil {
		p.tracef("%v refused ra=%v", now.Format("05.000"), ra)
	}
	p.refused(pc.pass, now, ra, hasRA)
	// A refusal while others of the client's requests are served is the
	// server rationing its capacity, not failing: it does not use up an
	// attempt. A server that refuses every request is not forgiven.
	if p.retries && p.served > pc.servedAt && pc.forgiven < maxForgiven {
		pc.forgiven++
		pc.excused = true
	}
}

// refused handles a 429 to the request of ps, answered at now.
func (p *pacer) refused(ps pass, now time.Time, ra time.Duration, hasRA bool) {
	p.starting = false
	p.hdr.refused(ps)
	p.est.record(ps.seq, refused)
	p.refit = true
	if !hasRA {
		ra = 0
	}
	if until := now.Add(ra); until.After(p.pauseUntil) {
		if !now.Before(p.pauseUntil) {
			p.pauseLen = 0 // a new pause, not one extended
		}
		p.pauseLen += until.Sub(later(p.pauseUntil, now))
		p.maxPause = max(p.maxPause, p.pauseLen)
		p.pauseUntil = until
		p.gen++
	}
}

// estimate sets the pace from the estimator's fit, when a pause after a
// refusal ends. The pace starts at the lowest rate that explains what the
// server did, with the smallest burst, so that the next refusal comes late
// if at all, and rises so that it does come and measures the rate: slowly
// when the rate is known within a few percent, across the possible rates in
// a few pauses' time when it is known within a few times, and doubling every
// half pause when it is not known at all.
func (p *pacer) estimate(now time.Time) {
	if !p.est.anyServed() {
		// Refused before anything was served: the rest of the client's
		// quota went elsewhere, and nothing is known of the rate. Start
		// slowly again once the pause is over.
		p.rate, p.starting = 0, true
		return
	}
	best, lo, hi, bMin := p.est.fit(p.maxPause)
	if p.tracef != nil {
		p.tracef("fit best=%+v lo=%.2f hi=%.2f bMin=%.2f", best, lo, hi, bMin)
		if len(p.est.log) < 40 {
			var b strings.Builder
			for _, e := range p.est.log {
				fmt.Fprintf(&b, " %d:%.1f:%d", e.seq, float64(e.at.Sub(p.est.log[0].at).Microseconds())/1000, e.outcome)
			}
			p.tracef("log full=%v%s", p.est.startFull, b.String())
		}
	}
	pause := max(p.pauseLen, minPause)
	// Refusals that come whatever the pace (a server that fails at
	// random) must not slow the client to a crawl: the pace never falls
	// under half what the server served lately.
	if floor := floorShare * p.servedRate(now); lo < floor {
		lo, hi = floor, max(hi, floor)
	}
	if best.miss > 1+0.5*float64(p.est.refusals) {
		hi = max(hi, 4*lo+1) // no bucket explains the refusals: keep probing
	}
	// Half the best burst, or more when nothing smaller explains the log:
	// a burst too large is refused as soon as the pause ends, one too
	// small costs a little of the refill.
	bMin = max(bMin, best.burst/2)
	switch {
	case hi <= lo*(1+2*margin):
		r := max(best.rate*(1-margin), lo*(1-margin))
		p.setRate(now, r, bMin, 0, r, 0, creep*r)
	case hi <= 4*lo && os.Getenv("STAGE2") == "mid":
		mid := math.Sqrt(lo * hi)
		p.setRate(now, lo, bMin, 0, mid, pause, creep*mid)
	case hi <= 4*lo:
		p.setRate(now, lo, bMin, 0, hi, probeSpan*pause, creep*hi)
	default:
		p.setRate(now, lo, bMin, time.Duration(float64(pause)*doublingShare), 0, 0, 0)
	}
	p.est.keep(maxLogRefusals)
}

// servedRate is how many answers other than 429 came a second over the
// last servedWindow, or since the first request when that is shorter.
func (p *pacer) servedRate(now time.Time) float64 {
	from := now.Add(-servedWindow)
	if p.firstSent.After(from) {
		from = p.firstSent
	}
	n := 0
	for i := len(p.recent) - 1; i >= 0 && p.recent[i].After(from); i-- {
		n++
	}
	if el := now.Sub(from).Seconds(); el > 0 {
		return float64(n) / el
	}
	return 0
}

// estimator fits a token bucket to what the server did with the client's
// requests: it replays the requests sent since a moment the bucket's state
// was known through candidate buckets, and keeps the rates and bursts under
// which they would have been served and refused as they were.
type estimator struct {
	log       []sent // in the order they were let through
	startFull bool   // the bucket was full before log[0]; otherwise it had just refused
	refusals  int    // in log
}

// sent is one request in the estimator's log.
type sent struct {
	seq     uint64
	at      time.Time
	outcome outcome
}

type outcome uint8

const (
	inFlight outcome = iota
	served
	refused
	unknown // failed in transit, or answered by another origin
)

// maxLog bounds the estimator's log; maxLogRefusals is how many refusals
// it keeps, the fit's measurements of the bucket.
const (
	maxLog         = 1024
	maxLogRefusals = 6
)

func (e *estimator) add(seq uint64, at time.Time) {
	if len(e.log) == 0 && seq == 1 {
		e.startFull = true
	}
	e.log = append(e.log, sent{seq: seq, at: at})
	if len(e.log) > maxLog {
		// Nothing refused in a long while: the pace was under the rate,
		// and the bucket is about full.
		e.trim(len(e.log)/2, true)
	}
}

func (e *estimator) record(seq uint64, o outcome) {
	if len(e.log) == 0 || seq < e.log[0].seq {
		return
	}
	if i := int(seq - e.log[0].seq); i < len(e.log) {
		e.log[i].outcome = o
		if o == refused {
			e.refusals++
		}
	}
}

// trim drops the log's first n records; the bucket was full before the
// rest, or had just refused record n-1.
func (e *estimator) trim(n int, full bool) {
	for _, s := range e.log[:n] {
		if s.outcome == refused {
			e.refusals--
		}
	}
	e.log = append(e.log[:0], e.log[n:]...)
	e.startFull = full
}

// outAfter counts the requests let through after seq and not yet
// answered.
func (e *estimator) outAfter(seq uint64) int {
	n := 0
	for i := len(e.log) - 1; i >= 0 && e.log[i].seq > seq; i-- {
		if e.log[i].outcome == inFlight {
			n++
		}
	}
	return n
}

// usedBetween counts the requests let through after from and up to to that
// were served or are not yet answered: those the server counted.
func (e *estimator) usedBetween(from, to uint64) int {
	n := 0
	for i := len(e.log) - 1; i >= 0 && e.log[i].seq > from; i-- {
		if s := e.log[i]; s.seq <= to && (s.outcome == served || s.outcome == inFlight) {
			n++
		}
	}
	return n
}

// anyServed reports whether the log holds a served request.
func (e *estimator) anyServed() bool {
	for _, s := range e.log {
		if s.outcome == served {
			return true
		}
	}
	return false
}

// keep drops the log's records before the n-th latest refusal.
func (e *estimator) keep(n int) {
	if e.refusals <= n {
		return
	}
	seen := 0
	for i := len(e.log) - 1; i >= 0; i-- {
		if e.log[i].outcome == refused {
			if seen++; seen == n {
				e.trim(i, false)
				return
			}
		}
	}
}

// candidate is a bucket the fit tries.
type candidate struct {
	rate, burst float64
	miss        float64 // how far the log is from what the bucket would have done
}

// replay measures how far the log is from what a bucket of rate and burst
// would have done with its requests. Requests sent within batchWindow of
// each other are taken as one batch, since the server may see them in any
// order: the bucket serves as many of them as it has whole tokens. When it
// would have served fewer than the server did, the miss grows by the
// shortfall; when it would have had a token left for a request the server
// refused, by the excess and a half; and the bucket is set to what the
// server showed.
func (e *estimator) replay(rate, burst float64) float64 {
	level := 0.999 // it has just refused, and may be about to serve
	if e.startFull {
		level = burst
	}
	var miss float64
	var last time.Time
	for i := 0; i < len(e.log); {
		at := e.log[i].at
		if i > 0 {
			level = min(burst, level+rate*at.Sub(last).Seconds())
		}
		last = at
		var took, refusedN int
		for ; i < len(e.log) && e.log[i].at.Sub(at) <= batchWindow; i++ {
			switch e.log[i].outcome {
			case served:
				took++
			case inFlight:
				took++ // as if served: it is, most often
			case refused:
				refusedN++
			}
		}
		if n := float64(took); level < n {
			miss += n - level
			level = 0
		} else {
			level -= n
		}
		if refusedN > 0 && level >= 1 {
			miss += level - 1 + 0.5
			level = 0.999
		}
	}
	return miss
}

// batchWindow is how close in time requests must be sent for the server
// to see them in any order.
const batchWindow = 5 * time.Millisecond

// fit returns the bucket that best explains the log and the range of rates
// that explain it about as well. When the server refuses after a pause of
// at least pause, a bucket that such a pause refills is preferred: servers
// set Retry-After long enough for that.
func (e *estimator) fit(pause time.Duration) (best candidate, lo, hi, bMin float64) {
	if len(e.log) < 2 {
		return candidate{rate: 1, burst: 1}, 1, 1, 1
	}
	span := e.log[len(e.log)-1].at.Sub(e.log[0].at).Seconds()
	n := float64(len(e.log))
	// First coarsely, from one request over the whole log to every request
	// within a millisecond, and bursts from one to the whole log; then
	// finely over what the first pass found possible.
	rLo, rHi, bLo, bHi := 0.5/max(span+pause.Seconds(), 1e-3), max(n*1000, 1), 1.0, n+1
	for range 2 {
		var bMax float64
		best, lo, hi, bMin, bMax = e.search(pause, rLo, rHi, bLo, bHi)
		rStep, bStep := math.Pow(rHi/rLo, 1.0/fitSteps), math.Pow(bHi/bLo, 1.0/fitSteps)
		rLo, rHi = lo/rStep, hi*rStep
		bLo, bHi = max(bMin/bStep, 1), bMax*bStep
	}
	return best, lo, hi, bMin
}

// fitSteps is how many rates and bursts each pass of fit tries.
const fitSteps = 64

// search tries rates and bursts in geometric steps over [rLo, rHi] and
// [bLo, bHi] and returns the best candidate and the ranges of those about as
// good.
func (e *estimator) search(pause time.Duration, rLo, rHi, bLo, bHi float64) (best candidate, lo, hi, bMin, bMax float64) {
	cands := make([]candidate, 0, (fitSteps+1)*(fitSteps+1))
	best = candidate{miss: math.Inf(1)}
	for i := 0; i <= fitSteps; i++ {
		r := rLo * math.Pow(rHi/rLo, float64(i)/fitSteps)
		for j := 0; j <= fitSteps; j++ {
			b := bLo * math.Pow(bHi/bLo, float64(j)/fitSteps)
			c := candidate{rate: r, burst: b, miss: e.replay(r, b)}
			cands = append(cands, c)
			if c.miss < best.miss || c.miss == best.miss && e.prefer(c, best, pause) {
				best = c
			}
		}
	}
	tol := best.miss + 0.5
	lo, hi, bMin, bMax = math.Inf(1), 0, math.Inf(1), 0
	preferred := false
	for _, c := range cands {
		if c.miss > tol {
			continue
		}
		if p := c.burst <= c.rate*pause.Seconds(); p && !preferred {
			preferred, lo, hi, bMin, bMax = true, math.Inf(1), 0, math.Inf(1), 0
		} else if !p && preferred {
			continue
		}
		lo, hi = min(lo, c.rate), max(hi, c.rate)
		bMin, bMax = min(bMin, c.burst), max(bMax, c.burst)
	}
	return best, lo, hi, bMin, bMax
}

// prefer breaks ties between equally good candidates: a bucket a pause
// refills, then the slower rate.
func (e *estimator) prefer(c, than candidate, pause time.Duration) bool {
	cp, tp := c.burst <= c.rate*pause.Seconds(), than.burst <= than.rate*pause.Seconds()
	if cp != tp {
		return cp
	}
	return c.rate < than.rate
}

// headerLimit is what RateLimit-* or X-RateLimit-* headers said: a quota of
// limit requests, of which remaining are left, whole again in reset. The
// pacer lets a request go while the quota it models has a request left:
// what the latest answer said remained, less the requests sent after that
// one and not yet answered, plus what the quota regained since. A token
// bucket regains its quota little by little, a fixed window only at the
// reset; until the answers show which, the quota is taken to regain what
// it lacks evenly until the reset, and after a refusal only at the reset.
type headerLimit struct {
	known    bool
	windowed bool      // a refusal showed that the quota comes back only at the reset
	limit    float64   // the quota
	level    float64   // what was left at levelAt, less what went since
	levelAt  time.Time //
	guess    float64   // requests a second the quota regains, from the latest answer's reset
	resetAt  time.Time // when the quota is whole again
	syncSeq  uint64    // the request whose answer set level

	// The quota regained between two answers, over at least refillSpan,
	// measures the rate (rate > 0 once it has).
	base     sent // the earlier answer's request,
	baseLeft float64
	rate     float64
}

// refillSpan is the least time over which two answers measure the rate at
// which a quota comes back.
const refillSpan = 500 * time.Millisecond

// readLimit reads a quota from h: RateLimit-* (reset in seconds) or else
// X-RateLimit-* (reset in Unix seconds when large, else seconds). A list,
// such as RateLimit-Limit: "100, 100;w=60", gives its first number.
func readLimit(h http.Header, now time.Time) (limit, remaining float64, reset time.Duration, ok bool) {
	for _, prefix := range []string{"Ratelimit-", "X-Ratelimit-"} {
		l, okL := headerNumber(h.Get(prefix + "Limit"))
		r, okR := headerNumber(h.Get(prefix + "Remaining"))
		if !okL || !okR {
			continue
		}
		if v, okS := headerNumber(h.Get(prefix + "Reset")); okS {
			switch {
			case prefix == "X-Ratelimit-" && v >= 1e9:
				// A Unix time, whole seconds: the reset may come up to a
				// second after it.
				reset = max(time.Unix(int64(v), 0).Add(time.Second).Sub(now), 0)
			case v < maxRetryAfter.Seconds():
				reset = time.Duration(v * float64(time.Second))
			default:
				reset = maxRetryAfter
			}
		}
		return l, min(r, l), reset, true
	}
	return 0, 0, 0, false
}

// headerNumber reads the first number of a header value: digits, perhaps
// with a fraction.
func headerNumber(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, ",;"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	if v == "" || strings.Trim(v, "0123456789.") != "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

// observe takes in the quota an answer to the request of ps announced.
func (h *headerLimit) observe(p *pacer, ps pass, hdr http.Header, now time.Time) {
	limit, left, reset, ok := readLimit(hdr, now)
	if !ok || limit < 1 || ps.seq <= h.syncSeq {
		return
	}
	h.known = true
	p.starting = false
	h.limit = limit
	h.syncSeq = ps.seq
	h.level = left - float64(p.est.outAfter(ps.seq))
	h.levelAt = now
	h.resetAt = now.Add(reset)
	h.guess = 0
	if reset > 0 && left < limit {
		h.guess = (limit - left) / reset.Seconds()
	}

	switch {
	case h.base.seq == 0 || left >= limit || h.baseLeft >= limit:
		// The quota was whole at one end: what it regained was capped.
		h.base, h.baseLeft = sent{seq: ps.seq, at: ps.sent}, left
	case ps.sent.Sub(h.base.at) >= refillSpan:
		used := float64(p.est.usedBetween(h.base.seq, ps.seq))
		r := max(left-h.baseLeft+used, 0) / ps.sent.Sub(h.base.at).Seconds()
		if h.rate == 0 {
			h.rate = r
		} else {
			h.rate = (h.rate + r) / 2
		}
		h.base, h.baseLeft = sent{seq: ps.seq, at: ps.sent}, left
	}
}

// refused notes a 429 to the request of ps. When it went on what the quota
// was thought to regain, the quota does not come back as thought: by the
// guess, it comes back only at the reset; by the measured rate, more slowly.
func (h *headerLimit) refused(ps pass) {
	switch {
	case !ps.regain:
	case h.rate == 0:
		h.windowed = true
	default:
		h.rate /= 2
	}
}

// left is what the quota has at now, by the model.
func (h *headerLimit) left(now time.Time) float64 {
	if !now.Before(h.resetAt) {
		return h.limit
	}
	regain := h.rate
	if regain == 0 {
		regain = h.guess
	}
	if h.windowed {
		regain = 0
	}
	return min(h.limit, h.level+regain*now.Sub(h.levelAt).Seconds())
}

// wait is how long a request must wait at now for the quota to have room
// for it; 0 when it has.
func (h *headerLimit) wait(p *pacer, now time.Time) time.Duration {
	if !h.known {
		return 0
	}
	l := h.left(now)
	if l >= 1 {
		return 0
	}
	d := h.resetAt.Sub(now)
	regain := h.rate
	if regain == 0 {
		regain = h.guess
	}
	if !h.windowed && regain > 0 {
		d = min(d, time.Duration((1-l)/regain*float64(time.Second)))
	}
	return max(d, time.Millisecond)
}

// take counts a request let through against the quota, and reports
// whether it went on what the quota was thought to regain since the latest
// answer.
func (h *headerLimit) take(now time.Time) bool {
	if !h.known {
		return false
	}
	regain := h.level < 1 && now.Before(h.resetAt)
	h.level = h.left(now) - 1
	h.levelAt = now
	if !now.Before(h.resetAt) {
		h.resetAt = now.Add(time.Hour) // unknown until the next answer says
	}
	return regain
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
