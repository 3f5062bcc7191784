package rcevents

import (
	"fmt"
	"sync"
	"testing"
)

func TestDbgTrace(t *testing.T) {
	cfg := bucket20x10
	cfg.headers = headersXRate
	srv := newLimitedServer(t, cfg)
	var mu sync.Mutex
	var lines []string
	dbgTrace = func(s string) { mu.Lock(); lines = append(lines, s); mu.Unlock() }
	defer func() { dbgTrace = nil }()
	c := limitedClient(t, srv, 8)
	var st walkStats
	walkLimited(t, srv, c, &st)
	fmt.Println(st)
	for _, l := range lines[:120] {
		fmt.Println(l)
	}
}
