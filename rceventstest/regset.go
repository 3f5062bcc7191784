package rceventstest

import (
	"cmp"
	"slices"
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
	created   int                   // through the API, after the generated ones
	stored    map[int]*registration // by index: the created ones, and generated ones changed since
	writes    uint64                // through the API so far
}

func (rs *regSet) count() int { return rs.generated + rs.created }

// id is the ID of the registration at index i; the event and index can be read back from it.
func (rs *regSet) id(i int) string {
	return rs.ids.encode(kindRegistration, rs.eventNo<<32|uint64(i))
}

// at returns the registration at index i.
func (rs *regSet) at(i int) registration {
	if r := rs.stored[i]; r != nil {
		return *r
	}
	return rs.gen.record(i, rs.id(i))
}

// add appends a registration created through the API, giving it its ID.
func (rs *regSet) add(r *registration) {
	r.ID = rs.id(rs.count())
	rs.put(rs.count(), r)
	rs.created++
}

// put stores r, created or changed through the API, at index i, and numbers the write.
func (rs *regSet) put(i int, r *registration) {
	rs.writes++
	r.written = rs.writes
	rs.stored[i] = r
}

// byUpdate returns the indexes of the registrations that match conds in the order
// WithUpdateOrder lists them: by updatedAt, then by their last write through the API
// (none first), then by index.
func (rs *regSet) byUpdate(conds []condition) []int {
	type key struct {
		updated time.Time
		written uint64
		i       int
	}
	var keys []key
	for i := range rs.count() {
		if !matches(conds, regRef{rs, i}) {
			continue
		}
		k := key{i: i}
		if r := rs.stored[i]; r != nil {
			k.updated, k.written = r.UpdatedAt.time(), r.written
		} else {
			k.updated = rs.gen.updatedAt(i)
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(a.updated.Compare(b.updated), cmp.Compare(a.written, b.written), cmp.Compare(a.i, b.i))
	})
	order := make([]int, len(keys))
	for n, k := range keys {
		order[n] = k.i
	}
	return order
}

// regRef lets a filter read one field of the registration at index i without building it.
type regRef struct {
	rs *regSet
	i  int
}

func (ref regRef) filterValue(field string) any {
	if r := ref.rs.stored[ref.i]; r != nil {
		return map[string]any{"email": r.Email, "createdAt": r.CreatedAt.time(), "updatedAt": r.UpdatedAt.time(),
			"userUpdatedAt": r.userUpdatedAt, "refunded": r.Refunded}[field]
	}
	g, i := ref.rs.gen, ref.i
	switch field {
	case "email":
		return g.email(i)
	case "createdAt":
		return g.createdAt(i)
	case "updatedAt":
		return g.updatedAt(i)
	case "userUpdatedAt":
		return g.userUpdatedAt(i)
	}
	return g.refunded(i)
}

// regGenerator computes the seeded registrations of one event. Every attribute is drawn
// from its own hash of (seed, index, attribute), so the ones filters need are cheap alone.
type regGenerator struct {
	seed        uint64
	ids         idCodec
	eventNo     uint64
	words       *words
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

// pick draws one of list for attribute salt of registration i.
func pick[T any](g *regGenerator, i int, salt uint64, list []T) T {
	return list[g.h(i, salt)%uint64(len(list))]
}

func (g *regGenerator) person(i int) (first, last string, co company) {
	return pick(g, i, hFirst, g.words.FirstNames), pick(g, i, hLast, g.words.LastNames), pick(g, i, hCompany, g.words.Companies)
}

// email is unique within the event: it carries the registrant's number.
func (g *regGenerator) email(i int) string {
	first, last, co := g.person(i)
	return strings.ToLower(first+"."+last) + strconv.Itoa(i+1) + "@" + co.Domain
}

// createdAt grows with the index, as registrations arrive in the order the API lists them.
func (g *regGenerator) createdAt(i int) time.Time {
	jitter := time.Duration(g.h(i, hCreated) % uint64(g.step))
	return g.open.Add(time.Duration(i)*g.step + jitter).Truncate(time.Second)
}

// updatedAt is the creation time for most, days later for one in four.
func (g *regGenerator) updatedAt(i int) time.Time {
	h := g.h(i, hUpdated)
	d := time.Duration(h>>8) % (20 * time.Minute)
	if h%4 == 0 {
		d = time.Duration(h>>8) % (14 * 24 * time.Hour)
	}
	return g.createdAt(i).Add(d).Truncate(time.Second)
}

// userUpdatedAt lies between creation and the last update.
func (g *regGenerator) userUpdatedAt(i int) time.Time {
	created := g.createdAt(i)
	frac := time.Duration(g.h(i, hUserUpdated) % 5)
	return created.Add(g.updatedAt(i).Sub(created) * frac / 4).Truncate(time.Second)
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

// record builds the whole registration at index i, whose ID is id.
func (g *regGenerator) record(i int, id string) registration {
	first, last, co := g.person(i)
	lower, number := strings.ToLower(first)+"-"+strings.ToLower(last), strconv.Itoa(i+1)
	title := pick(g, i, hTitle, g.words.JobTitles)
	t := g.tickets[g.ticket(i)]
	r := registration{
		CreatedAt:           at(g.createdAt(i)),
		Email:               g.email(i),
		FirstName:           first,
		ID:                  id,
		LastName:            last,
		QuestionBankEnabled: len(t.questions) > 0,
		Refunded:            g.refunded(i),
		RegisteredThrough:   pick(g, i, hThrough, g.words.RegisteredThrough),
		TicketID:            t.id,
		Timezone:            pick(g, i, hTimezone, g.words.Timezones),
		UpdatedAt:           at(g.updatedAt(i)),
		UserID:              g.ids.encode(kindUser, g.eventNo<<32|uint64(i)),
		userUpdatedAt:       g.userUpdatedAt(i),
	}
	if g.h(i, hHeadline)%5 != 0 {
		r.Headline = ptr(title + " at " + co.Name)
	}
	if h := g.h(i, hBio); h%3 == 0 {
		r.Bio = ptr(g.words.Bios[(h>>8)%uint64(len(g.words.Bios))])
	}
	if h := g.h(i, hLinkedin); h%4 != 0 {
		r.Linkedin = ptr("https://www.linkedin.com/in/" + lower + "-" + strconv.FormatUint(h>>40, 36))
	}
	if g.h(i, hTwitter)%3 == 0 {
		r.Twitter = ptr("@" + strings.ToLower(first+last[:1]) + number)
	}
	if g.h(i, hWebsite)%5 == 0 {
		r.Website = ptr("https://" + co.Domain)
	}
	if h := g.h(i, hPhone); h%2 == 0 {
		// 555-0100 to 555-0199 are reserved for fiction.
		r.PhoneNumber = ptr("+1 415 555 01" + strconv.Itoa(10+int((h>>8)%90)))
	}
	if !r.Refunded {
		r.QRCodeData = ptr(qrCodeData(id))
		r.QRCodeImageURL = ptr("https://qr.events.ringcentral.com/v1/" + id + ".png")
		if h := g.h(i, hAttended); g.checkIns && h%100 < 64 {
			r.Attended = true
			r.FirstCheckIn = ptr(at(g.checkInFrom.Add(time.Duration(g.h(i, hCheckIn)>>8) % (5 * time.Hour))))
		}
	}
	if ml, ok := g.magicLinks[i]; ok {
		r.MagicLinkID = ptr(ml)
		r.RegisteredThrough = "magic_link"
	}
	if h := g.h(i, hUTM); h%3 == 0 {
		r.UTM = utm{
			UTMSource:   g.words.UTMSources[(h>>8)%uint64(len(g.words.UTMSources))],
			UTMMedium:   g.words.UTMMediums[(h>>16)%uint64(len(g.words.UTMMediums))],
			UTMCampaign: g.campaign,
		}
		if h%2 == 0 {
			r.UTM.UTMContent = "hero_banner"
			r.UTM.UTMTerm = "developer conference"
		}
	}
	if h := g.h(i, hMetadata); h%4 == 0 {
		r.Metadata = map[string]string{
			"crmContactId": "003" + strings.ToUpper(strconv.FormatUint(h>>20, 36)),
			"segment":      [...]string{"enterprise", "startup", "public-sector", "education"}[(h>>8)%4],
		}
	}
	if len(t.questions) > 0 {
		r.CustomRegistrationFields = make([]customField, len(t.questions))
		for k, q := range t.questions {
			r.CustomRegistrationFields[k] = g.answer(i, k, q, title)
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
		f.Value = answer{text: title}
	case "paragraphText":
		f.Value = answer{text: g.words.Goals[h%uint64(len(g.words.Goals))]}
	case "date":
		f.Value = answer{text: g.checkInFrom.AddDate(0, 0, int(h%3)).Format(time.DateOnly)}
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
		f.Value = answer{list: picked}
	case "conditional":
		// Options are Yes then No; the child questions follow a Yes.
		f.Value = answer{text: q.Options[1].Name}
		if h%3 != 0 {
			f.Value = answer{text: q.Options[0].Name}
			f.ChildQuestions = make([]childField, len(q.ChildQuestions))
			for c, cq := range q.ChildQuestions {
				f.ChildQuestions[c] = childField{
					ID:    strconv.Itoa(cq.ID),
					Name:  cq.Name,
					Type:  cq.FieldType,
					Value: answer{text: cq.Options[(h>>(8*(c+1)))%uint64(len(cq.Options))].Name},
				}
			}
		}
	default: // singleSelect
		f.Value = answer{text: q.Options[h%uint64(len(q.Options))].Name}
	}
	return f
}

// qrCodeData is the QR code a registration gets unless it brings its own barcode.
func qrCodeData(id string) string { return "RCE1-" + strings.ToUpper(id) }
