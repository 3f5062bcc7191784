package rcevents

// DataSubscriptionsService creates data subscriptions: webhooks for an event's signals.
type DataSubscriptionsService service
