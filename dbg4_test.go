package rcevents

import (
	"fmt"
	"testing"
	"time"
)

func TestDbgSimTrace(t *testing.T) {
	cfg := limitConfig{rate: 40, burst: 5, latency: 20 * time.Millisecond, retryAfter: 1, pages: 100, headers: headersIETF}
	s, l, srv := newSim(cfg, 0)
	t0 := s.now
	var lines []string
	dbgTrace = func(x string) { lines = append(lines, fmt.Sprintf("%.3f %s", s.now.Sub(t0).Seconds(), x)) }
	r := simulateWalk(s, l, srv, simConfig{limitConfig: cfg, decode: time.Millisecond, concurrency: 8})
	dbgTrace = nil
	fmt.Println(r)
	for _, x := range lines[len(lines)-120:] {
		fmt.Println(x)
	}
}
