package rceventstest

import (
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The structs below are the attributes objects of the API reference, field for field, in
// its order and with its names; the seed data is decoded into them too. Every field is
// always sent: a nil pointer or slice as null, the reference's "string¦null" (a slice the
// API never sends as null is made non-nil), and a nil map as {}, as the API sends empty
// metadata. Unexported fields are the fake's own bookkeeping and never reach the wire.
//
// Stored values are treated as immutable once published in the store: an update replaces
// the struct (and any map or slice in it) instead of writing into it, so a handler may copy
// a value under the read lock and encode the copy after releasing it.

// apiTime is a date-time as the API writes it: UTC, whole seconds, a ".000Z" suffix.
type apiTime time.Time

const apiTimeLayout = "2006-01-02T15:04:05.000Z"

// AppendText appends the API's date-time format.
func (t apiTime) AppendText(b []byte) ([]byte, error) {
	return time.Time(t).UTC().AppendFormat(b, apiTimeLayout), nil
}

// UnmarshalText reads an RFC 3339 date-time, as the seed data writes them.
func (t *apiTime) UnmarshalText(b []byte) error {
	v, err := time.Parse(time.RFC3339, string(b))
	*t = at(v)
	return err
}

// String is the date-time as the API writes it.
func (t apiTime) String() string { return time.Time(t).UTC().Format(apiTimeLayout) }

func (t apiTime) time() time.Time { return time.Time(t) }

// at converts a time to an apiTime, dropping what the API does not carry below the second.
func at(t time.Time) apiTime { return apiTime(t.UTC().Truncate(time.Second)) }

func ptr[T any](v T) *T { return &v }

type organization struct {
	CreatedAt apiTime `json:"createdAt"`
	Email     string  `json:"email"`
	Facebook  *string `json:"facebook"`
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Twitter   *string `json:"twitter"`
	Website   *string `json:"website"`

	magicLinks bool // the organization's plan includes magic links
}

type template struct {
	ID   string `json:"id"`
	Name string `json:"name"`

	orgID       string
	description string
}

type event struct {
	CreatedAt   apiTime        `json:"createdAt"`
	Description string         `json:"description"`
	ID          string         `json:"id"`
	Metadata    map[string]any `json:"metadata"`
	Name        string         `json:"name"`
	Published   bool           `json:"published"`
	Slug        string         `json:"slug"`
	Status      string         `json:"status"`
	TimeEnd     *apiTime       `json:"timeEnd"`
	TimeStart   *apiTime       `json:"timeStart"`
	Timezone    string         `json:"timezone"`
	Type        string         `json:"type"`

	orgID string
	no    uint64 // serial of the event; registration IDs carry it
}

type registration struct {
	Attended                 bool              `json:"attended"`
	Bio                      *string           `json:"bio"`
	CreatedAt                apiTime           `json:"createdAt"`
	CustomRegistrationFields []customField     `json:"customRegistrationFields"`
	Email                    string            `json:"email"`
	FirstCheckIn             *apiTime          `json:"firstCheckIn"`
	FirstName                string            `json:"firstName"`
	Headline                 *string           `json:"headline"`
	ID                       string            `json:"id"`
	LastName                 string            `json:"lastName"`
	Linkedin                 *string           `json:"linkedin"`
	MagicLinkID              *string           `json:"magicLinkId"`
	Metadata                 map[string]string `json:"metadata"`
	PhoneNumber              *string           `json:"phoneNumber"`
	QRCodeData               *string           `json:"qrCodeData"`
	QRCodeImageURL           *string           `json:"qrCodeImageUrl"`
	QuestionBankEnabled      bool              `json:"questionBankEnabled"`
	Refunded                 bool              `json:"refunded"`
	RegisteredThrough        string            `json:"registeredThrough"`
	TicketID                 string            `json:"ticketId"`
	Timezone                 string            `json:"timezone"`
	Twitter                  *string           `json:"twitter"`
	UpdatedAt                apiTime           `json:"updatedAt"`
	UserID                   string            `json:"userId"`
	UTM                      utm               `json:"utm"`
	Website                  *string           `json:"website"`

	// userUpdatedAt is when the registrant last changed the registration themselves. The
	// API filters on it (filter[userUpdatedAt]) without ever returning it.
	userUpdatedAt time.Time

	// written numbers the registration's last write through the API among its event's
	// (0: never written), for WithUpdateOrder.
	written uint64
}

// customField is one answer of a registration; ChildQuestions is null except on
// conditional questions.
type customField struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"`
	Value          answer       `json:"value"`
	Type           string       `json:"type"`
	ChildQuestions []childField `json:"childQuestions"`
}

type childField struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Value answer `json:"value"`
	Type  string `json:"type"`
}

// answer is a string, or for a multiSelect question a list of strings (list is not nil).
type answer struct {
	text string
	list []string
}

// MarshalJSONTo writes the string or the list, without the reflection an any would take.
func (a answer) MarshalJSONTo(enc *jsontext.Encoder) error {
	if a.list == nil {
		return enc.WriteToken(jsontext.String(a.text))
	}
	return json.MarshalEncode(enc, a.list)
}

type utm struct {
	UTMSource   string `json:"utmSource"`
	UTMCampaign string `json:"utmCampaign"`
	UTMMedium   string `json:"utmMedium"`
	UTMContent  string `json:"utmContent"`
	UTMTerm     string `json:"utmTerm"`
}

type ticket struct {
	Claimed     int      `json:"claimed"`
	Count       int      `json:"count"`
	CreatedAt   apiTime  `json:"createdAt"`
	Description *string  `json:"description"`
	Discount    *float64 `json:"discount"`
	EventID     string   `json:"eventId"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Price       float64  `json:"price"`
	Private     bool     `json:"private"`
	Remaining   int      `json:"remaining"`
	Slug        string   `json:"slug"`
}

// bankQuestion is the reference's bankQuestions schema. Its child questions spell the
// field type "field_type" and use integer IDs, unlike their parent: that is the reference's.
type bankQuestion struct {
	ChildQuestions []bankChildQuestion `json:"childQuestions"`
	DefaultAnswer  *string             `json:"defaultAnswer"`
	FieldType      string              `json:"fieldType"`
	ID             string              `json:"id"`
	Name           string              `json:"name"`
	Options        []bankOption        `json:"options"`
}

type bankChildQuestion struct {
	ID            int          `json:"id"`
	Name          string       `json:"name"`
	FieldType     string       `json:"field_type"`
	DefaultAnswer *string      `json:"defaultAnswer"`
	Options       []bankOption `json:"options"`
}

type bankOption struct {
	ID            int    `json:"id"`
	Name          string `json:"name"`
	Seq           string `json:"seq"`
	DefaultAnswer *bool  `json:"defaultAnswer"`
}

type magicLink struct {
	CreatedAt      apiTime           `json:"createdAt"`
	Email          string            `json:"email"`
	ExtraFields    map[string]string `json:"extraFields"`
	FirstName      string            `json:"firstName"`
	Headline       *string           `json:"headline"`
	ID             string            `json:"id"`
	LastName       string            `json:"lastName"`
	MagicLink      string            `json:"magicLink"`
	Metadata       map[string]string `json:"metadata"`
	RegistrationID *string           `json:"registrationId"`
	Status         *string           `json:"status"`
	UpdatedAt      apiTime           `json:"updatedAt"`

	ticketID       string
	confirmAndJoin bool // created by the confirm-and-join flow; listed only on request
}

// legacyMagicLink is the flat, snake_case answer of the deprecated POST /v1/magic_link.
type legacyMagicLink struct {
	ID             string  `json:"id"`
	FirstName      string  `json:"first_name"`
	LastName       string  `json:"last_name"`
	Email          string  `json:"email"`
	MagicLink      string  `json:"magic_link"`
	RegistrationID *string `json:"registration_id"`
	CreatedAt      string  `json:"created_at"`
}

// report is what the store keeps; reportAttrs and inProgressAttrs are what it answers.
type report struct {
	id, eventID, reportType, version string
	title                            string
	segmentType, virtualSpaceID      string
	createdAt                        time.Time
	pollsLeft                        int  // GETs still answered 202
	failed                           bool // its generation fails (WithReportFailure)
	rows                             int  // registrations in the event when it was requested
}

type reportAttrs struct {
	ID     string `json:"id"`
	URL    string `json:"url"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

type inProgressAttrs struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

type scheduleItem struct {
	Area        string    `json:"area"`
	AreaID      *string   `json:"areaId"`
	AreaName    *string   `json:"areaName"`
	CreatedAt   apiTime   `json:"createdAt"`
	Description *string   `json:"description"`
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Speakers    []speaker `json:"speakers"`
	TimeEnd     apiTime   `json:"timeEnd"`
	TimeStart   apiTime   `json:"timeStart"`
	UpdatedAt   apiTime   `json:"updatedAt"`

	tagIDs []string
}

// speaker is an element of scheduleItem.speakers, which the reference types only as "array".
type speaker struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Headline string `json:"headline"`
}

// segment is a session or a stage: both have the same four attributes.
type segment struct {
	CreatedAt apiTime `json:"createdAt"`
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	UpdatedAt apiTime `json:"updatedAt"`
}

type booth struct {
	About     *string `json:"about"`
	BoothSize string  `json:"boothSize"`
	CreatedAt apiTime `json:"createdAt"`
	Email     *string `json:"email"`
	Facebook  *string `json:"facebook"`
	Headline  *string `json:"headline"`
	ID        string  `json:"id"`
	Instagram *string `json:"instagram"`
	Linkedin  *string `json:"linkedin"`
	Name      string  `json:"name"`
	Priority  int     `json:"priority"`
	Twitter   *string `json:"twitter"`
	UpdatedAt apiTime `json:"updatedAt"`
	Website   *string `json:"website"`

	tagIDs []string
}

type tag struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type dataSubscription struct {
	Configuration subscriptionConfig `json:"configuration"`
	EventID       string             `json:"eventId"`
	ExpiresAt     apiTime            `json:"expiresAt"`
	ID            string             `json:"id"`
	Signals       []string           `json:"signals"`
}

type subscriptionConfig struct {
	Type string  `json:"type"`
	URL  *string `json:"url"`
}
