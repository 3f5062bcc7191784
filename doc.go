// Package rcevents is a client for the RingCentral Events API: organizations,
// events, registrations, tickets, magic links, reports, schedule items,
// sessions, stages, booths, tags and data subscriptions.
//
// A Client holds one service per resource. Every method takes a context
// first, checks its arguments before any I/O (an error wrapping
// ErrInvalidArgument means nothing was sent), and shares one pipeline: OAuth2
// client credentials or a bearer token, retries with backoff, an optional
// rate limit, and typed errors (*APIError, matched with errors.Is against
// ErrNotFound and the other sentinels). A nil request is the zero one: where
// a request has required fields, the error names the first. Call options
// given last (WithResponse, WithHeader, WithCallRetry, ...) change that one
// call; Client.Do reaches endpoints no method wraps.
//
// Lists come a page at a time from List, or item by item from All, which
// walks every page and can fetch several at once (WithPageConcurrency):
//
//	for reg, err := range c.Registrations.All(ctx, eventID, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(reg.Email)
//	}
//
// Package rceventstest serves a fake of the whole API for tests and examples.
package rcevents
