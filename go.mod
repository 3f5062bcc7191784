module github.com/rcevents/rcevents-go

go 1.23.0

require (
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	golang.org/x/oauth2 v0.30.0 // indirect
	golang.org/x/time v0.12.0 // indirect
)
