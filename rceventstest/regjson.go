package rceventstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// A page of registrations is the answer the SDK's benchmarks and large tests ask for
// thousands of times, from a fake running in their own process. Building and encoding a
// page of 100 cost the fake about 1 ms of CPU, more than half what the SDK spends
// decoding it, and about half of that was encoding/json: reflection over every field,
// after a copy of every registration into a resource. The functions below write the same
// page by hand, appending to a pooled buffer.
//
// They must write exactly the bytes writeList would: encoding/json's, as writeJSON
// configures it (no HTML escaping, a trailing newline). Field names and order follow the
// structs of models.go, so a field added there must be added here too; regjson_test.go
// compares both encodings byte for byte over generated, created and odd registrations, and
// FuzzRegistrationJSON over arbitrary strings, so a difference fails the tests.

// writeRegistrationList answers one page of registrations, as writeList does.
func writeRegistrationList(w http.ResponseWriter, r *http.Request, p pageRequest, total int, items []registration) {
	bp := pageBufPool.Get().(*[]byte)
	if size := 2048 + 1536*len(items); cap(*bp) < size { // a registration takes about 1.4 KB
		*bp = make([]byte, 0, size)
	}
	body, err := appendRegistrationList((*bp)[:0], items, total, p.links(r, total))
	if err != nil {
		http.Error(w, "encoding the answer: "+err.Error(), http.StatusInternalServerError)
	} else {
		writeBody(w, http.StatusOK, body)
	}
	if cap(body) <= 1<<20 { // do not keep unusually large buffers alive
		*bp = body[:0]
		pageBufPool.Put(bp)
	}
}

// pageBufPool holds the buffers pages are appended to; a page of 100 takes about 140 KB.
var pageBufPool = sync.Pool{New: func() any { return new([]byte) }}

// appendRegistrationList appends the listDocument of a page of registrations and a newline.
func appendRegistrationList(dst []byte, items []registration, total int, links listLinks) ([]byte, error) {
	var err error
	dst = append(dst, `{"data":[`...)
	for i := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"id":`...)
		dst = appendString(dst, items[i].ID)
		dst = append(dst, `,"type":"registration","attributes":`...)
		if dst, err = appendRegistration(dst, &items[i]); err != nil {
			return dst, err
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `],"meta":{"count":`...)
	dst = strconv.AppendInt(dst, int64(total), 10)
	dst = append(dst, `},"links":{"first":`...)
	dst = appendString(dst, links.First)
	dst = append(dst, `,"self":`...)
	dst = appendString(dst, links.Self)
	dst = append(dst, `,"last":`...)
	dst = appendString(dst, links.Last)
	dst = append(dst, `,"prev":`...)
	dst = appendNullString(dst, links.Prev)
	dst = append(dst, `,"next":`...)
	dst = appendNullString(dst, links.Next)
	return append(dst, "}}\n"...), nil
}

// appendRegistration appends the attributes object of a registration.
func appendRegistration(dst []byte, r *registration) ([]byte, error) {
	var err error
	dst = append(dst, `{"attended":`...)
	dst = strconv.AppendBool(dst, r.Attended)
	dst = append(dst, `,"bio":`...)
	dst = appendNullString(dst, r.Bio)
	dst = append(dst, `,"createdAt":`...)
	dst = appendTime(dst, r.CreatedAt)
	dst = append(dst, `,"customRegistrationFields":`...)
	if dst, err = appendCustomFields(dst, r.CustomRegistrationFields); err != nil {
		return dst, err
	}
	dst = append(dst, `,"email":`...)
	dst = appendString(dst, r.Email)
	dst = append(dst, `,"firstCheckIn":`...)
	if r.FirstCheckIn == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendTime(dst, *r.FirstCheckIn)
	}
	dst = append(dst, `,"firstName":`...)
	dst = appendString(dst, r.FirstName)
	dst = append(dst, `,"headline":`...)
	dst = appendNullString(dst, r.Headline)
	dst = append(dst, `,"id":`...)
	dst = appendString(dst, r.ID)
	dst = append(dst, `,"lastName":`...)
	dst = appendString(dst, r.LastName)
	dst = append(dst, `,"linkedin":`...)
	dst = appendNullString(dst, r.Linkedin)
	dst = append(dst, `,"magicLinkId":`...)
	dst = appendNullString(dst, r.MagicLinkID)
	dst = append(dst, `,"metadata":`...)
	dst = appendStringMap(dst, r.Metadata)
	dst = append(dst, `,"phoneNumber":`...)
	dst = appendNullString(dst, r.PhoneNumber)
	dst = append(dst, `,"qrCodeData":`...)
	dst = appendNullString(dst, r.QRCodeData)
	dst = append(dst, `,"qrCodeImageUrl":`...)
	dst = appendNullString(dst, r.QRCodeImageURL)
	dst = append(dst, `,"questionBankEnabled":`...)
	dst = strconv.AppendBool(dst, r.QuestionBankEnabled)
	dst = append(dst, `,"refunded":`...)
	dst = strconv.AppendBool(dst, r.Refunded)
	dst = append(dst, `,"registeredThrough":`...)
	dst = appendString(dst, r.RegisteredThrough)
	dst = append(dst, `,"ticketId":`...)
	dst = appendString(dst, r.TicketID)
	dst = append(dst, `,"timezone":`...)
	dst = appendString(dst, r.Timezone)
	dst = append(dst, `,"twitter":`...)
	dst = appendNullString(dst, r.Twitter)
	dst = append(dst, `,"updatedAt":`...)
	dst = appendTime(dst, r.UpdatedAt)
	dst = append(dst, `,"userId":`...)
	dst = appendString(dst, r.UserID)
	dst = append(dst, `,"utm":{"utmSource":`...)
	dst = appendString(dst, r.UTM.UTMSource)
	dst = append(dst, `,"utmCampaign":`...)
	dst = appendString(dst, r.UTM.UTMCampaign)
	dst = append(dst, `,"utmMedium":`...)
	dst = appendString(dst, r.UTM.UTMMedium)
	dst = append(dst, `,"utmContent":`...)
	dst = appendString(dst, r.UTM.UTMContent)
	dst = append(dst, `,"utmTerm":`...)
	dst = appendString(dst, r.UTM.UTMTerm)
	dst = append(dst, `},"website":`...)
	dst = appendNullString(dst, r.Website)
	return append(dst, '}'), nil
}

// appendCustomFields appends a registration's answers: null for a nil slice, as encoding/json.
func appendCustomFields(dst []byte, fields []customField) ([]byte, error) {
	if fields == nil {
		return append(dst, "null"...), nil
	}
	var err error
	dst = append(dst, '[')
	for i := range fields {
		f := &fields[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"id":`...)
		dst = appendString(dst, f.ID)
		dst = append(dst, `,"name":`...)
		dst = appendString(dst, f.Name)
		dst = append(dst, `,"value":`...)
		if dst, err = appendValue(dst, f.Value); err != nil {
			return dst, err
		}
		dst = append(dst, `,"type":`...)
		dst = appendString(dst, f.Type)
		dst = append(dst, `,"childQuestions":`...)
		if f.ChildQuestions == nil {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, '[')
			for k := range f.ChildQuestions {
				c := &f.ChildQuestions[k]
				if k > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"id":`...)
				dst = appendString(dst, c.ID)
				dst = append(dst, `,"name":`...)
				dst = appendString(dst, c.Name)
				dst = append(dst, `,"value":`...)
				if dst, err = appendValue(dst, c.Value); err != nil {
					return dst, err
				}
				dst = append(dst, `,"type":`...)
				dst = appendString(dst, c.Type)
				dst = append(dst, '}')
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}
	return append(dst, ']'), nil
}

// appendValue appends an answer's value: a string or a list of strings without
// reflection, anything else through encoding/json.
func appendValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, v), nil
	case []string:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']'), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
}

// appendStringMap appends a map with its keys sorted, as encoding/json does; nil is null.
func appendStringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	var small [4]string // metadata rarely has more keys: sort them without allocating
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, m[k])
	}
	return append(dst, '}')
}

// appendNullString appends a nullable string.
func appendNullString(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return appendString(dst, *s)
}

// appendTime appends what apiTime.MarshalText writes, quoted, without parsing the layout
// each time as time.Time.AppendFormat does.
func appendTime(dst []byte, t apiTime) []byte {
	u := time.Time(t).UTC()
	year, month, day := u.Date()
	dst = append(dst, '"')
	if year < 0 || year > 9999 { // leave the sign and the fifth digit to AppendFormat
		dst = u.AppendFormat(dst, apiTimeLayout)
		return append(dst, '"')
	}
	hour, minute, second := u.Clock()
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, second, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, u.Nanosecond()/1e6, 3) // truncated, as AppendFormat does
	return append(dst, 'Z', '"')
}

// appendDigits appends the width last decimal digits of n ≥ 0, zero-padded.
func appendDigits(dst []byte, n, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		dst = append(dst, 0) // grow by one; the digits are filled in from the right
	}
	for i := len(dst) - 1; i >= len(dst)-width; i-- {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// plainJSON tells the bytes encoding/json copies into a string as they are (without HTML
// escaping): ASCII but control characters, '"' and '\\'.
var plainJSON = func() (plain [utf8.RuneSelf]bool) {
	for b := ' '; b < utf8.RuneSelf; b++ {
		plain[b] = b != '"' && b != '\\'
	}
	return plain
}()

// skipPlain8 returns the index of the first 8 bytes from s[i:] that are not all plain (see
// plainJSON), or len(s) - len(s)%8 when all are. It tests the 8 at once: a byte is not
// plain when its high bit is set (not ASCII), when subtracting 0x20 from it borrows (a
// control character), or when subtracting 1 from it xor '"' or '\\' borrows (it is one of
// them). Borrows run into higher bytes only from bytes that are not plain, so the test is
// exact.
func skipPlain8(s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		quote, backslash := x^(ones*'"'), x^(ones*'\\')
		if (x|(x-ones*0x20)|(quote-ones)|(backslash-ones))&highs != 0 {
			break
		}
	}
	return i
}

// appendString appends s as a JSON string the way encoding/json does without HTML
// escaping: '"' and '\\' escaped, control characters as \b, \f, \n, \r, \t or \u00XX,
// U+2028 and U+2029 as \u2028 and \u2029, and each byte of invalid UTF-8 as \ufffd.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0 // s[start:i] is yet to be copied
	for i := 0; i < len(s); {
		if i = skipPlain8(s, i); i == len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			if plainJSON[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
