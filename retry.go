package rcevents

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how often and how patiently a failed request is tried
// again. Zero fields take the defaults of DefaultRetryPolicy; durations
// past a year are taken for a year. It is the one rule of a call's
// attempts: a call never makes more than MaxAttempts, whatever the rate
// limiter knows or the client's other calls do, and MaxAttempts 1 is one
// attempt.
//
// GET and HEAD requests are retried after a 429, 500, 502, 503 or 504 answer
// and after a transport error; DELETE and PATCH after the same answers but
// 500, which may mean the server acted on them. POST requests are retried only
// after a 429, the one answer that says the server did not act on them, so a
// retry never creates a resource twice.
//
// A transport error that says it is permanent, with a method Permanent()
// bool that returns true (rceventstest's replay of a request it has not
// recorded fails so), is never retried: the same request would fail the
// same way.
//
// The wait before a retry is the server's Retry-After when it sent a valid
// one (seconds or an HTTP date), else an exponential backoff with full
// jitter between MinBackoff and MaxBackoff. A Retry-After longer than
// MaxBackoff ends the call with an error that says so, wrapping the
// *APIError, whose RetryAfter field carries the wait the server asked for.
// So does a pause of the whole client (see WithAdaptiveRateLimit) that has
// longer to run than the call's MaxBackoff, before any request is sent.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, the first included
	MinBackoff  time.Duration // base of the exponential backoff
	MaxBackoff  time.Duration // cap of a backoff and of an honoured Retry-After
}

// DefaultRetryPolicy returns the policy of a client made without WithRetry:
// 4 attempts, backoff from 500ms up to 30s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, MinBackoff: 500 * time.Millisecond, MaxBackoff: 30 * time.Second}
}

// validate refuses negative fields, naming the option that set them.
func (p RetryPolicy) validate(option string) error {
	if p.MaxAttempts < 0 || p.MinBackoff < 0 || p.MaxBackoff < 0 {
		return invalidArg(option, "fields must not be negative")
	}
	return nil
}

// withDefaults fills zero fields from DefaultRetryPolicy, and takes a
// backoff longer than maxRetryAfter (a year) for maxRetryAfter, so that no
// wait overflows.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	p.MinBackoff, p.MaxBackoff = min(p.MinBackoff, maxRetryAfter), min(p.MaxBackoff, maxRetryAfter)
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = d.MinBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = d.MaxBackoff
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	return p
}

// backoff returns the wait before retry number n (1 for the first retry):
// a random duration in [0, min(MaxBackoff, MinBackoff·2^(n-1))].
func (p RetryPolicy) backoff(n int) time.Duration {
	ceiling := p.MaxBackoff
	if n <= 32 && p.MinBackoff <= ceiling>>(n-1) {
		ceiling = p.MinBackoff << (n - 1)
	}
	return rand.N(ceiling + 1)
}

// next is the one retry decision of a call, by its own policy: after
// attempt n, answered apiErr or, when apiErr is nil, failed with err as a
// round trip, it returns the wait before the next attempt, or the error to
// end the call with. A Retry-After the server sent is the wait; one longer
// than MaxBackoff ends the call, saying so.
func (p RetryPolicy) next(ctx context.Context, method string, n int, err error, apiErr *APIError) (time.Duration, error) {
	if apiErr == nil {
		if n < p.MaxAttempts && retryableError(ctx, method, err) {
			return p.backoff(n), nil
		}
		return 0, err
	}
	switch {
	case !retryableStatus(method, apiErr.StatusCode):
		return 0, err
	case n >= p.MaxAttempts && n > 1:
		return 0, fmt.Errorf("%w (gave up after %d attempts)", err, n)
	case n >= p.MaxAttempts:
		return 0, err
	case apiErr.RetryAfter > p.MaxBackoff:
		return 0, fmt.Errorf("%w: server asked to retry after %s, more than MaxBackoff %s", err, apiErr.RetryAfter, p.MaxBackoff)
	}
	if _, ok := parseRetryAfter(apiErr.Header.Get("Retry-After"), time.Now()); ok {
		return apiErr.RetryAfter, nil
	}
	return p.backoff(n), nil
}

// safe reports whether a request of this method only reads.
func safe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// idempotent reports whether a request of this method may be sent again
// after a transport error or a 5xx answer.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodPatch:
		return true
	}
	return false
}

// retryableStatus reports whether an answer with this status may be retried
// for a request of this method.
func retryableStatus(method string, status int) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return idempotent(method)
	case http.StatusInternalServerError:
		// A read that failed on the server's side may succeed next time, and
		// asking again changes nothing. A write answered 500 may have been
		// acted on: it fails with ErrOutcomeUnknown instead.
		return safe(method)
	}
	return false
}

// retryableError reports whether a failed round trip may be retried: never
// once the caller's context has ended, and only for idempotent methods. An
// attempt that ran out of its own time limit counts as a transport error. A
// failed token fetch is retried only when it may succeed next time: after a
// transport error or an answer retryableStatus allows, not after a refusal,
// an answer that is not a token, a panic of the token source or a fetch
// that ran out of its bound (the call has waited that long already). An
// error that says it is permanent is not retried (see RetryPolicy).
func retryableError(ctx context.Context, method string, err error) bool {
	if ctx.Err() != nil || !idempotent(method) || errors.Is(err, errTooManyRedirects) || permanent(err) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return retryableStatus(http.MethodGet, apiErr.StatusCode)
	}
	var fe *tokenFetchError
	if errors.As(err, &fe) {
		return fe.temporary
	}
	return true
}

// permanent reports whether err says it is permanent: an error in its chain,
// or in the chain of one whose message had a secret or a value of the call
// cut out (which does not unwrap), has a Permanent method that returns true.
func permanent(err error) bool {
	var p interface{ Permanent() bool }
	var red *redactedError
	switch {
	case errors.As(err, &p):
		return p.Permanent()
	case errors.As(err, &red):
		return permanent(red.orig)
	}
	return false
}

// parseRetryAfter reads a Retry-After header given as seconds or as an HTTP
// date, and reports whether it was either. A date in the past is zero; a
// wait longer than maxRetryAfter is maxRetryAfter. Anything else (a negative
// or fractional number, words) is not a Retry-After: the caller backs off as
// if there were none.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true // only digits: too many for an int64
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// maxRetryAfter bounds a parsed Retry-After so that durations never overflow.
const maxRetryAfter = 365 * 24 * time.Hour

// sleep waits for d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error { return sleepOr(ctx, d, nil) }

// sleepOr is sleep that also ends, with nil, when wake is closed.
func sleepOr(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
