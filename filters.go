package rcevents

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// StringFilter matches a string attribute: equal to Eq, or to one of In.
// Zero fields are left out of the query; a filter with neither is refused
// (leave the filter nil to match every value).
type StringFilter struct {
	Eq string
	In []string
}

// EncodeValues adds filter[field][eq] and filter[field][in] (comma-separated)
// to v. key is "filter[field]". It implements go-querystring's Encoder.
func (f StringFilter) EncodeValues(key string, v *url.Values) error {
	if f.Eq != "" {
		v.Set(key+"[eq]", f.Eq)
	}
	if len(f.In) > 0 {
		v.Set(key+"[in]", strings.Join(f.In, ","))
	}
	return nil
}

// DateTimeFilter matches a date-time attribute. Zero times are left out of
// the query; the others are sent in RFC 3339, in UTC, and must fall in the
// years 1 to 9999 that it can write. A filter without any time, or with a
// zero time in In, is refused (leave the filter nil to match every time).
type DateTimeFilter struct {
	Eq, Gt, Lt, Gte, Lte time.Time
	In                   []time.Time
}

// EncodeValues adds filter[field][op] for each operator set. It implements
// go-querystring's Encoder.
func (f DateTimeFilter) EncodeValues(key string, v *url.Values) error {
	for _, op := range [...]struct {
		name string
		t    time.Time
	}{{"eq", f.Eq}, {"gt", f.Gt}, {"lt", f.Lt}, {"gte", f.Gte}, {"lte", f.Lte}} {
		if !op.t.IsZero() {
			v.Set(key+"["+op.name+"]", formatTime(op.t))
		}
	}
	if len(f.In) > 0 {
		s := make([]string, 0, len(f.In))
		for _, t := range f.In {
			if !t.IsZero() {
				s = append(s, formatTime(t))
			}
		}
		if len(s) > 0 {
			v.Set(key+"[in]", strings.Join(s, ","))
		}
	}
	return nil
}

// BoolFilter matches a boolean attribute. A nil *BoolFilter leaves the
// attribute unfiltered; a non-nil one sends filter[field][eq], false included.
type BoolFilter struct {
	Eq bool
}

// EncodeValues adds filter[field][eq] to v. It implements go-querystring's
// Encoder.
func (f BoolFilter) EncodeValues(key string, v *url.Values) error {
	v.Set(key+"[eq]", strconv.FormatBool(f.Eq))
	return nil
}

// validate checks a filter that is set: it must hold a value, and no value
// may hold the comma that separates the list of In, which would split it
// into values the caller did not mean. An empty filter would be left out of
// the query and match every item, the opposite of what was asked.
func (f *StringFilter) validate(field string) error {
	if f == nil {
		return nil
	}
	if f.Eq == "" && len(f.In) == 0 {
		return invalidArg(field, "is set but empty: set Eq or In, or leave the filter nil")
	}
	for i, s := range f.In {
		if s == "" || strings.Contains(s, ",") {
			// The value is not shown: filters hold attendees' emails.
			return invalidArg(field+".In", "value %d must be non-empty and hold no comma", i)
		}
	}
	return nil
}

// validate checks a filter that is set: it must hold a time, In must hold
// no zero time (which the query would leave out, widening the list), and
// every time must be one RFC 3339 can write, with a year from 1 to 9999 as
// in request bodies; a time outside would go out as a malformed query.
func (f *DateTimeFilter) validate(field string) error {
	if f == nil {
		return nil
	}
	ops := [...]struct {
		name string
		t    time.Time
	}{{"Eq", f.Eq}, {"Gt", f.Gt}, {"Lt", f.Lt}, {"Gte", f.Gte}, {"Lte", f.Lte}}
	set := len(f.In) > 0
	for _, op := range ops {
		set = set || !op.t.IsZero()
		if !encodableTime(op.t) {
			return invalidArg(field+"."+op.name, "year %d is outside 1 to 9999", op.t.UTC().Year())
		}
	}
	if !set {
		return invalidArg(field, "is set but empty: set a time, or leave the filter nil")
	}
	for i, t := range f.In {
		name := fmt.Sprintf("%s.In[%d]", field, i)
		if t.IsZero() {
			return invalidArg(name, "is the zero time")
		}
		if !encodableTime(t) {
			return invalidArg(name, "year %d is outside 1 to 9999", t.UTC().Year())
		}
	}
	return nil
}
