package rceventstest

import (
	_ "embed"
	"time"

	"github.com/go-json-experiment/json"
)

// The seeded dataset is seed/organizations.json: two organizations, four events and what
// belongs to them, in the API's attribute names, plus what links them (a ticket's bank
// questions by index, a booth's tags by name) and "fixture", the field of Fixtures that gets
// the resource's ID. IDs number each kind in the file's order, encoded with a key drawn from
// the seed (see idCodec); registrations are generated from the seed (see regGenerator) with
// the words of seed/words.json, and redeem the magic links marked "redeem". So the same
// seed always gives the same data.

//go:embed seed/organizations.json
var seedOrganizations []byte

//go:embed seed/words.json
var seedWords []byte

// seeded is a resource of the seed data: its attributes, the Fixtures field its ID goes
// to, if any, and the names of its tags.
type seeded[T any] struct {
	Attrs   T        `json:",embed"`
	Fixture string   `json:"fixture"`
	Tags    []string `json:"tags"`
}

type seedOrganization struct {
	organization
	MagicLinksInPlan bool `json:"magicLinksInPlan"`
	Templates        []seeded[struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}] `json:"templates"`
	Events []seeded[seedEvent] `json:"events"`
}

type seedEvent struct {
	event
	Registrations struct {
		Count       int     `json:"count"` // but WithRegistrations sizes the main event
		Open        apiTime `json:"open"`  // when the first registrant registered
		Until       apiTime `json:"until"` // when the last one did
		UTMCampaign string  `json:"utmCampaign"`
		CheckIns    bool    `json:"checkIns"` // whether about two in three checked in
	} `json:"registrations"`
	BankQuestions []bankQuestion         `json:"bankQuestions"`
	Tickets       []seeded[seedTicket]   `json:"tickets"`
	Stages        []seeded[segment]      `json:"stages"`
	Sessions      []seeded[segment]      `json:"sessions"`
	ScheduleItems []seeded[scheduleItem] `json:"scheduleItems"`
	Booths        []seeded[booth]        `json:"booths"`
	Reports       []seeded[seedReport]   `json:"reports"`
}

type seedTicket struct {
	ticket                             // remaining is what is still for sale
	Weight     uint64                  `json:"weight"`    // share of the registrants, against the event's other tickets
	Questions  []int                   `json:"questions"` // indexes into the event's bankQuestions
	MagicLinks []seeded[seedMagicLink] `json:"magicLinks"`
}

type seedMagicLink struct {
	magicLink
	ConfirmAndJoin bool `json:"confirmAndJoin"`
	// Redeem, when set, makes a registrant holding the ticket redeem the link, which was
	// sent that many hours before they registered; the link's own person and dates stand
	// when no registrant is left to redeem it.
	Redeem *struct {
		SentHoursBefore int `json:"sentHoursBefore"`
	} `json:"redeem"`
}

type seedReport struct {
	Type      string  `json:"type"`
	CreatedAt apiTime `json:"createdAt"`
}

// words are the pools generated registrations draw from.
type words struct {
	FirstNames        []string  `json:"firstNames"`
	LastNames         []string  `json:"lastNames"`
	Companies         []company `json:"companies"`
	JobTitles         []string  `json:"jobTitles"`
	Bios              []string  `json:"bios"`
	Goals             []string  `json:"goals"`
	Timezones         []string  `json:"timezones"` // all of them documented ones
	UTMSources        []string  `json:"utmSources"`
	UTMMediums        []string  `json:"utmMediums"`
	RegisteredThrough []string  `json:"registeredThrough"` // but those who redeemed a magic link
}

// company is an employer of generated registrants.
type company struct {
	Name   string `json:"name"`
	Domain string `json:"domain"`
}

// seeder fills a store that nobody else can see yet.
type seeder struct {
	st       *store
	words    *words
	mainRegs int               // registrations of the main event
	named    map[string]string // Fixtures field → ID
}

// seedStore fills st with the seed data and returns the fixtures; the main event gets
// mainRegistrations registrations.
func seedStore(st *store, mainRegistrations int) Fixtures {
	s := &seeder{st: st, words: &words{}, mainRegs: mainRegistrations, named: map[string]string{}}
	var data struct {
		Organizations []seeded[seedOrganization] `json:"organizations"`
	}
	strict := json.RejectUnknownMembers(true)
	if err := json.Unmarshal(seedWords, s.words, strict); err != nil {
		panic("rceventstest: seed/words.json: " + err.Error())
	}
	if err := json.Unmarshal(seedOrganizations, &data, strict); err != nil {
		panic("rceventstest: seed/organizations.json: " + err.Error())
	}
	for _, o := range data.Organizations {
		s.organization(o)
	}
	// The fixture names of the seed data are the names of Fixtures' fields.
	var fx Fixtures
	named, _ := json.Marshal(s.named)
	if err := json.Unmarshal(named, &fx, strict); err != nil {
		panic("rceventstest: seed/organizations.json: a fixture is not a field of Fixtures: " + err.Error())
	}
	fx.Registrations = mainRegistrations
	if mainRegistrations > 0 {
		fx.RegistrationID = st.registrations[fx.EventID].id(0)
	}
	return fx
}

func (s *seeder) name(fixture, id string) {
	if fixture != "" {
		s.named[fixture] = id
	}
}

func (s *seeder) organization(o seeded[seedOrganization]) {
	org := o.Attrs.organization
	org.ID = s.st.newID(kindOrganization)
	org.magicLinks = o.Attrs.MagicLinksInPlan
	s.st.orgs.put("", org.ID, &org)
	s.name(o.Fixture, org.ID)
	for _, t := range o.Attrs.Templates {
		tmpl := &template{ID: s.st.newID(kindTemplate), Name: t.Attrs.Name, orgID: org.ID, description: t.Attrs.Description}
		s.st.templates.put(org.ID, tmpl.ID, tmpl)
		s.name(t.Fixture, tmpl.ID)
	}
	for _, e := range o.Attrs.Events {
		s.event(org.ID, e)
	}
}

func (s *seeder) event(orgID string, e seeded[seedEvent]) {
	st := s.st
	ev := e.Attrs.event
	ev.orgID = orgID
	st.addEvent(&ev)
	s.name(e.Fixture, ev.ID)

	questions := make([]string, len(e.Attrs.BankQuestions))
	for i, q := range e.Attrs.BankQuestions {
		q.ID = st.newID(kindBankQuestion)
		st.questions.put(ev.ID, q.ID, &q)
		questions[i] = q.ID
	}
	var drawn []genTicket
	for _, tk := range e.Attrs.Tickets {
		t := tk.Attrs.ticket
		t.ID, t.EventID, t.Count = st.newID(kindTicket), ev.ID, t.Remaining
		st.tickets.put(ev.ID, t.ID, &t)
		s.name(tk.Fixture, t.ID)
		gt := genTicket{id: t.ID, weight: tk.Attrs.Weight}
		for _, q := range tk.Attrs.Questions {
			st.ticketQs[t.ID] = append(st.ticketQs[t.ID], questions[q])
			gt.questions = append(gt.questions, *st.questions.byID[questions[q]])
		}
		if gt.weight > 0 {
			drawn = append(drawn, gt)
		}
	}
	n := e.Attrs.Registrations.Count
	if e.Fixture == "EventID" {
		n = s.mainRegs
	}
	s.registrations(&ev, e.Attrs, drawn, n)
	for i, tk := range e.Attrs.Tickets {
		s.magicLinks(st.registrations[ev.ID], st.tickets.children[ev.ID][i], tk.Attrs.MagicLinks)
	}

	areas := map[string]string{} // stage or session name → ID
	for _, sg := range e.Attrs.Stages {
		areas[sg.Attrs.Name] = s.segment(&st.stages, kindStage, ev.ID, sg)
	}
	for _, sg := range e.Attrs.Sessions {
		areas[sg.Attrs.Name] = s.segment(&st.sessions, kindSession, ev.ID, sg)
	}
	tagIDs := map[string]string{}
	for _, name := range e.Tags {
		t := &tag{ID: st.newID(kindTag), Name: name}
		st.tags.put(ev.ID, t.ID, t)
		tagIDs[name] = t.ID
	}
	tagged := func(names []string) []string {
		ids := make([]string, len(names))
		for i, name := range names {
			ids[i] = tagIDs[name]
		}
		return ids
	}
	for _, it := range e.Attrs.ScheduleItems {
		item := it.Attrs
		item.ID = st.newID(kindScheduleItem)
		if item.Speakers == nil {
			item.Speakers = []speaker{} // the API sends [], not null
		}
		for k := range item.Speakers {
			item.Speakers[k].ID = st.ids.encode(kindUser, speakerSerialBase+st.serial[kindScheduleItem]<<4+uint64(k))
		}
		if item.AreaName != nil && areas[*item.AreaName] != "" {
			item.AreaID = ptr(areas[*item.AreaName])
		}
		item.tagIDs = tagged(it.Tags)
		st.scheduleItems.put(ev.ID, item.ID, &item)
		s.name(it.Fixture, item.ID)
	}
	for _, b := range e.Attrs.Booths {
		v := b.Attrs
		v.ID, v.tagIDs = st.newID(kindBooth), tagged(b.Tags)
		st.booths.put(ev.ID, v.ID, &v)
		s.name(b.Fixture, v.ID)
	}
	for _, r := range e.Attrs.Reports {
		rep := &report{id: st.newID(kindReport), eventID: ev.ID, reportType: r.Attrs.Type, version: "2",
			title: reportTitle(r.Attrs.Type, ev.Name), createdAt: r.Attrs.CreatedAt.time(), rows: n}
		st.reports.put(ev.ID, rep.id, rep)
		s.name(r.Fixture, rep.id)
	}
}

// speakerSerialBase numbers speakers apart from registrants, who are users too.
const speakerSerialBase = 1 << 48

// segment stores a stage or a session and returns its ID.
func (s *seeder) segment(tab *table[segment], k kind, eventID string, sg seeded[segment]) string {
	v := sg.Attrs
	v.ID = s.st.newID(k)
	tab.put(eventID, v.ID, &v)
	s.name(sg.Fixture, v.ID)
	return v.ID
}

// registrations gives an event n generated registrations, drawn onto tickets by weight,
// and counts them on their tickets.
func (s *seeder) registrations(ev *event, e seedEvent, tickets []genTicket, n int) {
	if n == 0 {
		return
	}
	rs := s.st.registrations[ev.ID]
	spec := e.Registrations
	g := &regGenerator{
		seed:       mix64(s.st.ids.key ^ rs.eventNo*0xa0761d6478bd642f),
		ids:        s.st.ids,
		eventNo:    rs.eventNo,
		words:      s.words,
		campaign:   spec.UTMCampaign,
		open:       spec.Open.time(),
		step:       max(time.Second, spec.Until.time().Sub(spec.Open.time())/time.Duration(n)),
		checkIns:   spec.CheckIns,
		tickets:    tickets,
		magicLinks: map[int]string{},
	}
	if ev.TimeStart != nil {
		g.checkInFrom = ev.TimeStart.time()
	}
	counted := make([]*ticket, len(tickets))
	for k, t := range tickets {
		g.totalWeight += t.weight
		counted[k], _ = s.st.tickets.get(t.id)
	}
	for i := range n { // a ticket's count is what was sold and what remains
		t := counted[g.ticket(i)]
		t.Claimed, t.Count = t.Claimed+1, t.Count+1
	}
	rs.gen, rs.generated = g, n
}

// firstRedeemer is the index of the first registrant who may have redeemed a seeded magic
// link: the ones before, Fixtures.RegistrationID among them, redeemed none.
const firstRedeemer = 4

// magicLinks seeds the magic links of a ticket. A link marked redeem is redeemed by the
// next registrant holding the ticket who has not redeemed one: the link and the
// registration name each other and the same person.
func (s *seeder) magicLinks(rs *regSet, ticketID string, links []seeded[seedMagicLink]) {
	next := firstRedeemer
	for _, l := range links {
		m := l.Attrs.magicLink
		m.ID, m.ticketID, m.confirmAndJoin = s.st.newID(kindMagicLink), ticketID, l.Attrs.ConfirmAndJoin
		k, ok := 0, false
		if l.Attrs.Redeem != nil {
			k, ok = rs.nextHolder(ticketID, next)
		}
		if ok {
			first, last, _ := rs.gen.person(k)
			m.FirstName, m.LastName, m.Email = first, last, rs.gen.email(k)
			m.Status, m.RegistrationID = ptr("redeemed"), ptr(rs.id(k))
			registered := rs.gen.createdAt(k)
			m.CreatedAt = at(registered.Add(-time.Duration(l.Attrs.Redeem.SentHoursBefore) * time.Hour))
			m.UpdatedAt = at(registered)
			rs.gen.magicLinks[k] = m.ID
			next = k + 1
		}
		s.st.magicLinks.put(ticketID, m.ID, &m)
		s.name(l.Fixture, m.ID)
	}
}

// nextHolder finds the first generated registrant from index from on who holds ticketID
// and has redeemed no magic link.
func (rs *regSet) nextHolder(ticketID string, from int) (int, bool) {
	for k := from; k < rs.generated; k++ {
		if _, used := rs.gen.magicLinks[k]; !used && rs.gen.tickets[rs.gen.ticket(k)].id == ticketID {
			return k, true
		}
	}
	return 0, false
}
