package rcevents

import (
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
// API sends them, before anything is refused, and otherwise from the 429
// answers themselves.
//
// The server is taken to be a token bucket: it refills at some rate, holds at
// most some burst, and refuses a request that finds it empty, with a
// Retry-After. What makes a walk slow under such a limit is the refusals, not
// the waiting between requests, and the pacer is built around what each one
// costs:
//
//   - A Retry-After pauses every new request of the client, not only the
//     refused one: the others would only empty the bucket again and be
//     refused too. During a pause of d the bucket refills to at most its
//     burst, so the pause costs d − burst/rate of the server's capacity,
//     whatever the client does. Fewer refusals, not faster retries, make a
//     walk fast.
//   - The requests that waited resume at random moments of the tenth of the
//     pause that follows it (jitter), then at the learned pace: not all in
//     one instant, which would empty the bucket at once.
//   - Each refusal is a measurement. The requests sent since the bucket's
//     state was last known, and which of them were served, say which
//     buckets could have answered as the server did: the estimator replays
//     them through candidate rates and bursts and keeps those that fit. A
//     drain that empties the bucket quickly measures its burst, a slow one
//     its rate; so the pace after a refusal starts at the lowest rate that
//     fits and rises, fast while the rate is unknown, slowly once it is
//     known within a few times, until the next refusal or for good.
//
// Before it knows anything, the pacer lets through at most slowStart more
// requests than have been answered (a window that doubles every round trip),
// so that the first burst of a concurrent walk overruns a small bucket by
// little; this ends with the first sign of a limit or once the window no
// longer holds anything back. After that, while nothing is refused, the pacer
// costs a little bookkeeping per request and never waits.
type pacer struct {
	mu       sync.Mutex
	now      func() time.Time
	random   func() float64 // in [0, 1), for the jitter
	adaptive bool
	ceiling  *rate.Limiter // the caller's WithRateLimit, or nil
	api      origin        // answers from elsewhere say nothing of the API's limit
	retries  bool          // the retry policy allows more than one attempt
	pauseCap time.Duration // the longest pause: the retry policy's MaxBackoff

	changed chan struct{} // closed and replaced whenever a waiting request may go sooner

	seq       uint64        // requests let through so far
	inflight  int           // of those, not yet answered
	answered  uint64        // answers other than 429
	succeeded uint64        // 2xx answers
	recent    []time.Time   // when the latest answers other than 429 came, oldest first
	firstSent time.Time     // when the first request went
	firstAns  time.Time     // when the first answer came
	rtt       time.Duration // the shortest round trip yet
	starting  bool          // the slow start holds: nothing is known of the limit

	pauseUntil time.Time     // no request goes before this
	pauseLen   time.Duration // how long the latest pause lasts
	maxPause   time.Duration // the longest pause yet

	// The pace: rate requests a second from rampFrom, doubling every
	// doubling, or else rising in a straight line to target over rampDur
	// and then by slope requests a second, a second. rate is 0 while no
	// limit is known. After a pause, burst requests may go at once.
	rate     float64
	burst    float64
	rampFrom time.Time
	doubling time.Duration
	target   float64
	rampDur  time.Duration
	slope    float64
	tat      time.Time // the theoretical arrival time of the next request (GCRA)

	est   estimator
	refit bool // a refusal came: estimate again when its pause ends
	hdr   headerLimit
}

// The pacer's tuning. None of these describes a particular server: they are
// shares of what the pacer measures, or bounds of its bookkeeping.
const (
	// slowStart is how many more requests than have been answered may be in
	// flight before anything is known of the limit; slowStartEnd the window
	// past which the slow start ends, holding nothing back any more.
	slowStart    = 4
	slowStartEnd = 256
	// margin is how far under the estimated rate the pacer sends once it
	// knows the rate within twice as much.
	margin = 0.05
	// creep is how fast the pace rises while nothing is refused, as a share
	// of the rate each second.
	creep = 0.01
	// doublingShare is the share of a pause the pace takes to double while
	// the rate is not known within a few times; minPause the shortest pause
	// the ramps scale with.
	doublingShare = 0.25
	minPause      = 200 * time.Millisecond
	// jitterShare is the share of a pause over which the waiting requests
	// resume.
	jitterShare = 0.1
	// floorShare is the share of the rate of answers over servedWindow
	// under which the pace never falls; maxRecent bounds the answers kept
	// to measure it (at least half of it are kept).
	floorShare   = 0.5
	servedWindow = 10 * time.Second
	maxRecent    = 1024
	// maxForgiven bounds the refusals of one call that do not count as
	// attempts.
	maxForgiven = 10
)

// newPacer returns the pacer of a client. When adaptive is false it only
// waits for ceiling, if any.
func newPacer(adaptive bool, ceiling *rate.Limiter, api origin, policy RetryPolicy) *pacer {
	return &pacer{
		retries:  policy.MaxAttempts > 1,
		pauseCap: policy.MaxBackoff,
		now:      time.Now,
		random:   rand.Float64,
		adaptive: adaptive,
		ceiling:  ceiling,
		api:      api,
		changed:  make(chan struct{}),
		starting: true,
	}
}

// A pacedCall is one call's way through the pacer: it waits before each
// attempt and reports each answer.
type pacedCall struct {
	p           *pacer
	succeededAt uint64 // the pacer's 2xx answers when the call began
	pass        pass   // the latest attempt let through
	forgiven    int    // refusals that did not count as attempts
	excused     bool   // the latest answer was such a refusal
	resumeOf    time.Time
	resumeAt    time.Time // when to resume after the pause ending at resumeOf
}

// pass is one request let through the gate.
type pass struct {
	out    bool // not yet answered
	seq    uint64
	sent   time.Time
	regain bool // it went on what the header quota was thought to regain
}

// call starts the pacing of one call.
func (p *pacer) call() *pacedCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &pacedCall{p: p, succeededAt: p.succeeded}
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

// forever is what admit returns when only a change of the pacer's state
// lets the request go.
const forever = time.Duration(math.MaxInt64)

// sleepOrChange waits for d, until changed is closed, or until ctx ends.
func sleepOrChange(ctx context.Context, d time.Duration, changed <-chan struct{}) error {
	var timeout <-chan time.Time
	if d != forever {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
		return nil
	case <-changed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

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
	if d := p.hdr.wait(now, p.inflight, p.rtt); d > 0 {
		return d, p.changed
	}
	if r := p.pace(now); r > 0 {
		// GCRA: a request may go burst-1 intervals before its theoretical
		// arrival time; after a pause the bucket is taken to be full.
		interval := time.Duration(float64(time.Second) / r)
		tolerance := time.Duration(float64(interval) * (p.burst - 1))
		p.tat = later(p.tat, p.pauseUntil)
		if at := p.tat.Add(-tolerance); at.After(now) {
			return at.Sub(now), p.changed
		}
		p.tat = later(p.tat, now).Add(interval)
	}
	regain := p.hdr.take(now, p.inflight)
	p.seq++
	p.inflight++
	if p.seq == 1 {
		p.firstSent = now
	}
	p.est.add(p.seq, now)
	pc.pass = pass{out: true, seq: p.seq, sent: now, regain: regain}
	pc.excused = false
	return 0, nil
}

// window is how many requests the slow start lets be in flight at now, and
// how long until it lets more: slowStart more than have been answered, a
// window that doubles every round trip. So that a server that holds its
// answers cannot hold the client back for good, it also doubles every two
// shortest round trips after the first answer. The slow start ends once the
// window no longer holds anything back.
func (p *pacer) window(now time.Time) (int, time.Duration) {
	w := slowStart + int(p.answered)
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

// pace is the rate the gate lets requests through at now: the estimate as
// it ramps, under the caller's ceiling; 0 when no limit is known.
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
	if p.ceiling != nil {
		r = min(r, float64(p.ceiling.Limit()))
	}
	return r
}

// setPace sets the pace from now on (see pacer.rate).
func (p *pacer) setPace(now time.Time, r, burst float64, doubling time.Duration, target float64, rampDur time.Duration, slope float64) {
	p.rate, p.burst, p.rampFrom = r, max(burst, 1), now
	p.doubling, p.target, p.rampDur, p.slope = doubling, target, rampDur, slope
	p.starting = false
}

// end gives back the call's latest pass if its answer was never reported.
func (pc *pacedCall) end() {
	p := pc.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if pc.pass.out {
		pc.pass.out = false
		p.inflight--
		p.est.record(pc.pass.seq, unknown)
		p.broadcast()
	}
}

// broadcast wakes the requests waiting for a change.
func (p *pacer) broadcast() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// observe reports the answer to the call's latest attempt: resp, or nil when
// the round trip failed.
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
	if resp == nil || resp.Request == nil || originOf(resp.Request.URL) != p.api {
		p.est.record(pc.pass.seq, unknown)
		return
	}
	now := p.now()
	if rtt := max(now.Sub(pc.pass.sent), time.Millisecond); p.rtt == 0 || rtt < p.rtt {
		p.rtt = rtt
	}
	if p.firstAns.IsZero() {
		p.firstAns = now
	}
	p.hdr.observe(p, pc.pass, resp.Header, now)
	if resp.StatusCode != http.StatusTooManyRequests {
		p.answered++
		if resp.StatusCode < 300 {
			p.succeeded++
		}
		if len(p.recent) == maxRecent { // drop the older half: O(1) a request, amortized
			p.recent = append(p.recent[:0], p.recent[maxRecent/2:]...)
		}
		p.recent = append(p.recent, now)
		p.est.record(pc.pass.seq, served)
		return
	}
	ra, _ := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	p.refused(pc.pass, now, ra)
	// A refusal while other requests of the client are served is the
	// server rationing its capacity, not failing: it does not use up an
	// attempt. A server that refuses every request is not forgiven.
	if p.retries && p.succeeded > pc.succeededAt && pc.forgiven < maxForgiven {
		pc.forgiven++
		pc.excused = true
	}
}

// refused handles a 429 to the request of ps, answered at now with a
// Retry-After of ra (0 when it had none): it pauses every new request until
// then, and asks for a new estimate when the pause ends.
func (p *pacer) refused(ps pass, now time.Time, ra time.Duration) {
	p.starting = false
	p.hdr.refused(ps)
	p.est.record(ps.seq, refused)
	p.refit = true
	// A Retry-After longer than MaxBackoff ends the call that got it; the
	// other calls wait no longer than a retry would.
	if until := now.Add(min(ra, p.pauseCap)); until.After(p.pauseUntil) {
		if !now.Before(p.pauseUntil) {
			p.pauseLen = 0 // a new pause, not one extended
		}
		p.pauseLen += until.Sub(later(p.pauseUntil, now))
		p.maxPause = max(p.maxPause, p.pauseLen)
		p.pauseUntil = until
	}
}

// estimate sets the pace from the estimator's fit as the pause after a
// refusal ends. The pace starts at the lowest rate that fits, with half the
// best fitting burst, so that the next refusal comes late if at all, and
// rises so that it comes and measures the rate: doubling every quarter
// pause while the rate is not known within four times; else in a straight
// line to the middle of the rates that fit best, within a pause, and by
// creep from there; once the rates that fit are within twice margin, from
// a little under the middle by creep.
func (p *pacer) estimate(now time.Time) {
	if !p.est.anyServed() {
		// Refused before anything was served: the quota went elsewhere,
		// and nothing is known of the rate. Start slowly again.
		p.rate, p.starting = 0, true
		return
	}
	best, lo, hi, bMin := p.est.fit(p.maxPause)
	p.est.keep(maxLogRefusals)
	// Refusals that come whatever the pace (a server failing at random)
	// must not slow the client to a crawl: the pace never falls under half
	// the rate of the latest answers.
	if floor := floorShare * p.answerRate(now); lo < floor {
		lo, hi = floor, max(hi, floor)
	}
	if best.miss > 1+0.5*float64(p.est.refusals) {
		hi = max(hi, 4*lo+1) // no bucket explains the refusals well: keep probing
	}
	burst := max(bMin, best.burst/2)
	mid := min(max(best.rate, lo), hi)
	pause := max(p.pauseLen, minPause)
	switch {
	case hi <= lo*(1+2*margin):
		r := mid * (1 - margin)
		p.setPace(now, r, burst, 0, r, 0, creep*r)
	case hi <= 4*lo:
		p.setPace(now, lo, burst, 0, mid, pause, creep*mid)
	default:
		p.setPace(now, lo, burst, time.Duration(float64(pause)*doublingShare), 0, 0, 0)
	}
}

// answerRate is how many answers other than 429 came a second over the
// last servedWindow, or since the first request when that is shorter.
func (p *pacer) answerRate(now time.Time) float64 {
	from := later(now.Add(-servedWindow), p.firstSent)
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
// requests: it replays the requests sent since the bucket's state was known
// through candidate buckets, and keeps the rates and bursts under which they
// would have been served and refused as they were.
type estimator struct {
	log       []sent    // in the order they were let through
	startFull bool      // the bucket was full before log[0]; otherwise it had just refused
	refusals  int       // in log
	prev      candidate // the latest fit
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
	served           // answered, other than 429
	refused          // answered 429
	unknown          // failed in transit, or answered by another origin
)

// maxLog bounds the estimator's log; maxLogRefusals is how many refusals,
// the fit's measurements, it keeps.
const (
	maxLog         = 512
	maxLogRefusals = 6
)

// add logs the request seq, sent at at.
func (e *estimator) add(seq uint64, at time.Time) {
	if seq == 1 {
		e.startFull = true
	}
	e.log = append(e.log, sent{seq: seq, at: at})
	if len(e.log) > maxLog {
		// Nothing refused in a long while: the pace was under the rate,
		// and the bucket about full.
		e.trim(len(e.log)/2, true)
	}
}

// record notes the outcome of the request seq.
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

// trim drops the log's first n records; full says whether the bucket was
// full before the rest, or had just refused.
func (e *estimator) trim(n int, full bool) {
	for _, s := range e.log[:n] {
		if s.outcome == refused {
			e.refusals--
		}
	}
	e.log = append(e.log[:0], e.log[n:]...)
	e.startFull = full
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

// anyServed reports whether the log holds a served request.
func (e *estimator) anyServed() bool {
	for _, s := range e.log {
		if s.outcome == served {
			return true
		}
	}
	return false
}

// outSince counts the requests let through at or after t, other than
// seq, and not yet answered.
func (e *estimator) outSince(t time.Time, seq uint64) int {
	n := 0
	for i := len(e.log) - 1; i >= 0 && !e.log[i].at.Before(t); i-- {
		if e.log[i].outcome == inFlight && e.log[i].seq != seq {
			n++
		}
	}
	return n
}

// usedBetween counts the requests let through after from, up to to, that
// the server counted: those served or not yet answered.
func (e *estimator) usedBetween(from, to uint64) int {
	n := 0
	for i := len(e.log) - 1; i >= 0 && e.log[i].seq > from; i-- {
		if s := e.log[i]; s.seq <= to && (s.outcome == served || s.outcome == inFlight) {
			n++
		}
	}
	return n
}

// sendBatch is the requests of the log sent within batchWindow of at.
type sendBatch struct {
	at            time.Time
	took, refused int // served or not yet answered; refused
}

// batchWindow is how close in time requests must be sent for the server to
// see them in any order.
const batchWindow = 5 * time.Millisecond

func (e *estimator) batches() []sendBatch {
	var bs []sendBatch
	for i := 0; i < len(e.log); {
		b := sendBatch{at: e.log[i].at}
		for ; i < len(e.log) && e.log[i].at.Sub(b.at) <= batchWindow; i++ {
			switch e.log[i].outcome {
			case served, inFlight:
				b.took++
			case refused:
				b.refused++
			}
		}
		bs = append(bs, b)
	}
	return bs
}

// candidate is a bucket the fit tries.
type candidate struct {
	rate, burst float64
	miss        float64 // how far the log is from what the bucket would have done
}

// replay measures how far the batches are from what a bucket of rate and
// burst would have done with them. The bucket serves as many requests of a
// sendBatch as it has whole tokens, in whatever order they came. A request the
// server served, for which the bucket would have had less than a token, or
// one it refused, for which the bucket would have had a token, adds the
// difference in tokens and half a request to the miss; and the bucket is
// then set to what the server showed. The boundary is drawn a tenth of a
// token under one, for the noise of timing: a served request may find a
// little less than a token, a refused one must find clearly less than one,
// else any pace with a burst of one explains every refusal of requests
// sent at that pace.
func replay(bs []sendBatch, startFull bool, rate, burst float64) float64 {
	level := 0.999 // it has just refused, and may be about to serve
	if startFull {
		level = burst
	}
	var miss float64
	for i, b := range bs {
		if i > 0 {
			level = min(burst, level+rate*b.at.Sub(bs[i-1].at).Seconds())
		}
		for range b.took {
			miss += mismatch(1 - edgeNoise - level)
			level = max(level-1, 0)
		}
		if b.refused > 0 {
			miss += float64(b.refused) * mismatch(level-(1-edgeNoise))
			level = min(level, 1-edgeNoise)
		}
	}
	return miss
}

// edgeNoise is how far, in tokens, timing noise may move a request across
// the boundary between served and refused.
const edgeNoise = 0.1

// mismatch is what a request on the wrong side of the boundary by d tokens
// adds to a candidate's miss: nothing on the right side (d ≤ 0), half a
// request once edgeNoise over, and the difference beyond.
func mismatch(d float64) float64 {
	if d <= 0 {
		return 0
	}
	return 0.5*min(d/edgeNoise, 1) + max(d-edgeNoise, 0)
}

// fitSteps is how many rates and bursts a grid of fit tries.
const fitSteps = 48

// fit returns the bucket in the middle of those that best explain the log,
// the range of rates that explain it about as well, within the counting
// error of half a request, and the smallest such burst. Buckets that a
// pause of pause refills are preferred when some fit: servers set
// Retry-After long enough for that.
//
// It tries a coarse grid over all possible buckets, a fine one around the
// previous fit (a long stretch of pacing near the rate makes the fit sharp,
// narrower than the coarse steps), and a fine one over what the first two
// found possible.
func (e *estimator) fit(pause time.Duration) (best candidate, lo, hi, bMin float64) {
	if len(e.log) < 2 {
		return candidate{rate: 1, burst: 1}, 1, 1, 1
	}
	bs := e.batches()
	span := e.log[len(e.log)-1].at.Sub(e.log[0].at).Seconds()
	n := float64(len(e.log))
	var cands []candidate
	grid := func(rLo, rHi, bLo, bHi float64, rSteps, bSteps int) {
		for i := 0; i <= rSteps; i++ {
			r := rLo * math.Pow(rHi/rLo, float64(i)/float64(rSteps))
			for j := 0; j <= bSteps; j++ {
				b := bLo * math.Pow(bHi/bLo, float64(j)/float64(bSteps))
				cands = append(cands, candidate{rate: r, burst: b, miss: replay(bs, e.startFull, r, b)})
			}
		}
	}
	least := func() float64 {
		m := math.Inf(1)
		for _, c := range cands {
			m = min(m, c.miss)
		}
		return m
	}

	// From one request over the whole log to all of them within a
	// millisecond, bursts from one to the whole log.
	rLo, rHi, bLo, bHi := 0.5/max(span+pause.Seconds(), 1e-3), max(n*1000, 1), 1.0, n+1
	grid(rLo, rHi, bLo, bHi, fitSteps, fitSteps)
	rStep, bStep := math.Pow(rHi/rLo, 1.0/fitSteps), math.Pow(bHi/bLo, 1.0/fitSteps)
	if e.prev.rate > 0 {
		grid(e.prev.rate*0.7, e.prev.rate*1.4, max(e.prev.burst/2, 1), e.prev.burst*2+1, 2*fitSteps, fitSteps/2)
	}
	m := least()
	lo, hi, bMin, bMax := bounds(cands, m+2+0.2*m, pause)
	grid(lo/rStep, hi*rStep, max(bMin/bStep, 1), bMax*bStep, fitSteps, fitSteps)

	best.miss = least()
	lo, hi, bMin, _ = bounds(cands, best.miss+0.5+0.1*best.miss, pause)
	mlo, mhi, mbMin, mbMax := bounds(cands, best.miss+0.05, pause)
	best.rate, best.burst = math.Sqrt(mlo*mhi), math.Sqrt(mbMin*mbMax)
	e.prev = best
	return best, lo, hi, bMin
}

// bounds returns the ranges of rates and bursts of the candidates that miss
// by at most tol: of those a pause refills when there are such.
func bounds(cands []candidate, tol float64, pause time.Duration) (lo, hi, bMin, bMax float64) {
	lo, hi, bMin, bMax = math.Inf(1), 0, math.Inf(1), 0
	refilled := false
	for _, c := range cands {
		if c.miss > tol {
			continue
		}
		if r := c.burst <= c.rate*pause.Seconds(); r && !refilled {
			refilled, lo, hi, bMin, bMax = true, math.Inf(1), 0, math.Inf(1), 0
		} else if !r && refilled {
			continue
		}
		lo, hi = min(lo, c.rate), max(hi, c.rate)
		bMin, bMax = min(bMin, c.burst), max(bMax, c.burst)
	}
	return lo, hi, bMin, bMax
}

// headerLimit is what RateLimit-* or X-RateLimit-* headers said: a quota of
// limit requests, of which remaining are left, whole again after reset. The
// pacer lets a request go while the quota it models has one left: what the
// latest answer said remained, less the requests sent after that one and
// not yet answered, plus what the quota regained since. A token bucket
// regains its quota little by little, a fixed window only at the reset.
// Until two answers far enough apart measure it, the quota is taken to
// regain what it lacks evenly until the reset; after a refusal of a request
// sent on that guess, only at the reset.
type headerLimit struct {
	known    bool
	windowed bool      // the quota comes back only at the reset
	limit    float64   // the quota
	level    float64   // what it had at levelAt, less what went since
	levelAt  time.Time //
	guess    float64   // requests a second it regains, by the latest answer's reset
	resetAt  time.Time // when it is whole again
	syncSent time.Time // when the request went whose answer set level

	base     sent       // the earlier answer of a measurement of the rate,
	baseLeft float64    // and what it said remained
	samples  [3]float64 // the latest measurements, newest first
	rate     float64    // requests a second the quota regains, once measured
}

// refillSpan is the least time between two answers that measure the rate
// at which a quota comes back; half of it for the first measurement.
const refillSpan = 300 * time.Millisecond

// readLimit reads the quota an answer received at now announced (see
// readAnnounced): both the limit and what remains of it, or nothing.
func readLimit(h http.Header, now time.Time) (limit, remaining float64, reset time.Duration, ok bool) {
	a, ok := readAnnounced(h)
	if !ok || !a.hasLimit || !a.hasRemaining {
		return 0, 0, 0, false
	}
	switch {
	case !a.hasReset:
	case a.unixReset:
		// A Unix time in whole seconds: the reset may come up to a second
		// after it.
		reset = max(time.Unix(int64(a.reset), 0).Add(time.Second).Sub(now), 0)
	case a.reset < maxRetryAfter.Seconds():
		reset = time.Duration(a.reset * float64(time.Second))
	default:
		reset = maxRetryAfter
	}
	return a.limit, min(a.remaining, a.limit), reset, true
}

// observe takes in the quota that the answer to the request of ps
// announced, if it is newer than what the pacer knows.
func (h *headerLimit) observe(p *pacer, ps pass, hdr http.Header, now time.Time) {
	limit, left, reset, ok := readLimit(hdr, now)
	if !ok || limit < 1 {
		return
	}
	// The quota left after this request, less the requests out that the
	// server may not have counted yet: those sent after it, or so close
	// before it that the server may have seen them after it.
	level := left - float64(p.est.outSince(ps.sent.Add(-batchWindow), ps.seq))
	if h.known && !ps.sent.After(h.syncSent.Add(batchWindow)) {
		// An answer to a request sent no later than the one the model
		// follows, give or take the order in which the server saw them,
		// may only lower it: of answers to requests sent together, the
		// one with the least left is the latest.
		if level < h.left(now, p.inflight) {
			h.level, h.levelAt = level, now
		}
		return
	}
	h.known = true
	p.starting = false
	h.limit, h.syncSent = limit, ps.sent
	h.level, h.levelAt = level, now
	h.resetAt = now.Add(reset)
	h.guess = 0
	if reset > 0 && left < limit {
		h.guess = (limit - left) / reset.Seconds()
	}

	switch {
	case h.base.seq == 0 || left >= limit || h.baseLeft >= limit:
		// The quota was whole at one end: what it regained is not
		// measured.
		h.base, h.baseLeft = sent{seq: ps.seq, at: ps.sent}, left
	case ps.sent.Sub(h.base.at) >= refillSpan || h.rate == 0 && ps.sent.Sub(h.base.at) >= refillSpan/2:
		used := float64(p.est.usedBetween(h.base.seq, ps.seq))
		r := max(left-h.baseLeft+used, 0) / ps.sent.Sub(h.base.at).Seconds()
		// While the client sends less than the quota regains, the quota
		// fills and what it regains is capped: the highest of the latest
		// measurements is the one taken while the client kept up.
		copy(h.samples[1:], h.samples[:])
		h.samples[0] = r
		h.rate = (1 - margin) * max(h.samples[0], h.samples[1], h.samples[2])
		h.base, h.baseLeft = sent{seq: ps.seq, at: ps.sent}, left
	}
}

// refused notes a 429 to the request of ps. If it went on what the quota was
// thought to regain, the quota does not come back as thought: by the guess,
// it comes back only at the reset; by the measured rate, more slowly.
func (h *headerLimit) refused(ps pass) {
	switch {
	case !ps.regain:
	case h.rate == 0:
		h.windowed = true
	default:
		h.rate /= 2
	}
}

// regain is how many requests a second the quota is thought to regain.
func (h *headerLimit) regain() float64 {
	switch {
	case h.windowed:
		return 0
	case h.rate > 0:
		return h.rate
	}
	return h.guess
}

// left is what the quota has at now, by the model, with out requests not
// yet answered: whole at the reset, less those.
func (h *headerLimit) left(now time.Time, out int) float64 {
	if !now.Before(h.resetAt) {
		return h.limit - float64(out)
	}
	return min(h.limit, h.level+h.regain()*now.Sub(h.levelAt).Seconds())
}

// wait is how long a request must wait at now for the quota to have room
// for it; 0 when it has, or when no quota is known.
//
// Until the rate is measured, the guess from the reset is poor when the
// reset is rounded to seconds: a quota that is whole again in a fifth of a
// second says one. So when nothing is out to bring news, one request goes
// after probeAfter round trips, to measure what came back; if it is refused,
// the quota is taken to come back only at the reset.
func (h *headerLimit) wait(now time.Time, out int, rtt time.Duration) time.Duration {
	if !h.known {
		return 0
	}
	l := h.left(now, out)
	if l >= 1 {
		return 0
	}
	d := h.resetAt.Sub(now)
	if r := h.regain(); r > 0 {
		d = min(d, time.Duration((1-l)/r*float64(time.Second)))
	}
	if h.rate == 0 && !h.windowed && out == 0 {
		probe := h.levelAt.Add(probeAfter * rtt).Sub(now)
		if probe <= 0 {
			return 0
		}
		d = min(d, probe)
	}
	return max(d, time.Millisecond)
}

// probeAfter is how many round trips after the latest answer a probe goes.
const probeAfter = 4

// take counts a request let through at now against the quota, and reports
// whether it went on what the quota was thought to regain since the latest
// answer.
func (h *headerLimit) take(now time.Time, out int) bool {
	if !h.known {
		return false
	}
	regain := h.level < 1 && now.Before(h.resetAt)
	h.level, h.levelAt = h.left(now, out)-1, now
	if !now.Before(h.resetAt) {
		h.resetAt = now.Add(maxRetryAfter) // whole again: unknown until the next answer says
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

// announced is what an answer's rate-limit headers say, as numbers. The
// pacer and Response read them through it alike.
type announced struct {
	limit, remaining, reset          float64
	hasLimit, hasRemaining, hasReset bool
	unixReset                        bool // reset is a Unix time, not seconds from the answer
}

// readAnnounced reads RateLimit-* or else X-RateLimit-* headers: Reset in
// seconds, or, for X-RateLimit-Reset, a Unix time when it is large enough
// to be one. A value is its first number ("100, 100;w=60" is 100); one that
// is not a number is absent. It reports false when h announces neither a
// limit nor what remains of it.
func readAnnounced(h http.Header) (announced, bool) {
	for _, prefix := range [...]string{"Ratelimit-", "X-Ratelimit-"} {
		var a announced
		a.limit, a.hasLimit = headerNumber(h.Get(prefix + "Limit"))
		a.remaining, a.hasRemaining = headerNumber(h.Get(prefix + "Remaining"))
		if !a.hasLimit && !a.hasRemaining {
			continue
		}
		a.reset, a.hasReset = headerNumber(h.Get(prefix + "Reset"))
		a.unixReset = prefix == "X-Ratelimit-" && a.reset >= 1e9
		return a, true
	}
	return announced{}, false
}

// headerNumber reads the first number of a header value: digits, perhaps
// with a fraction.
func headerNumber(v string) (float64, bool) {
	if i := strings.IndexAny(v, ",;"); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	if v == "" || strings.Trim(v, "0123456789.") != "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

// parseRateLimit reads the rate-limit state an answer received at now
// announced, for Response; it reports false when it announced none.
func parseRateLimit(h http.Header, now time.Time) (RateLimit, bool) {
	a, ok := readAnnounced(h)
	if !ok {
		return RateLimit{}, false
	}
	rl := RateLimit{Limit: int(a.limit), Remaining: int(a.remaining)}
	switch {
	case !a.hasReset:
	case a.unixReset:
		rl.Reset = time.Unix(int64(a.reset), 0)
	default:
		rl.Reset = now.Add(time.Duration(a.reset * float64(time.Second)))
	}
	return rl, true
}
