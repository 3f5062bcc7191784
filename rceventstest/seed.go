package rceventstest

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The seeded dataset: two organizations, four events and everything around them. Every
// random choice comes from one PCG generator seeded by WithSeed and every timestamp from
// fixed dates, so the same seed gives the same data whatever the day.

// seeder builds the dataset into a store that nobody else can see yet.
type seeder struct {
	st       *store
	rng      *rand.Rand
	optionID int // next integer ID of a bank question option
	childID  int // next integer ID of a child bank question
	fx       Fixtures
}

func date(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
}

// seedStore fills st and returns the fixtures; the main event gets mainRegistrations.
func seedStore(st *store, seed int64, mainRegistrations int) Fixtures {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eedda7a))
	s := &seeder{st: st, rng: rng, optionID: 48100 + rng.IntN(800), childID: 7300 + rng.IntN(300)}
	s.harborview(mainRegistrations)
	s.lakeside()
	return s.fx
}

func (s *seeder) harborview(mainRegistrations int) {
	org := s.organization(organization{
		CreatedAt:  at(date(2023, time.March, 14, 10, 22)),
		Email:      "events@harborview.io",
		Name:       "Harborview Tech Collective",
		Twitter:    ptr("@harborviewtech"),
		Website:    ptr("https://harborview.io"),
		magicLinks: true,
	})
	s.fx.OrganizationID = org
	s.fx.TemplateID = s.template(org, "Annual Conference", "Two conference days with a keynote stage, breakout rooms, a workshop lab and an expo hall.")
	s.template(org, "Monthly Webinar", "A one-hour webinar with a single stage, live Q&A and a replay.")

	s.mainEvent(org, mainRegistrations)

	past := s.event(org, event{
		CreatedAt:   at(date(2025, time.April, 20, 13, 5)),
		Description: "Our product team walks through what shipped this quarter and what comes next, with live Q&A.",
		Metadata:    map[string]any{"series": "roadmap-webinars", "recordingUrl": "https://harborview.io/webinars/roadmap-q2-2025"},
		Name:        "Product Roadmap Webinar: Q2 2025",
		Published:   true,
		Status:      "ended",
		TimeStart:   atPtr(date(2025, time.June, 12, 16, 0)),
		TimeEnd:     atPtr(date(2025, time.June, 12, 17, 0)),
		Timezone:    "America/New_York",
		Type:        "public_event",
	})
	s.fx.PastEventID = past
	qs := s.questions(past, []questionSpec{
		{name: "Job title", fieldType: "singleLineText"},
		{name: "What would you like us to cover?", fieldType: "paragraphText"},
	})
	seat := s.ticket(past, ticket{Name: "Webinar Seat", Description: ptr("Free live seat with access to the replay."), Price: 0}, qs)
	s.registrations(past, 42, date(2025, time.May, 1, 9, 0), date(2025, time.June, 12, 15, 0), "roadmap_q2_2025",
		[]genTicket{{id: seat, weight: 1, questions: qs}}, true)
	s.agenda(past, []string{"Webinar Studio"}, nil, []slot{
		{day: 0, hour: 16, minute: 0, length: 40, title: "What shipped in Q2", area: "stage", place: 0, speakers: 2},
		{day: 0, hour: 16, minute: 40, length: 20, title: "Live Q&A with the product team", area: "stage", place: 0, speakers: 3},
	})

	draft := s.event(org, event{
		CreatedAt:   at(date(2025, time.July, 1, 8, 30)),
		Description: "Invite-only summit for our integration partners. Agenda to be confirmed.",
		Metadata:    map[string]any{},
		Name:        "Partner Summit 2026",
		Status:      "draft",
		Timezone:    "Europe/Berlin",
		Type:        "private_event",
	})
	s.fx.DraftEventID = draft
	s.ticket(draft, ticket{Name: "Partner Pass", Description: ptr("For invited partner companies, two seats each."), Price: 0, Private: true, Remaining: 200}, nil)
}

func (s *seeder) mainEvent(org string, n int) {
	id := s.event(org, event{
		CreatedAt:   at(date(2025, time.March, 3, 9, 12)),
		Description: "Two days of talks, workshops and hallway conversations for people who build and run software. Keynotes on the Main Stage, deep dives in the breakout rooms, hands-on labs and an expo hall with the teams behind the tools you use.",
		Metadata: map[string]any{
			"costCenter":         "MKT-2025-031",
			"expectedAttendance": 1200,
			"hybrid":             true,
			"region":             "emea",
			"sponsorTiers":       []any{"gold", "silver", "community"},
		},
		Name:      "Harborview DevCon 2025",
		Published: true,
		Status:    "live",
		TimeStart: atPtr(date(2025, time.September, 16, 8, 0)),
		TimeEnd:   atPtr(date(2025, time.September, 17, 17, 30)),
		Timezone:  "Europe/London",
		Type:      "public_event",
	})
	s.fx.EventID = id

	qs := s.questions(id, []questionSpec{
		{name: "Job title", fieldType: "singleLineText"},
		{name: "Company size", fieldType: "singleSelect", options: []string{"1-10", "11-50", "51-200", "201-1000", "1000+"}, defaultOption: -1},
		{name: "Topics you're interested in", fieldType: "multiSelect", options: []string{"Cloud infrastructure", "Data & analytics", "Security", "Developer experience", "AI & machine learning"}, defaultOption: -1},
		{name: "Dietary requirements", fieldType: "singleSelect", options: []string{"None", "Vegetarian", "Vegan", "Gluten-free", "Halal", "Kosher"}, defaultOption: 0},
		{name: "Will you join the in-person workshop day?", fieldType: "conditional", options: []string{"Yes", "No"}, defaultOption: -1, children: []questionSpec{
			{name: "Which workshop track?", fieldType: "singleSelect", options: []string{"Kubernetes in production", "Practical threat modelling", "Data contracts"}, defaultOption: -1},
			{name: "T-shirt size", fieldType: "singleSelect", options: []string{"S", "M", "L", "XL"}, defaultOption: 1},
		}},
		{name: "Arrival date", fieldType: "date"},
		{name: "Anything we should know before your talk?", fieldType: "paragraphText"},
	})
	ga := s.ticket(id, ticket{Name: "General Admission", Description: ptr("Both conference days, the expo hall and every recording."), Price: 349, Discount: ptr(50.0), Remaining: 180}, qs[:4])
	vip := s.ticket(id, ticket{Name: "VIP All-Access", Description: ptr("Front-row seating, the speaker dinner and the workshop day."), Price: 899, Remaining: 24}, qs[:6])
	virtual := s.ticket(id, ticket{Name: "Virtual Pass", Price: 0, Remaining: 5000}, []bankQuestion{qs[0], qs[2]})
	speaker := s.ticket(id, ticket{Name: "Speaker Pass", Description: ptr("For confirmed speakers only."), Price: 0, Private: true, Discount: ptr(0.0), Remaining: 6}, []bankQuestion{qs[0], qs[6]})
	s.fx.TicketID, s.fx.VIPTicketID = ga, vip

	s.registrations(id, n, date(2025, time.April, 1, 9, 0), date(2025, time.September, 16, 8, 0), "devcon25_early_bird",
		[]genTicket{{id: ga, weight: 70, questions: qs[:4]}, {id: vip, weight: 9, questions: qs[:6]}, {id: virtual, weight: 19, questions: []bankQuestion{qs[0], qs[2]}}, {id: speaker, weight: 2, questions: []bankQuestion{qs[0], qs[6]}}},
		true)
	if n > 0 {
		s.fx.RegistrationID = s.st.registrations[id].id(0)
	}
	s.fx.Registrations = n

	s.fx.MagicLinkID = s.magicLinks(id, ga, 30, 4)
	s.magicLinks(id, vip, 5, 0)

	items := s.agenda(id, []string{"Main Stage", "Harbor Hall"}, []string{"Breakout Room A", "Breakout Room B", "Workshop Lab", "Roundtables"}, []slot{
		{day: 0, hour: 8, minute: 0, length: 60, title: "Registration and breakfast", area: "other"},
		{day: 0, hour: 9, minute: 0, length: 60, title: talkTitles[0], area: "stage", place: 0, speakers: 1, tags: 2},
		{day: 0, hour: 10, minute: 15, length: 45, title: talkTitles[1], area: "stage", place: 0, speakers: 1, tags: 2},
		{day: 0, hour: 10, minute: 15, length: 45, title: talkTitles[2], area: "session", place: 0, speakers: 2, tags: 1},
		{day: 0, hour: 11, minute: 0, length: 30, title: "Coffee break", area: "other"},
		{day: 0, hour: 11, minute: 30, length: 45, title: talkTitles[3], area: "stage", place: 1, speakers: 1, tags: 1},
		{day: 0, hour: 11, minute: 30, length: 90, title: talkTitles[11], area: "session", place: 2, speakers: 2, tags: 2},
		{day: 0, hour: 12, minute: 30, length: 60, title: "Lunch", area: "other"},
		{day: 0, hour: 13, minute: 30, length: 45, title: talkTitles[4], area: "stage", place: 0, speakers: 1, tags: 2},
		{day: 0, hour: 13, minute: 30, length: 60, title: talkTitles[5], area: "stage", place: 1, speakers: 3, tags: 2},
		{day: 0, hour: 14, minute: 30, length: 45, title: talkTitles[6], area: "session", place: 1, speakers: 1, tags: 1},
		{day: 0, hour: 15, minute: 30, length: 45, title: talkTitles[7], area: "stage", place: 0, speakers: 1, tags: 1},
		{day: 0, hour: 16, minute: 30, length: 120, title: "Expo hall drinks", area: "expo"},
		{day: 1, hour: 9, minute: 0, length: 45, title: talkTitles[8], area: "stage", place: 0, speakers: 1, tags: 2},
		{day: 1, hour: 9, minute: 0, length: 60, title: "Roundtable: On-call that doesn't hurt", area: "session", place: 3, speakers: 1, tags: 1},
		{day: 1, hour: 10, minute: 0, length: 45, title: talkTitles[9], area: "stage", place: 1, speakers: 2, tags: 1},
		{day: 1, hour: 11, minute: 0, length: 30, title: "Coffee break", area: "other"},
		{day: 1, hour: 11, minute: 30, length: 45, title: talkTitles[10], area: "stage", place: 0, speakers: 1, tags: 2},
		{day: 1, hour: 11, minute: 30, length: 45, title: talkTitles[12], area: "session", place: 0, speakers: 1, tags: 1},
		{day: 1, hour: 12, minute: 30, length: 60, title: "Lunch", area: "other"},
		{day: 1, hour: 13, minute: 30, length: 45, title: talkTitles[13], area: "session", place: 1, speakers: 1, tags: 1},
		{day: 1, hour: 14, minute: 30, length: 45, title: talkTitles[14], area: "stage", place: 0, speakers: 2, tags: 1},
		{day: 1, hour: 15, minute: 30, length: 30, title: talkTitles[15], area: "stage", place: 0, speakers: 1, tags: 1},
	})
	s.fx.ScheduleItemID = items[1]
	s.fx.StageID = s.st.stages.children[id][0]
	s.fx.SessionID = s.st.sessions.children[id][0]
	s.fx.BoothID = s.booths(id, len(boothNames))

	s.fx.ReportID = s.report(id, "registrations", n)
	s.report(id, "attendeeLog", n)
}

func (s *seeder) lakeside() {
	org := s.organization(organization{
		CreatedAt: at(date(2024, time.January, 9, 15, 40)),
		Email:     "hello@lakesidecommunity.org",
		Facebook:  ptr("https://www.facebook.com/lakesidecommunitynetwork"),
		Name:      "Lakeside Community Network",
	})
	s.fx.OtherOrganizationID = org
	s.template(org, "Community Meetup", "An evening meetup with a welcome talk and open tables.")
	ev := s.event(org, event{
		CreatedAt:   at(date(2025, time.May, 2, 11, 15)),
		Description: "Meet the coordinators, pick your volunteering team for the season and share a meal.",
		Metadata:    map[string]any{"venue": "Riverside Hall", "capacity": 120},
		Name:        "Volunteer Kickoff Night",
		Published:   true,
		Status:      "upcoming",
		TimeStart:   atPtr(date(2025, time.October, 2, 23, 0)),
		TimeEnd:     atPtr(date(2025, time.October, 3, 2, 0)),
		Timezone:    "America/Chicago",
		Type:        "hidden_event",
	})
	s.fx.OtherEventID = ev
	rsvp := s.ticket(ev, ticket{Name: "Volunteer RSVP", Price: 0, Remaining: 100}, nil)
	s.fx.NoMagicLinkTicketID = rsvp
	s.registrations(ev, 18, date(2025, time.May, 10, 12, 0), date(2025, time.October, 2, 20, 0), "volunteer_drive",
		[]genTicket{{id: rsvp, weight: 1}}, false)
	s.agenda(ev, nil, nil, []slot{
		{day: 0, hour: 23, minute: 0, length: 30, title: "Welcome and introductions", area: "other", speakers: 1},
		{day: 0, hour: 23, minute: 30, length: 90, title: "Team tables and dinner", area: "other"},
	})
}

func (s *seeder) organization(o organization) string {
	o.ID = s.st.newID(kindOrganization)
	s.st.orgs.put("", o.ID, &o)
	return o.ID
}

func (s *seeder) template(org, name, description string) string {
	t := &template{ID: s.st.newID(kindTemplate), Name: name, orgID: org, description: description}
	s.st.templates.put(org, t.ID, t)
	return t.ID
}

func (s *seeder) event(org string, e event) string {
	e.orgID = org
	s.st.addEvent(&e)
	return e.ID
}

// questionSpec describes a bank question; defaultOption indexes options (-1: none).
type questionSpec struct {
	name, fieldType string
	options         []string
	defaultOption   int
	children        []questionSpec
}

// questions stores the bank questions of an event and returns them in order.
func (s *seeder) questions(eventID string, specs []questionSpec) []bankQuestion {
	out := make([]bankQuestion, len(specs))
	for i, sp := range specs {
		q := bankQuestion{ID: s.st.newID(kindBankQuestion), Name: sp.name, FieldType: sp.fieldType, Options: s.options(sp)}
		if sp.options != nil && sp.defaultOption >= 0 {
			q.DefaultAnswer = ptr(sp.options[sp.defaultOption])
		}
		for _, c := range sp.children {
			child := bankChildQuestion{ID: s.childID, Name: c.name, FieldType: c.fieldType, Options: s.options(c)}
			s.childID++
			if c.defaultOption >= 0 {
				child.DefaultAnswer = ptr(c.options[c.defaultOption])
			}
			q.ChildQuestions = append(q.ChildQuestions, child)
		}
		s.st.questions.put(eventID, q.ID, &q)
		out[i] = q
	}
	return out
}

// options numbers the options of a question; only a question with a default marks them.
func (s *seeder) options(sp questionSpec) []bankOption {
	if sp.options == nil {
		return nil
	}
	out := make([]bankOption, len(sp.options))
	for i, name := range sp.options {
		out[i] = bankOption{ID: s.optionID, Name: name, Seq: strconv.Itoa(i + 1)}
		if sp.defaultOption >= 0 {
			out[i].DefaultAnswer = ptr(i == sp.defaultOption)
		}
		s.optionID++
	}
	return out
}

// ticket stores a ticket of an event with its bank questions. t.Remaining is the number
// still for sale; Count becomes Claimed+Remaining once registrations are seeded.
func (s *seeder) ticket(eventID string, t ticket, qs []bankQuestion) string {
	ev, _ := s.st.events.get(eventID)
	t.ID = s.st.newID(kindTicket)
	t.EventID = eventID
	t.CreatedAt = at(ev.CreatedAt.time().Add(time.Duration(s.st.tickets.count(eventID)+1) * 37 * time.Minute))
	t.Slug = slugify(t.Name)
	t.Count = t.Remaining
	s.st.tickets.put(eventID, t.ID, &t)
	for _, q := range qs {
		s.st.ticketQs[t.ID] = append(s.st.ticketQs[t.ID], q.ID)
	}
	return t.ID
}

// registrations gives an event n lazily generated registrations, created between open and
// until, and counts them on their tickets. With checkIns, about two in three registrants
// checked in after the event's start.
func (s *seeder) registrations(eventID string, n int, open, until time.Time, campaign string, tickets []genTicket, checkIns bool) {
	rs := s.st.registrations[eventID]
	if n == 0 {
		return
	}
	ev, _ := s.st.events.get(eventID)
	g := &regGenerator{
		seed:       mix64(s.st.ids.key ^ rs.eventNo*0xa0761d6478bd642f),
		ids:        s.st.ids,
		eventNo:    rs.eventNo,
		campaign:   campaign,
		open:       open,
		step:       max(time.Second, until.Sub(open)/time.Duration(n)),
		checkIns:   checkIns,
		magicLinks: map[int]string{},
	}
	if ev.TimeStart != nil {
		g.checkInFrom = ev.TimeStart.time()
	}
	for _, t := range tickets {
		g.tickets = append(g.tickets, t)
		g.totalWeight += t.weight
	}
	rs.gen, rs.generated = g, n
	claimed := make([]int, len(tickets))
	for i := 0; i < n; i++ {
		claimed[g.ticket(i)]++
	}
	for k, gt := range tickets {
		t, _ := s.st.tickets.get(gt.id)
		t.Claimed = claimed[k]
		t.Count = t.Claimed + t.Remaining
	}
}

// magicLinks seeds visible magic links for a ticket, plus hidden confirm-and-join ones.
// Every third visible link was redeemed by a registrant holding that ticket. It returns the
// first link's ID.
func (s *seeder) magicLinks(eventID, ticketID string, visible, confirmAndJoin int) string {
	rs := s.st.registrations[eventID]
	ev, _ := s.st.events.get(eventID)
	var first string
	redeemer := 4 // registrants are searched for from here on
	for i := 0; i < visible+confirmAndJoin; i++ {
		fn, ln := firstNames[s.rng.IntN(len(firstNames))], lastNames[s.rng.IntN(len(lastNames))]
		co := companies[s.rng.IntN(len(companies))]
		created := ev.CreatedAt.time().Add(time.Duration(10+i*3)*24*time.Hour + time.Duration(s.rng.IntN(36000))*time.Second)
		ml := &magicLink{
			CreatedAt:   at(created),
			Email:       strings.ToLower(fn) + "." + strings.ToLower(ln) + "@" + co.domain,
			ExtraFields: map[string]string{},
			FirstName:   fn,
			ID:          s.st.newID(kindMagicLink),
			LastName:    ln,
			MagicLink:   "https://events.ringcentral.com/magic/" + s.token(24),
			Metadata:    map[string]string{},
			UpdatedAt:   at(created),
			ticketID:    ticketID,
		}
		switch {
		case i >= visible:
			ml.confirmAndJoin = true
			ml.Status = ptr("confirmed")
		case i%3 == 2 && s.redeemer(rs, ticketID, &redeemer):
			// The registrant redeemed this link: both name each other and the names agree.
			// It was sent a few days before and redeemed when the registration was made.
			k := redeemer
			ml.FirstName, ml.LastName, _ = rs.gen.person(k)
			ml.Email = rs.gen.email(k)
			ml.Status = ptr("redeemed")
			ml.RegistrationID = ptr(rs.id(k))
			redeemed := rs.gen.createdAt(k)
			ml.CreatedAt = at(redeemed.Add(-time.Duration(1+s.rng.IntN(72)) * time.Hour))
			ml.UpdatedAt = at(redeemed)
			rs.gen.magicLinks[k] = ml.ID
			redeemer++
		case i%3 == 1:
			ml.Status = ptr("sent")
		}
		if i%4 == 0 {
			ml.Headline = ptr(jobTitles[s.rng.IntN(len(jobTitles))] + " at " + co.name)
			ml.ExtraFields = map[string]string{"company": co.name, "partnerCode": "HV-" + strconv.Itoa(1000+s.rng.IntN(9000))}
		}
		if i%5 == 0 {
			ml.Metadata = map[string]string{"invitedBy": "partnerships", "batch": "2025-0" + strconv.Itoa(4+i%5)}
		}
		s.st.magicLinks.put(ticketID, ml.ID, ml)
		if first == "" {
			first = ml.ID
		}
	}
	return first
}

// redeemer advances *from to the next generated registrant who holds ticketID and has
// redeemed no link yet, and reports whether there is one.
func (s *seeder) redeemer(rs *regSet, ticketID string, from *int) bool {
	if rs.gen == nil {
		return false
	}
	for k := *from; k < rs.generated; k++ {
		if _, used := rs.gen.magicLinks[k]; !used && rs.gen.tickets[rs.gen.ticket(k)].id == ticketID {
			*from = k
			return true
		}
	}
	*from = rs.generated
	return false
}

// token is a random lowercase alphanumeric string, for magic-link URLs.
func (s *seeder) token(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// slot is one schedule item: its day (from the event's start), time, length in minutes,
// area ("stage", "session", "expo" or "other") and place (index of the stage or session).
type slot struct {
	day, hour, minute, length int
	title, area               string
	place                     int
	speakers, tags            int
}

// agenda seeds the stages, sessions, tags and schedule items of an event and returns the
// schedule items' IDs.
func (s *seeder) agenda(eventID string, stages, sessions []string, slots []slot) []string {
	ev, _ := s.st.events.get(eventID)
	created := ev.CreatedAt.time().Add(21 * 24 * time.Hour)
	segments := func(tab *table[segment], k kind, names []string) []segment {
		out := make([]segment, len(names))
		for i, name := range names {
			seg := segment{CreatedAt: at(created.Add(time.Duration(i) * time.Hour)), ID: s.st.newID(k), Name: name,
				UpdatedAt: at(created.Add(time.Duration(i)*time.Hour + time.Duration(2+s.rng.IntN(200))*time.Hour))}
			tab.put(eventID, seg.ID, &seg)
			out[i] = seg
		}
		return out
	}
	areas := map[string][]segment{
		"stage":   segments(&s.st.stages, kindStage, stages),
		"session": segments(&s.st.sessions, kindSession, sessions),
	}
	tags := s.tags(eventID)

	var start time.Time
	if ev.TimeStart != nil {
		start = ev.TimeStart.time().Truncate(24 * time.Hour)
	}
	ids := make([]string, len(slots))
	for i, sl := range slots {
		begin := start.AddDate(0, 0, sl.day).Add(time.Duration(sl.hour)*time.Hour + time.Duration(sl.minute)*time.Minute)
		item := &scheduleItem{
			Area:      sl.area,
			CreatedAt: at(created.Add(time.Duration(i) * 17 * time.Minute)),
			ID:        s.st.newID(kindScheduleItem),
			Name:      sl.title,
			Speakers:  []speaker{},
			TimeEnd:   at(begin.Add(time.Duration(sl.length) * time.Minute)),
			TimeStart: at(begin),
		}
		item.UpdatedAt = at(item.CreatedAt.time().Add(time.Duration(1+s.rng.IntN(400)) * time.Hour))
		if places := areas[sl.area]; len(places) > 0 {
			item.AreaID, item.AreaName = ptr(places[sl.place].ID), ptr(places[sl.place].Name)
		} else if sl.area == "expo" {
			item.AreaName = ptr("Expo Hall")
		}
		if sl.speakers > 0 {
			item.Description = ptr(abstracts[s.rng.IntN(len(abstracts))])
		}
		for k := 0; k < sl.speakers; k++ {
			fn, ln := firstNames[s.rng.IntN(len(firstNames))], lastNames[s.rng.IntN(len(lastNames))]
			co := companies[s.rng.IntN(len(companies))]
			item.Speakers = append(item.Speakers, speaker{
				ID:       s.st.ids.encode(kindUser, speakerSerialBase+s.st.serial[kindScheduleItem]<<4+uint64(k)),
				Name:     fn + " " + ln,
				Headline: jobTitles[s.rng.IntN(len(jobTitles))] + " at " + co.name,
			})
		}
		item.tagIDs = s.pickTags(tags, sl.tags)
		s.st.scheduleItems.put(eventID, item.ID, item)
		ids[i] = item.ID
	}
	return ids
}

// speakerSerialBase numbers speakers apart from registrants, who are users too.
const speakerSerialBase = 1 << 48

// tags seeds the event's tags once and returns their IDs.
func (s *seeder) tags(eventID string) []string {
	if ids := s.st.tags.children[eventID]; ids != nil {
		return ids
	}
	for _, name := range tagNames {
		t := &tag{ID: s.st.newID(kindTag), Name: name}
		s.st.tags.put(eventID, t.ID, t)
	}
	return s.st.tags.children[eventID]
}

// pickTags draws n distinct tags.
func (s *seeder) pickTags(tags []string, n int) []string {
	var out []string
	for _, k := range s.rng.Perm(len(tags))[:min(n, len(tags))] {
		out = append(out, tags[k])
	}
	return out
}

// booths seeds n booths in priority order and returns the first one's ID.
func (s *seeder) booths(eventID string, n int) string {
	ev, _ := s.st.events.get(eventID)
	tags := s.tags(eventID)
	// Every booth is tagged "Sponsor", then with a few topic tags.
	k := slices.Index(tagNames[:], "Sponsor")
	sponsor, others := tags[k], append(tags[:k:k], tags[k+1:]...)
	created := ev.CreatedAt.time().Add(40 * 24 * time.Hour)
	for i := 0; i < n; i++ {
		name := boothNames[i%len(boothNames)]
		domain := strings.ReplaceAll(strings.ToLower(name), " ", "") + ".com"
		for _, co := range companies {
			if co.name == name {
				domain = co.domain
			}
		}
		handle := strings.ReplaceAll(strings.ToLower(name), " ", "")
		b := &booth{
			BoothSize: [...]string{"large", "large", "large", "medium", "medium", "medium", "medium"}[min(i, 6)],
			CreatedAt: at(created.Add(time.Duration(i) * 90 * time.Minute)),
			ID:        s.st.newID(kindBooth),
			Name:      name,
			Priority:  n - i,
			Website:   ptr("https://" + domain),
		}
		if i >= 7 {
			b.BoothSize = "small"
		}
		b.UpdatedAt = at(b.CreatedAt.time().Add(time.Duration(1+s.rng.IntN(300)) * time.Hour))
		if i%3 != 2 {
			b.About = ptr(name + " is exhibiting at " + ev.Name + ". Stop by for demos, stickers and a chat with the team.")
			b.Email = ptr("events@" + domain)
			b.Linkedin = ptr("https://www.linkedin.com/company/" + handle)
		}
		if i%2 == 0 {
			b.Headline = ptr(boothHeadlines[(i/2)%len(boothHeadlines)])
			b.Twitter = ptr("@" + handle)
		}
		if i%4 == 0 {
			b.Instagram = ptr("https://www.instagram.com/" + handle)
			b.Facebook = ptr("https://www.facebook.com/" + handle)
		}
		b.tagIDs = append([]string{sponsor}, s.pickTags(others, 1+i%3)...)
		s.st.booths.put(eventID, b.ID, b)
	}
	return s.st.booths.children[eventID][0]
}

// report seeds a ready report of an event.
func (s *seeder) report(eventID, reportType string, rows int) string {
	ev, _ := s.st.events.get(eventID)
	created := ev.CreatedAt.time()
	if ev.TimeEnd != nil {
		created = ev.TimeEnd.time().Add(30 * time.Minute)
	}
	r := &report{id: s.st.newID(kindReport), eventID: eventID, reportType: reportType, version: "2", title: reportTitle(reportType, ev.Name),
		createdAt: created.Add(time.Duration(s.st.reports.count(eventID)) * time.Hour), rows: rows}
	s.st.reports.put(eventID, r.id, r)
	return r.id
}
