package trace

import "github.com/norikv/norikv-console/client"

// routeMsg is the client's routing answer for a traced key, stamped with the
// request id so an older answer never replaces a newer one.
type routeMsg struct {
	reqID int
	key   string
	route client.Route
}
