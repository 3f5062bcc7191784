package rcevents

// MagicLinksService manages the magic links that let people join an event without a password.
type MagicLinksService service
