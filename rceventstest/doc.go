// Package rceventstest is an in-process fake of the whole RingCentral Events API, in the
// spirit of net/http/httptest: NewServer starts it on a loopback port with deterministic,
// seeded data, and tests point a client (Server.Client, or any HTTP client) at Server.URL.
//
// # What it serves
//
// The token endpoint POST /v1/auth/token (OAuth 2.0 client credentials, with Server.ClientID
// and Server.ClientSecret sent as HTTP Basic or as form fields) and the 34 operations of
// the API, with the reference's envelopes, status codes, pagination (page, perPage; 25 per
// page by default, at most 100), filters (filter[field][op]=value) and errors. Every
// operation but the token endpoint wants "Authorization: Bearer <token>", a token from the
// token endpoint or Server.Token; tokens granted only the read scope get 403 on writes.
// Every answer of the API origin carries a unique X-Request-Id, which the request log
// (Server.Requests) records too.
//
// Writes stick: created events, registrations, tickets, magic links and reports appear in
// later reads, registration updates are kept, deleted magic links are gone. Server.Stats
// counts them and Server.Requests logs every request, so a test can compare what the
// server stored with what a client reported. Server.OnRequest calls a function before each
// API request is handled, so a test can change data between two pages of a walk.
//
// # Data
//
// Server.Fixtures names the seeded resources. The main event (Fixtures.EventID) holds
// WithRegistrations(n) registrations, 150 by default, generated on demand from the seed and
// their index: a million of them cost no memory, and a page of them is built on the fly.
//
// Timestamps are whole seconds, as the API's are. Writes are stamped with the clock of
// WithClock (a Clock lets a test set it), and the date-time filters compare at the second,
// so a test can make a write land in the same second as a sync's watermark.
//
// Lists come in creation order, as the API's do. WithUpdateOrder lists registrations in
// the order of their last write instead, as a server sorting on updatedAt would: an update
// then moves a registration to the end of the list, between two pages of a walk.
//
// # Faults and rate limits
//
// Latency before the answer (SetLatency) or spread over its body (SetBodyRate, a slow
// link), 429 with Retry-After, 500, 502, 503, 504, connection resets, lost responses and
// token revocation can be injected at a rate (SetFaultRate) or for the next requests
// (FailNext), and changed while the server runs. They draw from a generator seeded
// by WithSeed. By default they apply to API requests only, not to the token endpoint nor to
// the storage origin (see SetFaultScope). Injected 429 and 503 answers carry Retry-After: 0
// unless SetRetryAfter says otherwise, so that clients retry them at once and fault tests
// stay fast; set it to test how a client waits.
//
// SetRateLimit puts a token bucket in front of the API, with the headers of its choice,
// for testing a client against a server-side limit. SetListLag makes the lists of
// registrations and magic links show new ones a moment late, as an API behind caches or
// read replicas does.
//
// # Reports
//
// A created report answers 202 to its first WithReportPolls GETs, then 200 with a url.
// Its download is a CSV file, served directly or, with WithStorageRedirect, through a 302
// to a pre-signed URL on a second, storage origin that refuses requests carrying an
// Authorization header, and URLs older than a minute by the clock of WithClock. With
// WithReportFailure, reports of the types named fail instead: 200 with status "failed"
// and no url, and a download answered 422. SetFaultScope(ScopeStorage) brings faults to
// the storage origin.
//
// # Recording the real API
//
// A Recorder records what a test's requests to the real API are answered into a file
// beside the test, a cassette, and answers them from it in later runs, with no network and
// no credentials. A cassette holds no secret and no attendee's email or name: see
// Recorder.
//
// # Where the fake is stricter than the API
//
// Attributes a request does not document are refused with 422 (the real API drops them),
// so that a misspelled attribute fails a test instead of being ignored. A request body
// that names an object member twice or holds invalid UTF-8 is not JSON: 400. String
// filters (filter[email][eq] and [in]) match exactly, case included, as the reference's
// stringFilter says ("equal to the given string"); do not count on the real API ignoring
// case either way.
package rceventstest
