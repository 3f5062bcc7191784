package rceventstest

// These tests prove that the hand-written encoder of regjson.go writes what encoding/json
// writes, byte for byte. They are in the package because the encoder is unexported.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// encodingJSON is what writeJSON writes for v: encoding/json without HTML escaping, and a
// newline.
func encodingJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// oddStrings are strings encoding/json escapes, or is known for not escaping.
var oddStrings = []string{
	"",
	`"quoted" and \back\slashed\`,
	"tab\tnew\nline\rreturn\x00nul\x01\x1f\bbackspace\fform feed\x7fdel",
	"<script>alert('&amp;')</script> & > <",
	"line\u2028separator\u2029paragraph",
	"invalid \xff\xfe UTF-8 \xc3 and a truncated \xe2\x80",
	"\xed\xa0\x80 surrogate, \xf4\x90\x80\x80 past U+10FFFF, \xc0\x80 overlong",
	"émoji 😀, ü, 中文, \ufffd itself, U+2027 \u2027 and U+202A \u202a",
	"/slashes/ and {braces} [brackets]: not escaped",
	strings.Repeat("long ", 100) + "\x01",
}

// checkJSON fails the test when got is not want.
func checkJSON(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-60)
		t.Fatalf("%s: differs from encoding/json at byte %d:\n got: %q\nwant: %q", what, i, got[lo:min(len(got), i+60)], want[lo:min(len(want), i+60)])
	}
}

// checkRegistrations compares the page encoding of items, and of each of them, with
// encoding/json's.
func checkRegistrations(t testing.TB, what string, items []registration, total int, links listLinks) {
	t.Helper()
	want, err := encodingJSON(listDocument[registration]{
		Data:  newResources("registration", items),
		Meta:  listMeta{Count: total},
		Links: links,
	})
	got, gotErr := appendRegistrationList(nil, items, total, links)
	if err != nil || gotErr != nil {
		t.Fatalf("%s: encoding/json: %v, appendRegistrationList: %v", what, err, gotErr)
	}
	for i := range items {
		want, _ := encodingJSON(items[i])
		got, _ := appendRegistration(nil, &items[i])
		checkJSON(t, fmt.Sprintf("%s: registration %d (%s)", what, i, items[i].ID), append(got, '\n'), want)
	}
	checkJSON(t, what, got, want)
}

func TestAppendString(t *testing.T) {
	strs := append([]string{}, oddStrings...)
	for b := 0; b < 256; b++ {
		strs = append(strs, string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"z")
		for at := 0; at < 17; at++ { // every place in the words appendString reads at once
			strs = append(strs, strings.Repeat("a", at)+string([]byte{byte(b)})+strings.Repeat("\x7f", 17-at))
		}
	}
	for _, r := range []rune{0x7f, 0x80, 0x7ff, 0x800, 0x2028, 0x2029, 0xfffd, 0xffff, 0x10000, 0x10ffff} {
		strs = append(strs, string(r), "<"+string(r)+">")
	}
	for _, s := range strs {
		want, _ := encodingJSON(s)
		checkJSON(t, fmt.Sprintf("%q", s), append(appendString(nil, s), '\n'), want)
	}
}

// TestRegistrationListJSON serves generated, created and updated registrations, some with
// odd characters, for several seeds, and compares every answer with what writeList writes
// for the same page.
func TestRegistrationListJSON(t *testing.T) {
	for _, seed := range []int64{1, 7, 2024, -3} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			s := NewServer(WithSeed(seed), WithRegistrations(1000), WithLogLimit(10))
			defer s.Close()
			eventID := s.Fixtures.EventID
			path := "/v1/events/" + eventID + "/registrations"

			updated := 0
			for k, ticketID := range []string{s.Fixtures.TicketID, s.Fixtures.VIPTicketID} {
				odd := oddStrings[k*3+1 : k*3+5]
				status, body := serveJSON(t, s, http.MethodPost, path, map[string]any{
					"email":           fmt.Sprintf("%d<&>\"\\\u2028%d@example.org", seed, k),
					"firstName":       odd[0],
					"lastName":        odd[1],
					"metadata":        map[string]string{odd[2]: odd[3], "": "", "b": odd[0], "a": odd[1]},
					"externalBarcode": odd[3],
					"ticketId":        ticketID,
					"answers":         answers(s, ticketID, odd[2]),
				})
				if status != http.StatusCreated {
					t.Fatalf("creating a registration: %d %s", status, body)
				}
				var created struct{ Data struct{ ID string } }
				if err := json.Unmarshal(body, &created); err != nil {
					t.Fatal(err)
				}
				for _, id := range []string{created.Data.ID, s.Fixtures.RegistrationID, s.store.registrations[eventID].id(500 + k)} {
					status, body := serveJSON(t, s, http.MethodPatch, "/v1/registrations/"+id, map[string]any{
						"headline": odd[k],
						"metadata": map[string]string{},
						"answers":  answers(s, ticketID, odd[3]),
					})
					if status != http.StatusOK && status != http.StatusUnprocessableEntity { // answers of another ticket
						t.Fatalf("updating %s: %d %s", id, status, body)
					}
					if status == http.StatusOK {
						updated++
					}
				}
			}

			queries := []url.Values{
				{},
				{"perPage": {"1"}},
				{"page": {"1000"}, "perPage": {"1"}},
				{"page": {"1001"}, "perPage": {"1"}},
				{"page": {"1002"}, "perPage": {"1"}},
				{"page": {"3"}, "perPage": {"7"}, "filter[refunded][eq]": {"true"}},
				{"filter[email][in]": {fmt.Sprintf("%d<&>\"\\\u2028%d@example.org", seed, 1)}},
				{"page": {"99999"}},
			}
			for p := 1; p <= 11; p++ {
				queries = append(queries, url.Values{"page": {strconv.Itoa(p)}, "perPage": {"100"}})
			}
			if updated < 2 {
				t.Fatalf("%d registrations updated", updated)
			}
			for _, q := range queries {
				checkServedList(t, s, path, q)
			}
			// The created registrations reached the encoder with their odd characters (the
			// API turns invalid UTF-8 into U+FFFD: TestRegistrationJSONOdd covers it).
			tail := checkServedList(t, s, path, url.Values{"page": {"101"}, "perPage": {"10"}})
			for _, escaped := range []string{`\u2028`, "\ufffd", `\"quoted\"`, `<&>`, `\u0000`, `\\back`} {
				if !bytes.Contains(tail, []byte(escaped)) {
					t.Errorf("the created registrations lack %s: %s", escaped, tail)
				}
			}
		})
	}
}

// answers answers every bank question of a ticket: free-text ones with text, the others
// with their first option.
func answers(s *Server, ticketID, text string) []map[string]any {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	var out []map[string]any
	for _, q := range s.store.questions.pick(s.store.ticketQs[ticketID]) {
		var answer any = text
		switch {
		case q.FieldType == "date":
			answer = "2025-09-17"
		case q.FieldType == "multiSelect":
			answer = []string{q.Options[0].Name}
		case q.Options != nil:
			answer = q.Options[0].Name
		}
		out = append(out, map[string]any{"questionId": q.ID, "answer": answer})
		for _, c := range q.ChildQuestions {
			var answer any = text
			if c.Options != nil {
				answer = c.Options[0].Name
			}
			out = append(out, map[string]any{"questionId": strconv.Itoa(c.ID), "answer": answer})
		}
	}
	return out
}

// serveJSON sends attributes as a registration document to the handler.
func serveJSON(t *testing.T, s *Server, method, path string, attributes map[string]any) (int, []byte) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"data": map[string]any{"type": "registration", "attributes": attributes}})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(method, "http://fake.example"+path, bytes.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+s.Token)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

// checkServedList lists registrations through the handler and compares the answer with
// what writeList writes for the same page. It returns the answer.
func checkServedList(t *testing.T, s *Server, path string, q url.Values) []byte {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "http://fake.example"+path+"?"+q.Encode(), nil)
	r.Header.Set("Authorization", "Bearer "+s.Token)
	got := httptest.NewRecorder()
	s.Handler().ServeHTTP(got, r)

	p, ok := s.parsePage(httptest.NewRecorder(), r)
	conds, ok2 := parseFilters(httptest.NewRecorder(), r, registrationFilters)
	if !ok || !ok2 {
		t.Fatalf("%s: bad query", q.Encode())
	}
	items, total, _ := s.store.registrationPage(s.Fixtures.EventID, p, conds)
	want := httptest.NewRecorder()
	writeList(want, r, p, total, "registration", items)

	if got.Code != want.Code || got.Header().Get("Content-Length") != want.Header().Get("Content-Length") ||
		got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
		t.Errorf("%s: answered %d %v, writeList %d %v", q.Encode(), got.Code, got.Header(), want.Code, want.Header())
	}
	checkJSON(t, q.Encode(), got.Body.Bytes(), want.Body.Bytes())
	checkRegistrations(t, q.Encode(), items, total, p.links(r, total))
	return got.Body.Bytes()
}

// jsonMarshaler is an answer value with its own encoding, which encoding/json compacts.
type jsonMarshaler struct{}

func (jsonMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(`{ "b" : [1, 2],  "a":"<&>" }`), nil
}

// TestRegistrationJSONOdd compares hand-made registrations: null and empty fields,
// answers of every type, odd strings everywhere, times far from today.
func TestRegistrationJSONOdd(t *testing.T) {
	values := []any{
		nil, "", []string(nil), []string{}, []string{"a"}, oddStrings,
		42, 3.5, math.MaxInt64, true, map[string]any{"b": 1, "a": "<&>\u2028"}, []any{"x", 1, nil},
		json.RawMessage(` { "x" : [ 1 , 2 ] } `), jsonMarshaler{}, time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
		ptr("pointer"), (*string)(nil), apiTime(time.Unix(0, 0)), struct{ A, b string }{"<a>", "b"},
	}
	times := []time.Time{
		{},
		time.Date(2025, 9, 16, 8, 0, 0, 0, time.UTC),
		time.Date(2025, 9, 16, 8, 0, 0, 123456789, time.FixedZone("", -7*3600-30*60)),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(99, 2, 3, 4, 5, 6, 7_000_000, time.UTC),
		time.Unix(math.MaxInt64/4, 0),
		time.Unix(math.MinInt64/4, 0),
	}
	var items []registration
	items = append(items, registration{}, registration{
		CustomRegistrationFields: []customField{},
		Metadata:                 map[string]string{},
	})
	for i, s := range oddStrings {
		o := func(k int) string { return oddStrings[(i+k)%len(oddStrings)] }
		tm := times[i%len(times)]
		r := registration{
			Attended:  i%2 == 0,
			Bio:       ptr(o(1)),
			CreatedAt: apiTime(tm),
			CustomRegistrationFields: []customField{
				{ID: s, Name: o(1), Value: values[i%len(values)], Type: o(2)},
				{ID: o(3), Name: o(4), Value: o(5), Type: "conditional", ChildQuestions: []childField{}},
				{ID: o(6), Value: values[(i+7)%len(values)], ChildQuestions: []childField{
					{ID: o(7), Name: o(8), Value: values[(i+3)%len(values)], Type: o(9)},
					{ID: o(8), Name: o(9), Value: []string{o(1), o(2)}, Type: o(0)},
				}},
			},
			Email:               o(2),
			FirstCheckIn:        ptr(apiTime(times[(i+1)%len(times)])),
			FirstName:           o(3),
			Headline:            ptr(o(4)),
			ID:                  s,
			LastName:            o(5),
			Linkedin:            ptr(o(6)),
			MagicLinkID:         ptr(o(7)),
			Metadata:            map[string]string{s: o(1), o(2): o(3), o(4): o(5), o(6): o(7), o(8): o(9)},
			PhoneNumber:         ptr(o(8)),
			QRCodeData:          ptr(o(9)),
			QRCodeImageURL:      ptr(s),
			QuestionBankEnabled: i%3 == 0,
			Refunded:            i%5 == 0,
			RegisteredThrough:   o(1),
			TicketID:            o(2),
			Timezone:            o(3),
			Twitter:             ptr(o(4)),
			UpdatedAt:           apiTime(times[(i+2)%len(times)]),
			UserID:              o(5),
			UTM:                 utm{UTMSource: o(6), UTMCampaign: o(7), UTMMedium: o(8), UTMContent: o(9), UTMTerm: s},
			Website:             ptr(o(1)),
		}
		items = append(items, r)
	}
	for i, v := range values {
		items = append(items, registration{CustomRegistrationFields: []customField{{Value: v, ChildQuestions: []childField{{Value: v}}}}})
		items[len(items)-1].ID = strconv.Itoa(i)
	}
	for i, s := range oddStrings {
		links := listLinks{First: s, Self: oddStrings[(i+1)%len(oddStrings)], Last: oddStrings[(i+2)%len(oddStrings)]}
		if i%2 == 0 {
			links.Prev = ptr(oddStrings[(i+3)%len(oddStrings)])
		}
		if i%3 == 0 {
			links.Next = ptr(s)
		}
		checkRegistrations(t, fmt.Sprintf("links %d", i), items[:i], i*1000-1, links)
	}
	checkRegistrations(t, "all", items, math.MaxInt, listLinks{})
	checkRegistrations(t, "none", nil, 0, listLinks{})

	// A value encoding/json cannot encode fails both.
	bad := []registration{{CustomRegistrationFields: []customField{{Value: make(chan int)}}}}
	if _, err := appendRegistrationList(nil, bad, 1, listLinks{}); err == nil {
		t.Error("appendRegistrationList encoded a channel")
	}
	w := httptest.NewRecorder()
	writeRegistrationList(w, httptest.NewRequest(http.MethodGet, "/", nil), pageRequest{1, 1}, 1, bad)
	if w.Code != http.StatusInternalServerError {
		t.Errorf("a channel answered %d %s", w.Code, w.Body)
	}
}

// FuzzRegistrationJSON puts arbitrary strings in every string of a registration, and
// arbitrary times in its times, and compares the encodings.
func FuzzRegistrationJSON(f *testing.F) {
	for i, s := range oddStrings {
		f.Add(s, oddStrings[(i+1)%len(oddStrings)], oddStrings[(i+2)%len(oddStrings)], int64(i)*1e9*86400*400-1e18, int64(i*123456789))
	}
	f.Fuzz(func(t *testing.T, a, b, c string, sec, nsec int64) {
		want, _ := encodingJSON(a)
		checkJSON(t, "string", append(appendString(nil, a), '\n'), want)
		tm := apiTime(time.Unix(sec, nsec))
		r := registration{
			Bio:       ptr(a),
			CreatedAt: tm,
			CustomRegistrationFields: []customField{
				{ID: a, Name: b, Value: c, Type: a},
				{ID: b, Name: c, Value: []string{a, b, c}, Type: b, ChildQuestions: []childField{{ID: c, Name: a, Value: b, Type: c}}},
			},
			Email:             b,
			FirstCheckIn:      &tm,
			FirstName:         c,
			Headline:          ptr(b),
			ID:                a,
			LastName:          a,
			Metadata:          map[string]string{a: b, b: c, c: a},
			RegisteredThrough: b,
			TicketID:          c,
			Timezone:          a,
			UpdatedAt:         apiTime(time.Unix(nsec, sec)),
			UserID:            b,
			UTM:               utm{UTMSource: a, UTMCampaign: b, UTMMedium: c, UTMContent: a, UTMTerm: b},
			Website:           ptr(c),
		}
		checkRegistrations(t, "fuzz", []registration{r, {}}, len(a), listLinks{First: a, Self: b, Last: c, Prev: &a})
	})
}
