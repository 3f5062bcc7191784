package rceventstest

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
)

// pageRequest is a validated page and perPage.
type pageRequest struct {
	number int // 1-based
	size   int
}

// parsePage reads page and perPage. Both must be integers of at least 1; perPage above the
// maximum is lowered to it (the links then carry the lowered value), absent values take
// the defaults. A bad value is answered with 400 and false.
func (s *Server) parsePage(w http.ResponseWriter, r *http.Request) (pageRequest, bool) {
	p := pageRequest{number: 1, size: s.cfg.defaultPerPage}
	q := r.URL.Query()
	for _, param := range []struct {
		name string
		dst  *int
	}{{"page", &p.number}, {"perPage", &p.size}} {
		raw, ok := q[param.name]
		if !ok {
			continue
		}
		n, err := strconv.Atoi(raw[0])
		if err != nil || n < 1 {
			writeBadParameter(w, param.name, fmt.Sprintf("%s must be an integer of at least 1, got %q", param.name, raw[0]))
			return pageRequest{}, false
		}
		*param.dst = n
	}
	p.size = min(p.size, s.cfg.maxPerPage)
	return p, true
}

// origin is the scheme and host the request was sent to, so that the links and URLs of
// answers follow whatever address the client reached.
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// offset is the index of the page's first item, saturating instead of overflowing for
// absurd page numbers.
func (p pageRequest) offset() int {
	if p.number-1 > math.MaxInt/p.size {
		return math.MaxInt
	}
	return (p.number - 1) * p.size
}

// window is the half-open range of item indexes on the page, empty past the end.
func (p pageRequest) window(total int) (lo, hi int) {
	lo = min(p.offset(), total)
	hi = lo + min(p.size, total-lo)
	return lo, hi
}

// links builds the absolute pagination links from the request itself, so they point at
// whatever address the client reached; every other query parameter (filters) is kept.
func (p pageRequest) links(r *http.Request, total int) listLinks {
	q := r.URL.Query()
	link := func(n int) string {
		q.Set("page", strconv.Itoa(n))
		q.Set("perPage", strconv.Itoa(p.size))
		return origin(r) + (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String()
	}
	last := max(1, (total+p.size-1)/p.size) // an empty list has one empty page
	l := listLinks{First: link(1), Self: link(p.number), Last: link(last)}
	if p.number > 1 {
		l.Prev = ptr(link(p.number - 1))
	}
	if p.number < last {
		l.Next = ptr(link(p.number + 1))
	}
	return l
}
