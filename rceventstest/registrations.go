package rceventstest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

var registrationFilters = []filterField{
	{"email", stringField},
	{"createdAt", dateTimeField},
	{"updatedAt", dateTimeField},
	{"userUpdatedAt", dateTimeField},
	{"refunded", booleanField},
}

// listRegistrations answers GET /v1/events/{eventId}/registrations.
func (s *Server) listRegistrations(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("eventId")
	p, ok := s.parsePage(w, r)
	if !ok {
		return
	}
	conds, ok := parseFilters(w, r, registrationFilters)
	if !ok {
		return
	}
	items, total, found := s.store.registrationPage(id, p, conds, s.cfg.updateOrder)
	if !found {
		writeNotFound(w, "event", id)
		return
	}
	writeList(w, r, p, total, "registration", items)
}

// registrationPage returns page p of the event's registrations that match conds, in
// creation order or, byUpdate, in the order of WithUpdateOrder, how many match, or false
// when the event does not exist. Filters read registrations field by field: only the page
// is built whole. It takes the read lock.
func (st *store) registrationPage(eventID string, p pageRequest, conds []condition, byUpdate bool) (items []registration, total int, found bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	rs, found := st.registrations[eventID]
	if !found {
		return nil, 0, false
	}
	shown := func(i int) bool { return i < rs.generated || st.listed(rs.id(i)) } // seeded, or past its list lag
	if byUpdate {
		order := slices.DeleteFunc(rs.byUpdate(conds), func(i int) bool { return !shown(i) })
		lo, hi := p.window(len(order))
		for _, i := range order[lo:hi] {
			items = append(items, rs.at(i))
		}
		return items, len(order), true
	}
	if len(conds) == 0 && len(st.unlisted) == 0 {
		total = rs.count()
		lo, hi := p.window(total)
		items = make([]registration, 0, hi-lo)
		for i := lo; i < hi; i++ {
			items = append(items, rs.at(i))
		}
		return items, total, true
	}
	skip := p.offset()
	for i := range rs.count() {
		if matches(conds, regRef{rs, i}) && shown(i) {
			if total >= skip && len(items) < p.size {
				items = append(items, rs.at(i))
			}
			total++
		}
	}
	return items, total, true
}

// registrationValue copies the registration with that ID. The caller holds a lock.
func (st *store) registrationValue(id string) (registration, bool) {
	rs, i, ok := st.registration(id)
	if !ok {
		return registration{}, false
	}
	return rs.at(i), true
}

// hasRegistration reports whether a registration has that ID. The caller holds a lock.
func (st *store) hasRegistration(id string) bool {
	_, _, ok := st.registration(id)
	return ok
}

// answerInput is one element of the answers attribute: {questionId, answer}, where answer
// is a string, or an array of strings for a multiple-choice question.
type answerInput struct {
	QuestionID string         `json:"questionId"`
	Answer     jsontext.Value `json:"answer"`
}

// createRegistration answers POST /v1/events/{eventId}/registrations with 201 and the new
// registration, listed after the existing ones. email, firstName and lastName are required;
// ticketId defaults to the event's first ticket; answers must answer the ticket's bank
// questions with one of their options where they have options.
func (s *Server) createRegistration(w http.ResponseWriter, r *http.Request) {
	eventID := r.PathValue("eventId")
	a, ok := s.begin(w, r, "event", eventID, s.store.events.has, "registration",
		"answers", "email", "externalBarcode", "firstName", "lastName", "metadata", "ticketId")
	if !ok {
		return
	}
	in := registration{Email: a.email("email", true), FirstName: a.str("firstName", true), LastName: a.str("lastName", true)}
	in.TicketID, _ = a.optStr("ticketId")
	in.Metadata, _ = get[map[string]string](a, "metadata", "an object of strings")
	barcode, _ := a.optStr("externalBarcode")
	var answers []answerInput
	a.decode("answers", "an array of {questionId, answer}", &answers)
	if !a.ok(w) {
		return
	}
	reg := s.addRegistration(a, eventID, in, barcode, answers)
	if a.ok(w) {
		writeOne(w, http.StatusCreated, "registration", reg)
	}
}

// addRegistration stores reg, made through the API, as the event's last registration and
// returns it as stored. It stores nothing when its ticket or answers are wrong, which it
// records on a.
func (s *Server) addRegistration(a *attrs, eventID string, reg registration, barcode string, answers []answerInput) registration {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if reg.TicketID == "" {
		if ids := s.store.tickets.children[eventID]; len(ids) > 0 {
			reg.TicketID = ids[0]
		} else {
			a.failAttr("ticketId", "blank", "ticketId can't be blank: the event has no ticket to register on")
		}
	}
	qs := s.store.ticketQuestions(a, eventID, reg.TicketID)
	fields := applyAnswers(nil, answers, qs, a)
	if len(a.errs) > 0 {
		return registration{}
	}
	if len(qs) > 0 {
		reg.CustomRegistrationFields = fields
	}
	ev, _ := s.store.events.get(eventID)
	rs := s.store.registrations[eventID]
	now := at(s.now())
	reg.CreatedAt, reg.UpdatedAt, reg.userUpdatedAt = now, now, now.time()
	reg.QuestionBankEnabled = len(qs) > 0
	reg.RegisteredThrough = "api"
	reg.Timezone = ev.Timezone
	reg.UserID = s.store.ids.encode(kindUser, rs.eventNo<<32|uint64(rs.count()))
	rs.add(&reg)
	s.store.hide(reg.ID)
	reg.QRCodeData = ptr(cmp.Or(barcode, qrCodeData(reg.ID)))
	reg.QRCodeImageURL = ptr("https://qr.events.ringcentral.com/v1/" + reg.ID + ".png")
	s.store.claim(reg.TicketID, 1)
	s.store.stats.RegistrationsCreated++
	return reg
}

// updateRegistration answers PATCH /v1/registrations/{registrationId} with the updated
// registration. Every attribute is optional and replaces the stored one, except answers,
// which replace only the answers to the questions they name. externalBarcode becomes the
// qrCodeData. The update is the organizer's: userUpdatedAt does not move.
func (s *Server) updateRegistration(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("registrationId")
	a, ok := s.begin(w, r, "registration", id, s.store.hasRegistration, "registration",
		"answers", "externalBarcode", "firstName", "headline", "lastName", "metadata", "ticketId")
	if !ok {
		return
	}
	first, hasFirst := a.optStr("firstName")
	last, hasLast := a.optStr("lastName")
	if hasFirst && strings.TrimSpace(first) == "" {
		a.failAttr("firstName", "blank", "firstName can't be blank")
	}
	if hasLast && strings.TrimSpace(last) == "" {
		a.failAttr("lastName", "blank", "lastName can't be blank")
	}
	headline, hasHeadline := a.optStr("headline")
	barcode, hasBarcode := a.optStr("externalBarcode")
	metadata, hasMetadata := get[map[string]string](a, "metadata", "an object of strings")
	ticketID, _ := a.optStr("ticketId")
	var answers []answerInput
	a.decode("answers", "an array of {questionId, answer}", &answers)
	if !a.ok(w) {
		return
	}
	reg := s.changeRegistration(a, id, ticketID, answers, func(reg *registration) {
		if hasFirst {
			reg.FirstName = first
		}
		if hasLast {
			reg.LastName = last
		}
		if hasHeadline {
			reg.Headline = nil
			if headline != "" {
				reg.Headline = ptr(headline)
			}
		}
		if hasBarcode {
			reg.QRCodeData = ptr(barcode)
		}
		if hasMetadata {
			reg.Metadata = metadata
		}
	})
	if a.ok(w) {
		writeOne(w, http.StatusOK, "registration", reg)
	}
}

// changeRegistration moves the registration id onto ticketID (unless it is empty), applies
// answers and then edit, and returns it as stored. It stores nothing when the ticket or
// the answers are wrong, which it records on a.
func (s *Server) changeRegistration(a *attrs, id, ticketID string, answers []answerInput, edit func(*registration)) registration {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	rs, i, _ := s.store.registration(id)
	reg := rs.at(i)
	ticketID = cmp.Or(ticketID, reg.TicketID)
	qs := s.store.ticketQuestions(a, s.store.ids.encode(kindEvent, rs.eventNo), ticketID)
	reg.CustomRegistrationFields = applyAnswers(reg.CustomRegistrationFields, answers, qs, a)
	if len(a.errs) > 0 {
		return registration{}
	}
	if ticketID != reg.TicketID {
		s.store.claim(reg.TicketID, -1)
		s.store.claim(ticketID, 1)
		reg.TicketID = ticketID
		reg.QuestionBankEnabled = len(qs) > 0
	}
	edit(&reg)
	reg.UpdatedAt = at(s.now())
	rs.put(i, &reg)
	s.store.stats.RegistrationsUpdated++
	return reg
}

// ticketQuestions returns the bank questions of a ticket, recording a 422 on ticketId when
// the ticket is not one of the event's. The caller holds a lock.
func (st *store) ticketQuestions(a *attrs, eventID, ticketID string) []bankQuestion {
	if ticketID == "" {
		return nil
	}
	if st.tickets.parentOf(ticketID) != eventID {
		a.failAttr("ticketId", "invalid", fmt.Sprintf("ticket %q is not a ticket of event %q", ticketID, eventID))
		return nil
	}
	return st.questions.pick(st.ticketQs[ticketID])
}

// claim moves n registrations onto a ticket (n < 0: off it). The caller holds the write lock.
func (st *store) claim(ticketID string, n int) {
	t, ok := st.tickets.get(ticketID)
	if !ok {
		return
	}
	c := *t
	c.Claimed = max(0, c.Claimed+n)
	c.Remaining = max(0, c.Count-c.Claimed)
	st.tickets.put(st.tickets.parentOf(ticketID), ticketID, &c)
}

// applyAnswers returns fields with answers applied: an answer replaces the field of its
// question or is appended, and an answer to a child question of a conditional question
// goes into that question's childQuestions. fields itself is not modified. Problems are
// recorded on a.
func applyAnswers(fields []customField, answers []answerInput, qs []bankQuestion, a *attrs) []customField {
	if len(answers) == 0 {
		return fields
	}
	out := slices.Clone(fields)
	for k, in := range answers {
		pointer := a.base + "/answers/" + strconv.Itoa(k)
		parent, child := findQuestion(qs, in.QuestionID)
		if parent < 0 {
			a.fail(pointer+"/questionId", "invalid", fmt.Sprintf("questionId %q is not a bank question of the ticket", in.QuestionID))
			continue
		}
		q := qs[parent]
		fieldType, options := q.FieldType, q.Options
		if child >= 0 {
			fieldType, options = q.ChildQuestions[child].FieldType, q.ChildQuestions[child].Options
		}
		value, detail := answerValue(in.Answer, fieldType, options)
		if detail != "" {
			a.fail(pointer+"/answer", "invalid", detail)
			continue
		}
		f := slices.IndexFunc(out, func(f customField) bool { return f.ID == q.ID })
		if child < 0 {
			nf := customField{ID: q.ID, Name: q.Name, Value: value, Type: q.FieldType}
			if f >= 0 {
				nf.ChildQuestions = out[f].ChildQuestions
				out[f] = nf
			} else {
				out = append(out, nf)
			}
			continue
		}
		if f < 0 {
			a.fail(pointer+"/questionId", "invalid", fmt.Sprintf("question %q is a child question: answer %q first", in.QuestionID, q.ID))
			continue
		}
		cq := q.ChildQuestions[child]
		cf := childField{ID: strconv.Itoa(cq.ID), Name: cq.Name, Value: value, Type: cq.FieldType}
		kids := slices.Clone(out[f].ChildQuestions)
		if c := slices.IndexFunc(kids, func(c childField) bool { return c.ID == cf.ID }); c >= 0 {
			kids[c] = cf
		} else {
			kids = append(kids, cf)
		}
		out[f].ChildQuestions = kids
	}
	return out
}

// findQuestion finds a question by ID among qs and their child questions (whose IDs are
// integers, sent as strings): it returns the index of the question and of the child (-1
// for the question itself), or -1, -1.
func findQuestion(qs []bankQuestion, id string) (int, int) {
	for p, q := range qs {
		if q.ID == id {
			return p, -1
		}
		for c, cq := range q.ChildQuestions {
			if strconv.Itoa(cq.ID) == id {
				return p, c
			}
		}
	}
	return -1, -1
}

// answerValue validates an answer against its question: options, when there are any, must
// be named exactly; a multiSelect answer is an array (or a comma-separated string); a date
// is YYYY-MM-DD. It returns the value to store or what is wrong.
func answerValue(raw jsontext.Value, fieldType string, options []bankOption) (answer, string) {
	var list []string
	var one string
	if err := json.Unmarshal(raw, &one); err != nil {
		if fieldType != "multiSelect" || json.Unmarshal(raw, &list) != nil {
			return answer{}, "answer must be a string (an array of strings for a multiSelect question)"
		}
	} else if fieldType == "multiSelect" {
		list = strings.Split(one, ",")
	}
	valid := func(v string) bool {
		return options == nil || slices.ContainsFunc(options, func(o bankOption) bool { return o.Name == v })
	}
	if fieldType == "multiSelect" {
		for i, v := range list {
			list[i] = strings.TrimSpace(v)
			if !valid(list[i]) {
				return answer{}, fmt.Sprintf("%q is not an option of the question", list[i])
			}
		}
		return answer{list: list}, ""
	}
	if fieldType == "date" {
		if _, err := time.Parse(time.DateOnly, one); err != nil {
			return answer{}, fmt.Sprintf("%q is not a date (YYYY-MM-DD)", one)
		}
	}
	if !valid(one) {
		return answer{}, fmt.Sprintf("%q is not an option of the question", one)
	}
	return answer{text: one}, ""
}
