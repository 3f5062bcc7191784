package rceventstest

import (
	"fmt"
	"time"

	rcevents "github.com/rcevents/rcevents-go"
)

// An Option configures a Server made by NewServer.
type Option func(*config)

type config struct {
	seed           int64
	registrations  int
	defaultPerPage int
	maxPerPage     int
	reportPolls    int
	failedReports  []rcevents.ReportType // WithReportFailure
	storage        bool
	tokenTTL       time.Duration
	clientID       string
	clientSecret   string
	clock          func() time.Time
	addr           string
	logLimit       int
	updateOrder    bool
}

func defaultConfig() config {
	return config{
		seed:           1,
		registrations:  150,
		defaultPerPage: 25,
		maxPerPage:     100,
		reportPolls:    2,
		tokenTTL:       time.Hour,
		clock:          time.Now,
	}
}

// WithSeed sets the seed of the generated data and of the fault draws (default 1). The same
// seed gives the same IDs, the same data and, for the same sequence of requests, the same faults.
func WithSeed(seed int64) Option {
	return func(c *config) { c.seed = seed }
}

// WithRegistrations sets how many registrations the main event (Fixtures.EventID) holds
// (default 150). They are generated on demand from the seed and their index, never stored,
// so millions cost no memory; registrations created through the API come after them. It
// panics unless 0 ≤ n < 2^32.
func WithRegistrations(n int) Option {
	if n < 0 || n >= 1<<32 {
		panic(fmt.Sprintf("rceventstest: WithRegistrations(%d): want 0 ≤ n < 2^32", n))
	}
	return func(c *config) { c.registrations = n }
}

// WithDefaultPerPage sets the page size of lists when perPage is not sent (default 25). It
// panics if n < 1.
func WithDefaultPerPage(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("rceventstest: WithDefaultPerPage(%d): want n ≥ 1", n))
	}
	return func(c *config) { c.defaultPerPage = n }
}

// WithMaxPerPage sets the largest page size (default 100); a larger perPage is lowered to
// it. It panics if n < 1.
func WithMaxPerPage(n int) Option {
	if n < 1 {
		panic(fmt.Sprintf("rceventstest: WithMaxPerPage(%d): want n ≥ 1", n))
	}
	return func(c *config) { c.maxPerPage = n }
}

// WithReportPolls sets how many GET /v1/reports/{id} of a newly created report answer 202
// (in_progress_report) before it is ready and answers 200 (default 2; 0: ready at once).
// It panics if n < 0.
func WithReportPolls(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("rceventstest: WithReportPolls(%d): want n ≥ 0", n))
	}
	return func(c *config) { c.reportPolls = n }
}

// WithReportFailure makes the generation of reports of these types fail, or of every type
// when none is given. Such a report answers its first WithReportPolls GETs with 202 as
// others do, then 200 with status "failed" and no url, as the API answers a report it could
// not generate; its download answers 422 with a JSON:API error (the reference lists no
// answer for that case). Reports of other types are generated as usual.
func WithReportFailure(types ...rcevents.ReportType) Option {
	if len(types) == 0 {
		types = rcevents.ReportTypes()
	}
	return func(c *config) { c.failedReports = append(c.failedReports, types...) }
}

// WithStorageRedirect starts a second, storage origin (Server.StorageURL). Report downloads
// then answer 302 with a pre-signed URL on it, and a report's url attribute is such a URL.
// Like real pre-signed storage, it answers 403 to any request carrying an Authorization
// header, and to expired or tampered URLs; the request log records what it was sent.
func WithStorageRedirect() Option {
	return func(c *config) { c.storage = true }
}

// WithTokenTTL sets the lifetime of access tokens from the token endpoint (default 1h).
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) { c.tokenTTL = d }
}

// WithCredentials sets the client ID and secret the token endpoint accepts instead of the
// ones derived from the seed.
func WithCredentials(clientID, clientSecret string) Option {
	return func(c *config) { c.clientID, c.clientSecret = clientID, clientSecret }
}

// WithClock sets the clock used for token expiry, pre-signed URL expiry and the timestamps
// of writes (default time.Now), which the fake truncates to the second as the API does:
// createdAt and updatedAt of what requests create or change. Seeded data does not depend
// on it, and neither do latency and the rate limit, which take real time. A Clock's Now
// is such a clock, that a test can set or advance.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithAddr makes the server listen on addr (for example "127.0.0.1:8080") instead of a
// free loopback port; NewServer panics if it cannot.
func WithAddr(addr string) Option {
	return func(c *config) { c.addr = addr }
}

// WithLogLimit keeps only the last n requests in the request log (default 0: all of them).
func WithLogLimit(n int) Option {
	return func(c *config) { c.logLimit = n }
}

// WithUpdateOrder makes the fake list registrations in the order they were last written
// instead of the API's creation order: by updatedAt, and among equal ones (the API counts
// whole seconds) those never written through the API first, then the others in the order
// of their last write, as a server sorting on a finer clock would. An update then moves a
// registration to the end of the list and the ones after it back by one, so that code
// walking pages while registrations change can be tested against such a server. Each list
// request then sorts the event's registrations: it is meant for thousands, not millions.
func WithUpdateOrder() Option {
	return func(c *config) { c.updateOrder = true }
}
