package rcevents

// RegistrationsService reads, creates and updates the registrations of events.
type RegistrationsService service
