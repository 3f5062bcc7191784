package rcevents

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// announced is what an answer's rate-limit headers say.
type announced struct {
	limit, remaining float64
	reset, window    time.Duration // until the quota is whole; X-Rate-Limit-Window. 0: not said
}

// readAnnounced reads, from an answer received at now, RateLimit-Limit,
// -Remaining and -Reset (the IETF draft: seconds until the quota is
// restored), or else X-RateLimit-* (whose reset may be a Unix time, taken
// to the end of the second it names), or else X-Rate-Limit-Limit,
// -Remaining and -Window (RingCentral's platform: a quota per window of so
// many seconds). A value is its first number ("100, 100;w=60" is 100). It
// reports false without a remaining count, or with counts beyond a billion,
// which no server means; a time beyond maxRetryAfter is left unsaid.
func readAnnounced(h http.Header, now time.Time) (announced, bool) {
	for _, prefix := range [...]string{"Ratelimit-", "X-Ratelimit-", "X-Rate-Limit-"} {
		rem, ok := headerNumber(h.Get(prefix + "Remaining"))
		if !ok {
			continue
		}
		limit, _ := headerNumber(h.Get(prefix + "Limit"))
		a := announced{limit: max(limit, rem), remaining: rem}
		seconds := func(name string) time.Duration {
			v, ok := headerNumber(h.Get(prefix + name))
			if name == "Reset" && prefix == "X-Ratelimit-" && v >= 1e9 {
				v = time.Unix(int64(v)+1, 0).Sub(now).Seconds()
			}
			if !ok || v < 0 || v > maxRetryAfter.Seconds() {
				return 0
			}
			return time.Duration(v * float64(time.Second))
		}
		a.reset, a.window = seconds("Reset"), seconds("Window")
		return a, a.limit <= 1e9
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
	a, ok := readAnnounced(h, now)
	if !ok {
		return RateLimit{}, false
	}
	rl := RateLimit{Limit: int(a.limit), Remaining: int(a.remaining), Window: a.window}
	if a.reset > 0 {
		rl.Reset = now.Add(a.reset)
	}
	return rl, true
}

// quota is the quota the API announced, which the limiter follows so that
// nothing is refused. The server counts concurrent requests in an order of
// its own; an answer to a request sent after another answer came was
// counted after it. What is left is the lowest remaining count of the
// answers no such later one has followed yet (one of them was counted
// last), less the requests in flight; it may all be sent at once. It is
// whole again at its reset, or, for X-Rate-Limit-*, a window after the
// window's first request; meanwhile it comes back as fast as it was seen
// to, for a token bucket that refills many times a second still says
// "reset in 1 s". Spent before any refill showed, it lets one request go
// early, a probe: served, its answer shows the refill; refused, the quota
// comes back only at its reset.
type quota struct {
	limit, low float64   // low: the lowest remaining count of last
	last       []counted // the answers that may have been counted last
	lastSend   time.Time // when the latest request went
	reset      time.Time // when the quota is whole again; zero if not said
	resetLen   time.Duration
	seqAtReset uint64        // the requests let through when reset passed; 0 before
	window     time.Duration // X-Rate-Limit-Window
	opened     time.Time     // when the current window's first request went
	refill     float64       // requests a second the quota was seen to regain
	noRefill   bool          // a probe was refused
	probe      uint64        // the probe in flight; 0 if none
	anchor     counted       // the answer the refill is measured from
	anchorFill float64       // the best refill measured since the anchor; -1 before any
}

// counted is an answer that announced the quota: its request's number, when
// it went and when it was answered, and how many were sent after it by then.
type counted struct {
	seq, after uint64
	sent, at   time.Time
	left       float64
	reset      time.Time
}

// observe takes the answer, received at now with headers h, to request seq
// sent at sent while ahead requests sent before it were in flight, seqNow
// requests having been let through; it reports whether h announced a quota.
func (q *quota) observe(seq, seqNow uint64, ahead int, refused bool, sent time.Time, h http.Header, now time.Time) bool {
	if seq == q.probe {
		q.probe, q.noRefill = 0, refused
	}
	ann, ok := readAnnounced(h, now)
	if !ok {
		return false
	}
	j := counted{seq, seqNow - seq, sent, now, ann.remaining, time.Time{}}
	if ann.reset > 0 {
		j.reset, q.reset, q.resetLen, q.seqAtReset = now.Add(ann.reset), now.Add(ann.reset), ann.reset, 0
	}
	q.limit, q.window, q.low = ann.limit, ann.window, ann.remaining
	last := q.last[:0]
	for _, a := range q.last {
		switch {
		case a.at.After(sent): // may have been counted after this one
			last, q.low = append(last, a), min(q.low, a.left)
		case ann.window > 0 && ann.remaining >= a.left && sent.After(q.opened):
			q.opened = sent // counted after a, yet no less left: a new window began by it
		}
	}
	if q.opened.IsZero() {
		q.opened = sent
	}
	if q.last = append(last, j); len(last) == 0 && ahead == 0 && ann.window == 0 {
		q.measure(j) // counted after every request sent before it: its count is exact
	}
	return true
}

// measure takes j, an answer counted after all the others: since the
// anchor, the quota regained what j shows more, plus the requests sent in
// between, less those sent after the anchor that may have been counted
// before it, and less one for the counts' rounding down: a lower bound of
// the refill. A span that may hold a reset measures a window, not a
// refill: the anchor moves there, and the refill is the best the span
// before it showed. Once a refill is known, a quota short at the anchor
// and whole at j is not measured either: the span says less than the
// refill does, a bucket filling no further when full, or else the quota
// was restored all at once; the anchor moves to j.
func (q *quota) measure(j counted) {
	a := q.anchor
	switch {
	case a.seq == 0 || !a.reset.IsZero() && !j.at.Before(a.reset):
		if a.seq != 0 && q.anchorFill >= 0 {
			q.refill = q.anchorFill
		}
		q.anchor, q.anchorFill = j, -1
	case j.left+1 >= q.limit && q.refill > 0 && a.left+1 < q.limit:
		q.anchor = j
	case j.at.After(a.sent):
		r := (j.left - a.left - 1 + float64(j.seq-a.seq-a.after)) / j.at.Sub(a.sent).Seconds()
		q.anchorFill, q.refill = max(q.anchorFill, r), max(q.refill, r)
	}
}

// wait returns how long request seq+1 must wait at now for the quota,
// inflight requests being out.
func (q *quota) wait(now time.Time, seq uint64, inflight int) time.Duration {
	left := q.low - float64(inflight)
	switch {
	case len(q.last) == 0 || left >= 1: // none announced, or some left
		return 0
	case q.window > 0:
		return max(q.opened.Add(q.window).Sub(now), 0)
	}
	if left += q.refill * now.Sub(q.last[len(q.last)-1].sent).Seconds(); !q.reset.IsZero() && !now.Before(q.reset) {
		if q.seqAtReset == 0 {
			q.seqAtReset = seq
		}
		left = max(left, q.limit-float64(seq-q.seqAtReset))
	}
	d := forever
	if !q.reset.IsZero() {
		d = q.reset.Sub(now)
	}
	switch {
	case left >= 1:
		return 0
	case q.refill > 0:
		d = min(d, time.Duration((1-left)/q.refill*float64(time.Second)))
	case !q.noRefill && q.probe == 0 && q.resetLen > 0:
		at := q.lastSend.Add(q.resetLen / time.Duration(max(q.limit, 1)))
		if !now.Before(at) {
			q.probe = seq + 1
			return 0
		}
		d = min(d, at.Sub(now))
	}
	if d == forever {
		return 0 // neither a reset nor a refill to wait for: a 429 will say
	}
	return max(d, time.Millisecond)
}

// sending notes a request let through at now.
func (q *quota) sending(now time.Time) {
	if q.lastSend = now; q.window > 0 && !now.Before(q.opened.Add(q.window)) {
		q.opened = now
	}
}
