// Package redact replaces values that must not be shown (credentials, an
// attendee's email and name) in text, in the forms a server echoes them: as
// they are, JSON-escaped (\/, \u0040, surrogate pairs), URL-, form- and
// path-escaped (%40, + for a space), HTML-escaped (&amp;, &commat;, &#64;,
// &#x40;), in any mix. The SDK cuts them from its errors and logs with it.
package redact

import (
	"html"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// MinLoose is the length from which a value is replaced wherever it is. A
// shorter one is replaced only where it stands alone: not against a letter,
// a digit or one of "-._~/" (RFC 6750's token alphabet but "+" and "=") on
// a side where it ends in one, read through escapes. A token "a" is cut
// from "Bearer a" and "(a)", not from "a bad token": a short value is more
// often a word than an echo.
const MinLoose = 8

// A Replacer replaces values by their replacements. It is safe for
// concurrent use; a nil *Replacer replaces nothing.
type Replacer struct {
	vals []value
	// order[starts[b]:starts[b+1]] are the indexes in vals, in order, of the
	// values that may begin at the byte b, read or as it is: those that
	// begin with b, in either case for an email. folds are the emails, all
	// tried at an escape: a letter beyond ASCII may begin with another byte
	// in the other case. A text is so read at the cost of the values that
	// may begin at each byte, not of them all, which matters for thousands
	// of values (a recording's attendees; see BenchmarkReplaceManyValues).
	order  []int32
	starts [257]int32
	folds  []int32
}

type value struct {
	v, with string
	pair    int
	fold    bool // an email: its ASCII letters match either case
}

// New returns a Replacer of value, replacement pairs, as strings.NewReplacer
// takes them; an empty value is ignored. A value that holds an "@" is taken
// for an email, and matched ignoring case: its ASCII letters one by one, its
// other letters all in lower case or all in upper case. Where
// values overlap, the one found first is replaced, the longest of those
// that begin together. New panics on an odd number of arguments.
func New(oldnew ...string) *Replacer {
	if len(oldnew)%2 == 1 {
		panic("redact.New: odd argument count")
	}
	r := &Replacer{}
	for i := 0; i < len(oldnew); i += 2 {
		v, fold := oldnew[i], strings.Contains(oldnew[i], "@")
		forms := []string{v}
		if fold { // the matcher folds ASCII letters; these fold the others
			forms = append(forms, strings.ToLower(v), strings.ToUpper(v))
		}
		for k, f := range forms {
			if f != "" && (k == 0 || f != v) {
				if fold {
					r.folds = append(r.folds, int32(len(r.vals)))
				}
				r.vals = append(r.vals, value{f, oldnew[i+1], i / 2, fold})
			}
		}
	}
	for _, v := range r.vals {
		for _, b := range v.beginnings() {
			r.starts[int(b)+1]++
		}
	}
	for b := range 256 {
		r.starts[b+1] += r.starts[b]
	}
	r.order = make([]int32, r.starts[256])
	next := r.starts
	for i, v := range r.vals {
		for _, b := range v.beginnings() {
			r.order[next[b]] = int32(i)
			next[b]++
		}
	}
	return r
}

// beginnings returns the bytes an echo of v may begin with as they are: its
// first, in either case for an email.
func (v *value) beginnings() []byte {
	if l, u := lower(v.v[0]), upper(v.v[0]); v.fold && l != u {
		return []byte{l, u}
	}
	return []byte{v.v[0]}
}

// starting returns the indexes of the values that may begin at b.
func (r *Replacer) starting(b byte) []int32 { return r.order[r.starts[b]:r.starts[int(b)+1]] }

// Replace returns s with each value replaced by its replacement. Where the
// value was found escaped, the replacement is escaped the same way (as a
// URL but for "@:[]", as JSON, as HTML), so that the URL or the JSON string
// around it stays well formed; where it was found as it is, so is the
// replacement written. It returns s itself when it finds no value.
func (r *Replacer) Replace(s string) string {
	var b strings.Builder
	done := 0
	r.each(s, func(start, end int, v *value) bool {
		b.WriteString(s[done:start] + inForm(v.with, s[start:end]))
		done = end
		return true
	})
	if done == 0 {
		return s
	}
	return b.String() + s[done:]
}

// Find returns the index of the first pair whose value s holds, in any form
// Replace finds, or -1 if it holds none: the check of a text about to be
// shown or written.
func (r *Replacer) Find(s string) int {
	pair := -1
	r.each(s, func(_, _ int, v *value) bool { pair = v.pair; return false })
	return pair
}

// each calls fn with where each value found in s begins and ends, leftmost
// first, while fn returns true. An echo may begin anywhere, even within
// what reads as an escape ("%" then "00000000"); before is the byte before
// it as s reads from its start, unit (an escape or a byte) by unit.
func (r *Replacer) each(s string, fn func(start, end int, v *value) bool) {
	var buf [8]byte
	var seen map[[2]int]int // see match
	before, last, unitEnd := byte(0), byte(0), 0
	for k := 0; r != nil && k < len(s); k++ {
		first, ends, n := s[k], s[k], 1 // what the unit at k begins and ends with, and its length
		if s[k] == '%' || s[k] == '\\' || s[k] == '&' {
			d, m := unit(buf[:0], s[k:])
			first, ends, n = d[0], d[len(d)-1], m
		}
		if k == unitEnd {
			before, last, unitEnd = last, ends, k+n
		} else {
			before = s[k-1]
		}
		end, found, foundAt := -1, (*value)(nil), int32(0)
		try := func(candidates []int32) {
			for _, i := range candidates {
				if len(seen) > 0 {
					clear(seen)
				}
				if e := r.vals[i].match(s, k, 0, before, &seen); e >= 0 && (e > end || e == end && i < foundAt) {
					end, found, foundAt = e, &r.vals[i], i
				}
			}
		}
		try(r.starting(s[k]))
		if first != s[k] {
			try(r.starting(first))
		}
		if s[k] == '+' {
			try(r.starting(' ')) // a form's space
		}
		if n > 1 && len(r.starting(s[k]))+len(r.starting(first)) > 0 {
			try(r.folds)
		}
		if found != nil {
			if !fn(k, end, found) {
				return
			}
			k, last, unitEnd = end-1, found.v[len(found.v)-1], end
		}
	}
}

// match returns where an echo of v.v[j:] that begins at s[i] ends, the
// furthest if several do, or -1. It reads an escape as what it stands for
// or as the text it is (a value may hold "%41" or "\"), and follows both
// where both fit; seen keeps where such a fork led, so that a value of
// many backslashes costs at most its length times the text's, up to 4096
// forks, past which the text is read as it is. A "+" may be a form's space.
func (v *value) match(s string, i, j int, before byte, seen *map[[2]int]int) int {
	var buf [8]byte
	for j < len(v.v) {
		for i < len(s) && j < len(v.v) && s[i] == v.v[j] && s[i] != '%' && s[i] != '\\' && s[i] != '&' {
			i, j = i+1, j+1 // most text holds no escape
		}
		if j == len(v.v) {
			break
		} else if i == len(s) || s[i] != '%' && s[i] != '\\' && s[i] != '&' && s[i] != '+' && !v.fold {
			return -1 // as it is, s[i] is not v.v[j]
		}
		d, n := unit(buf[:0], s[i:])
		want := v.v[j:min(len(v.v), j+len(d))]
		asIs := s[i] == v.v[j] || v.fold && lower(s[i]) == lower(v.v[j]) || s[i] == '+' && v.v[j] == ' '
		switch escaped := n > 1 && (string(d) == want || v.fold && strings.EqualFold(string(d), want)); {
		case escaped && asIs && len(*seen) < 4096:
			fork := [2]int{i, j}
			if end, ok := (*seen)[fork]; ok {
				return end
			} else if *seen == nil {
				*seen = map[[2]int]int{}
			}
			(*seen)[fork] = max(v.match(s, i+1, j+1, before, seen), v.match(s, i+n, j+len(d), before, seen))
			return (*seen)[fork]
		case asIs:
			i, j = i+1, j+1
		case escaped:
			i, j = i+n, j+len(d)
		default:
			return -1
		}
	}
	after, _ := unit(buf[:0], s[i:])
	if len(v.v) < MinLoose && (token(v.v[0]) && token(before) || len(after) > 0 && token(v.v[len(v.v)-1]) && token(after[0])) {
		return -1 // not alone (see MinLoose)
	}
	return i
}

func token(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// unit appends to d what s begins with stands for, and returns its length
// in s: JSON's \" \\ \/ \b \f \n \r \t and \uXXXX (a surrogate pair as
// one), a URL's %XX, an HTML character reference ended by ";", or else the
// byte itself; for an empty s, nothing and 0.
func unit(d []byte, s string) ([]byte, int) {
	switch {
	case s == "":
		return d, 0
	case len(s) >= 3 && s[0] == '%':
		if v, err := strconv.ParseUint(s[1:3], 16, 8); err == nil {
			return append(d, byte(v)), 3
		}
	case len(s) >= 2 && s[0] == '\\' && strings.IndexByte(`"\/bfnrt`, s[1]) >= 0:
		return append(d, "\"\\/\b\f\n\r\t"[strings.IndexByte(`"\/bfnrt`, s[1])]), 2
	case len(s) >= 6 && s[:2] == `\u`:
		hi, err := strconv.ParseUint(s[2:6], 16, 16)
		if c := rune(hi); err == nil && !utf16.IsSurrogate(c) {
			return utf8.AppendRune(d, c), 6
		} else if len(s) >= 12 && s[6:8] == `\u` && err == nil {
			lo, err := strconv.ParseUint(s[8:12], 16, 16)
			if c := utf16.DecodeRune(rune(hi), rune(lo)); err == nil && c != utf8.RuneError {
				return utf8.AppendRune(d, c), 12
			}
		}
	case len(s) >= 3 && s[0] == '&':
		end := strings.IndexByte(s[:min(len(s), 40)], ';')
		if num, ok := strings.CutPrefix(s[1:max(end, 1)], "#"); ok {
			base := 10
			if num != "" && num[0]|0x20 == 'x' {
				num, base = num[1:], 16
			}
			if c, err := strconv.ParseUint(num, base, 32); err == nil && utf8.ValidRune(rune(c)) {
				return utf8.AppendRune(d, rune(c)), end + 1
			}
		} else if u := html.UnescapeString(s[:end+1]); end > 1 && u != s[:end+1] && !strings.Contains(s[1:end], "&") {
			return append(d, u...), end + 1
		}
	}
	return append(d, s[0]), 1
}

// inForm returns with escaped as echo, the text a value was found as, is:
// as a URL (but for "@:[]", which a query and a path take as they are),
// then as JSON, then as HTML, as a JSON string or an HTML page may hold a
// URL.
func inForm(with, echo string) string {
	if strings.Contains(echo, "%") {
		with = strings.NewReplacer("%40", "@", "%3A", ":", "%5B", "[", "%5D", "]", "+", "%20").Replace(url.QueryEscape(with))
	}
	if strings.Contains(echo, `\`) {
		q, _ := jsontext.AppendQuote(nil, with)
		with = string(q[1 : len(q)-1])
	}
	if strings.Contains(echo, "&") {
		with = html.EscapeString(with)
	}
	return with
}
