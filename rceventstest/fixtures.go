package rceventstest

// Fixtures names the seeded resources tests can start from. The IDs depend on the seed
// (WithSeed) and nothing else, so one seed always gives the same IDs and the same data.
type Fixtures struct {
	// OrganizationID is "Harborview Tech Collective": two templates, three events
	// (EventID, PastEventID, DraftEventID) and a plan that includes magic links.
	OrganizationID string
	// OtherOrganizationID is "Lakeside Community Network": one template, one event
	// (OtherEventID) and a plan without magic links.
	OtherOrganizationID string

	// TemplateID is the "Annual Conference" template of OrganizationID.
	TemplateID string

	// EventID is "Harborview DevCon 2025", the main event. It is the event WithRegistrations
	// sizes (Registrations holds its size), has four tickets with bank questions, magic
	// links, schedule items, sessions, stages, booths, tags and two ready reports.
	EventID string
	// PastEventID is a small ended webinar with a few dozen registrations.
	PastEventID string
	// DraftEventID is an unpublished draft: null timeStart and timeEnd, no registrations.
	DraftEventID string
	// OtherEventID is the event of OtherOrganizationID; its registrations have no custom
	// registration fields (customRegistrationFields is null).
	OtherEventID string

	// TicketID is "General Admission" of EventID: four bank questions and the most magic
	// links (more than one default page, plus hidden confirm-and-join ones).
	TicketID string
	// VIPTicketID is "VIP All-Access" of EventID: its bank questions include a conditional
	// question with child questions and a date question.
	VIPTicketID string
	// NoMagicLinkTicketID is the ticket of OtherEventID: creating magic links for it
	// answers 422, because its organization's plan lacks them.
	NoMagicLinkTicketID string

	// RegistrationID is the first registration of EventID (empty when it has none).
	RegistrationID string
	// MagicLinkID is the first magic link of TicketID.
	MagicLinkID string
	// ReportID is a ready registrations report of EventID: GET answers 200 at once.
	ReportID string
	// ScheduleItemID is the opening keynote of EventID; it has tags and speakers.
	ScheduleItemID string
	// SessionID and StageID are the first session and stage of EventID.
	SessionID, StageID string
	// BoothID is the first booth of EventID; it has tags.
	BoothID string

	// Registrations is how many registrations EventID was seeded with.
	Registrations int
}
