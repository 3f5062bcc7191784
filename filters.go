package rcevents

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// StringFilter matches a string attribute: equal to Eq, or to one of In.
// Zero fields are left out of the query.
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
// years 1 to 9999 that it can write.
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

// formatTime writes t in RFC 3339 in UTC, with fractional seconds only when
// t has them.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// validate checks that no value holds the comma that separates the list of
// In, which would split it into values the caller did not mean.
func (f *StringFilter) validate(field string) error {
	if f == nil {
		return nil
	}
	for _, s := range f.In {
		if s == "" || strings.Contains(s, ",") {
			return invalidArg(field+".In", "value %q must be non-empty and hold no comma", s)
		}
	}
	return nil
}

// validate checks that every time set can be written in RFC 3339, with a
// year from 1 to 9999 as in request bodies; a time outside would go out as
// a malformed query.
func (f *DateTimeFilter) validate(field string) error {
	if f == nil {
		return nil
	}
	for _, op := range [...]struct {
		name string
		t    time.Time
	}{{"Eq", f.Eq}, {"Gt", f.Gt}, {"Lt", f.Lt}, {"Gte", f.Gte}, {"Lte", f.Lte}} {
		if !encodableTime(op.t) {
			return invalidArg(field+"."+op.name, "year %d is outside 1 to 9999", op.t.UTC().Year())
		}
	}
	for i, t := range f.In {
		if !encodableTime(t) {
			return invalidArg(fmt.Sprintf("%s.In[%d]", field, i), "year %d is outside 1 to 9999", t.UTC().Year())
		}
	}
	return nil
}
