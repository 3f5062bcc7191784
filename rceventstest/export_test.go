package rceventstest

import "time"

// SetRateLimitClock makes the rate limit of s run on now instead of real time, so that a
// test refills its bucket exactly, without waiting.
func SetRateLimitClock(s *Server, now func() time.Time) {
	s.limit.mu.Lock()
	defer s.limit.mu.Unlock()
	s.limit.now = now
}
