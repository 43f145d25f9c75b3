package notify

import "context"

// Submitter takes captured notifications; *Service is one.
type Submitter interface {
	Submit(ctx context.Context, ns []Notification) ([]Result, error)
}
