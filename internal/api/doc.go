// Package api is the contract of Lull's local API, in one place: the
// route table (Routes: every endpoint's name, method and path), the request
// and answer types of every endpoint, the error table (Errors: each domain
// sentinel's stable wire code, HTTP status and command-line exit code), the
// events of GET /v1/events, and the typed client (Client) the command line
// and the window use.
//
// The server side mounts a handler for every route (app/service/routes.go)
// and answers errors with WriteError; the Client turns them back into
// errors for which errors.Is holds with the domain's sentinel, and bad
// values into a *human.FieldError whose Key names the field, so a command
// exits with the same code, and a window marks the same field, whether the
// error came over the API or from the data directly. internal/localapi is
// the transport underneath: the guard, the token, the discovery file, the
// hello handshake and the error envelope.
package api
