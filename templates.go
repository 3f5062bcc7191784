package rcevents

// TemplatesService creates events from an organization's templates.
type TemplatesService service
