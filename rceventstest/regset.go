package rceventstest

import (
	"strconv"
	"strings"
	"time"
)

// regSet holds the registrations of one event. The first `generated` of them are never
// stored: each is computed from (seed, event, index) when asked for, so an event can hold
// a million registrations in a few hundred bytes. Registrations created through the API
// follow them, and a generated one that was changed through the API is stored as changed.
type regSet struct {
	eventNo   uint64
	ids       idCodec
	gen       *regGenerator // nil when generated is 0
	generated int
	created   []*registration       // index generated+k is created[k]
	patched   map[int]*registration // generated registrations changed since
}

func (rs *regSet) count() int { return rs.generated + len(rs.created) }

// id is the ID of the registration at index i; the event and index can be read back from it.
func (rs *regSet) id(i int) string {
	return rs.ids.encode(kindRegistration, rs.eventNo<<32|uint64(i))
}

// stored returns the stored registration at index i, or nil when it is generated unchanged.
func (rs *regSet) stored(i int) *registration {
	if i >= rs.generated {
		return rs.created[i-rs.generated]
	}
	return rs.patched[i]
}

// at returns the registration at index i.
func (rs *regSet) at(i int) registration {
	if r := rs.stored(i); r != nil {
		return *r
	}
	return rs.gen.record(i, rs.id(i))
}

// add appends a registration created through the API, giving it its ID.
func (rs *regSet) add(r *registration) {
	r.ID = rs.id(rs.count())
	rs.created = append(rs.created, r)
}

// replace stores a changed registration at index i.
func (rs *regSet) replace(i int, r *registration) {
	if i >= rs.generated {
		rs.created[i-rs.generated] = r
		return
	}
	if rs.patched == nil {
		rs.patched = map[int]*registration{}
	}
	rs.patched[i] = r
}

// regRef lets a filter read one field of the registration at index i without building it.
type regRef struct {
	rs *regSet
	i  int
}

func (ref regRef) stringValue(field string) string { // only "email" is a string filter
	if r := ref.rs.stored(ref.i); r != nil {
		return r.Email
	}
	return ref.rs.gen.email(ref.i)
}

func (ref regRef) timeValue(field string) time.Time {
	if r := ref.rs.stored(ref.i); r != nil {
		switch field {
		case "createdAt":
			return r.CreatedAt.time()
		case "updatedAt":
			return r.UpdatedAt.time()
		}
		return r.userUpdatedAt
	}
	g := ref.rs.gen
	switch field {
	case "createdAt":
		return g.createdAt(ref.i)
	case "updatedAt":
		return g.updatedAt(ref.i)
	}
	return g.userUpdatedAt(ref.i)
}

func (ref regRef) boolValue(field string) bool { // only "refunded" is a boolean filter
	if r := ref.rs.stored(ref.i); r != nil {
		return r.Refunded
	}
	return ref.rs.gen.refunded(ref.i)
}

// regGenerator computes the seeded registrations of one event. Every attribute is drawn
// from its own hash of (seed, index, attribute), so the ones filters need are cheap alone.
type regGenerator struct {
	seed        uint64
	ids         idCodec
	eventNo     uint64
	campaign    string        // utm campaign of this event
	open        time.Time     // when registration opened
	step        time.Duration // mean gap between two registrations
	checkIns    bool          // the event has started, so some registrants checked in
	checkInFrom time.Time
	tickets     []genTicket
	totalWeight uint64
	magicLinks  map[int]string // index → seeded magic link the registrant redeemed
}

// genTicket is a ticket registrants are drawn onto, with its weight and its questions.
type genTicket struct {
	id        string
	weight    uint64
	questions []bankQuestion
}

// Attribute salts: each attribute of a generated registration hashes its own salt.
const (
	hFirst uint64 = iota + 1
	hLast
	hCompany
	hCreated
	hUpdated
	hUserUpdated
	hRefunded
	hTicket
	hAttended
	hCheckIn
	hTitle
	hHeadline
	hBio
	hLinkedin
	hTwitter
	hWebsite
	hPhone
	hTimezone
	hThrough
	hUTM
	hMetadata
	hAnswers // answers use hAnswers + question index
)

func (g *regGenerator) h(i int, salt uint64) uint64 {
	return mix64(mix64(g.seed^uint64(i)*0xd1b54a32d192ed03) + salt*0x9e3779b97f4a7c15)
}

func (g *regGenerator) pick(i int, salt uint64, n int) int { return int(g.h(i, salt) % uint64(n)) }

// personIndex draws the registrant's first name, last name and company: indexes into
// firstNames, lastNames and companies.
func (g *regGenerator) personIndex(i int) (first, last, co int) {
	return g.pick(i, hFirst, len(firstNames)), g.pick(i, hLast, len(lastNames)), g.pick(i, hCompany, len(companies))
}

func (g *regGenerator) person(i int) (first, last string, co company) {
	f, l, c := g.personIndex(i)
	return firstNames[f], lastNames[l], companies[c]
}

// email is unique within the event: it carries the registrant's number.
func (g *regGenerator) email(i int) string {
	f, l, c := g.personIndex(i)
	var num [20]byte
	return emailAddress(f, l, c, strconv.AppendInt(num[:0], int64(i+1), 10))
}

// emailAddress is the e-mail address of registrant number n (in decimal), from personIndex.
func emailAddress(first, last, co int, n []byte) string {
	return lowerFirstNames[first] + "." + lowerLastNames[last] + string(n) + "@" + companies[co].domain
}

// createdAt grows with the index, as registrations arrive in the order the API lists them.
func (g *regGenerator) createdAt(i int) time.Time {
	jitter := time.Duration(g.h(i, hCreated) % uint64(g.step))
	return g.open.Add(time.Duration(i)*g.step + jitter).Truncate(time.Second)
}

// updatedAt is the creation time for most, days later for one in four.
func (g *regGenerator) updatedAt(i int) time.Time { return g.updatedAfter(i, g.createdAt(i)) }

// updatedAfter is updatedAt from the registration's createdAt.
func (g *regGenerator) updatedAfter(i int, created time.Time) time.Time {
	h := g.h(i, hUpdated)
	d := time.Duration(h>>8) % (20 * time.Minute)
	if h%4 == 0 {
		d = time.Duration(h>>8) % (14 * 24 * time.Hour)
	}
	return created.Add(d).Truncate(time.Second)
}

// userUpdatedAt lies between creation and the last update.
func (g *regGenerator) userUpdatedAt(i int) time.Time {
	c := g.createdAt(i)
	return g.userUpdatedBetween(i, c, g.updatedAfter(i, c))
}

// userUpdatedBetween is userUpdatedAt from the registration's createdAt and updatedAt.
func (g *regGenerator) userUpdatedBetween(i int, created, updated time.Time) time.Time {
	frac := time.Duration(g.h(i, hUserUpdated) % 5)
	return created.Add(updated.Sub(created) * frac / 4).Truncate(time.Second)
}

func (g *regGenerator) refunded(i int) bool { return g.h(i, hRefunded)%29 == 0 }

// ticket draws the registrant's ticket by weight.
func (g *regGenerator) ticket(i int) int {
	x := g.h(i, hTicket) % g.totalWeight
	for k, t := range g.tickets {
		if x < t.weight {
			return k
		}
		x -= t.weight
	}
	return len(g.tickets) - 1
}

// Strings generated records share, derived from the word pools once. Like every stored
// value (see models.go), a record's strings are never written through, so records may
// point into these tables.
var (
	lowerFirstNames = lowerAll(firstNames[:])
	lowerLastNames  = lowerAll(lastNames[:])
	// headlines[title][company] is jobTitles[title] + " at " + companies[company].name.
	headlines = func() (h [len(jobTitles)][len(companies)]string) {
		for t, title := range jobTitles {
			for c, co := range companies {
				h[t][c] = title + " at " + co.name
			}
		}
		return h
	}()
	websites = func() (w [len(companies)]string) {
		for c, co := range companies {
			w[c] = "https://" + co.domain
		}
		return w
	}()
	// phoneNumbers are +1 415 555 0110 to 0199: 555-0100 to 555-0199 are reserved for fiction.
	phoneNumbers = func() (p [90]string) {
		for k := range p {
			p[k] = "+1 415 555 01" + strconv.Itoa(10+k)
		}
		return p
	}()
	// noMetadata is the metadata of most generated registrations: one map, never written
	// into (no stored map is).
	noMetadata = map[string]string{}
)

func lowerAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = strings.ToLower(w)
	}
	return out
}

// record builds the whole registration at index i. Its strings are built in buffers on
// the stack and converted once, and the nullable values it does not share with other
// records are allocated together, in own.
func (g *regGenerator) record(i int, id string) registration {
	f, l, c := g.personIndex(i)
	first, last := firstNames[f], lastNames[l]
	var num, buf [20]byte
	n := strconv.AppendInt(num[:0], int64(i+1), 10)
	own := new(struct {
		linkedin, twitter, qrCodeData, qrCodeImageURL string
		firstCheckIn                                  apiTime
	})
	title := g.pick(i, hTitle, len(jobTitles))
	t := g.tickets[g.ticket(i)]
	created := g.createdAt(i)
	updated := g.updatedAfter(i, created)
	r := registration{
		CreatedAt:           at(created),
		Email:               emailAddress(f, l, c, n),
		FirstName:           first,
		ID:                  id,
		LastName:            last,
		Metadata:            noMetadata,
		QuestionBankEnabled: len(t.questions) > 0,
		Refunded:            g.refunded(i),
		RegisteredThrough:   registeredThrough[g.pick(i, hThrough, len(registeredThrough))],
		TicketID:            t.id,
		Timezone:            registrantTimezones[g.pick(i, hTimezone, len(registrantTimezones))],
		UpdatedAt:           at(updated),
		UserID:              g.ids.encode(kindUser, g.eventNo<<32|uint64(i)),
		userUpdatedAt:       g.userUpdatedBetween(i, created, updated),
	}
	if g.h(i, hHeadline)%5 != 0 {
		r.Headline = &headlines[title][c]
	}
	if h := g.h(i, hBio); h%3 == 0 {
		r.Bio = &bios[(h>>8)%uint64(len(bios))]
	}
	if h := g.h(i, hLinkedin); h%4 != 0 {
		own.linkedin = "https://www.linkedin.com/in/" + lowerFirstNames[f] + "-" + lowerLastNames[l] + "-" + string(strconv.AppendUint(buf[:0], h>>40, 36))
		r.Linkedin = &own.linkedin
	}
	if g.h(i, hTwitter)%3 == 0 {
		own.twitter = "@" + lowerFirstNames[f] + lowerLastNames[l][:1] + string(n)
		r.Twitter = &own.twitter
	}
	if g.h(i, hWebsite)%5 == 0 {
		r.Website = &websites[c]
	}
	if h := g.h(i, hPhone); h%2 == 0 {
		r.PhoneNumber = &phoneNumbers[(h>>8)%90]
	}
	if !r.Refunded {
		own.qrCodeData = qrCodeData(id)
		own.qrCodeImageURL = "https://qr.events.ringcentral.com/v1/" + id + ".png"
		r.QRCodeData, r.QRCodeImageURL = &own.qrCodeData, &own.qrCodeImageURL
		if h := g.h(i, hAttended); g.checkIns && h%100 < 64 {
			r.Attended = true
			own.firstCheckIn = at(g.checkInFrom.Add(time.Duration(g.h(i, hCheckIn)>>8) % (5 * time.Hour)))
			r.FirstCheckIn = &own.firstCheckIn
		}
	}
	if ml, ok := g.magicLinks[i]; ok {
		r.MagicLinkID = ptr(ml)
		r.RegisteredThrough = "magic_link"
	}
	if h := g.h(i, hUTM); h%3 == 0 {
		r.UTM = utm{
			UTMSource:   utmSources[(h>>8)%uint64(len(utmSources))],
			UTMMedium:   utmMediums[(h>>16)%uint64(len(utmMediums))],
			UTMCampaign: g.campaign,
		}
		if h%2 == 0 {
			r.UTM.UTMContent = "hero_banner"
			r.UTM.UTMTerm = "developer conference"
		}
	}
	if h := g.h(i, hMetadata); h%4 == 0 {
		r.Metadata = map[string]string{
			"crmContactId": "003" + string(upperASCII(strconv.AppendUint(buf[:0], h>>20, 36))),
			"segment":      [...]string{"enterprise", "startup", "public-sector", "education"}[(h>>8)%4],
		}
	}
	if len(t.questions) > 0 {
		r.CustomRegistrationFields = make([]customField, len(t.questions))
		for k, q := range t.questions {
			r.CustomRegistrationFields[k] = g.answer(i, k, q, jobTitles[title])
		}
	}
	return r
}

// answer draws the registrant's answer to question q (the k-th of their ticket).
func (g *regGenerator) answer(i, k int, q bankQuestion, title string) customField {
	h := g.h(i, hAnswers+uint64(k))
	f := customField{ID: q.ID, Name: q.Name, Type: q.FieldType}
	switch q.FieldType {
	case "singleLineText":
		f.Value = title
	case "paragraphText":
		f.Value = goals[h%uint64(len(goals))]
	case "date":
		f.Value = g.checkInFrom.AddDate(0, 0, int(h%3)).Format(time.DateOnly)
	case "multiSelect":
		picked := make([]string, 0, len(q.Options))
		for b, o := range q.Options {
			if h>>b&1 == 1 {
				picked = append(picked, o.Name)
			}
		}
		if len(picked) == 0 {
			picked = append(picked, q.Options[h%uint64(len(q.Options))].Name)
		}
		f.Value = picked
	case "conditional":
		// Options are Yes then No; the child questions follow a Yes.
		f.Value = q.Options[1].Name
		if h%3 != 0 {
			f.Value = q.Options[0].Name
			f.ChildQuestions = make([]childField, len(q.ChildQuestions))
			for c, cq := range q.ChildQuestions {
				f.ChildQuestions[c] = childField{
					ID:    strconv.Itoa(cq.ID),
					Name:  cq.Name,
					Type:  cq.FieldType,
					Value: cq.Options[(h>>(8*(c+1)))%uint64(len(cq.Options))].Name,
				}
			}
		}
	default: // singleSelect
		f.Value = q.Options[h%uint64(len(q.Options))].Name
	}
	return f
}

// qrCodeData is the QR code a registration gets unless it brings its own barcode.
func qrCodeData(id string) string {
	var buf [idWidth]byte
	return "RCE1-" + string(upperASCII(append(buf[:0], id...)))
}

// upperASCII is strings.ToUpper for ASCII (IDs and base-36 numbers), in place.
func upperASCII(b []byte) []byte {
	for k, ch := range b {
		if 'a' <= ch && ch <= 'z' {
			b[k] = ch - 'a' + 'A'
		}
	}
	return b
}
