package portal

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIPResolver finds the address of the client that sent a request. It
// believes X-Forwarded-For only when the connection comes from a trusted
// proxy, so a client cannot choose its own rate-limit key.
type ClientIPResolver struct {
	trusted []netip.Prefix
}

// NewClientIPResolver returns a resolver that trusts the proxies in
// trustedProxies, each a CIDR ("10.0.0.0/8") or a single address. With
// none, only the connection's address counts.
func NewClientIPResolver(trustedProxies []string) (*ClientIPResolver, error) {
	c := &ClientIPResolver{}
	for _, s := range trustedProxies {
		s = strings.TrimSpace(s)
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("client ip: trusted proxy %q is not an address or CIDR", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		c.trusted = append(c.trusted, p.Masked())
	}
	return c, nil
}

func (c *ClientIPResolver) isTrusted(a netip.Addr) bool {
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the client's address: r.RemoteAddr, unless that is a
// trusted proxy; then the right-most address in X-Forwarded-For that is not
// a trusted proxy (the first hop a trusted proxy saw). If the header is
// missing or unreadable, the nearest trusted address is used. The zero Addr
// means RemoteAddr itself was unreadable.
func (c *ClientIPResolver) ClientIP(r *http.Request) netip.Addr {
	peer := parseHostAddr(r.RemoteAddr)
	if !peer.IsValid() || !c.isTrusted(peer) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a := parseHostAddr(strings.TrimSpace(parts[j]))
			if !a.IsValid() {
				return client // garbage: stop at the last address a trusted hop vouched for
			}
			client = a
			if !c.isTrusted(a) {
				return a
			}
		}
	}
	return client
}

// ForwardedHTTPS reports whether a trusted proxy says the browser used
// https (X-Forwarded-Proto: https, the nearest hop's word). A client cannot
// say so itself: from an untrusted peer the header is ignored.
func (c *ClientIPResolver) ForwardedHTTPS(r *http.Request) bool {
	peer := parseHostAddr(r.RemoteAddr)
	if !peer.IsValid() || !c.isTrusted(peer) {
		return false
	}
	vals := r.Header.Values("X-Forwarded-Proto")
	if len(vals) == 0 {
		return false
	}
	parts := strings.Split(vals[len(vals)-1], ",")
	return strings.EqualFold(strings.TrimSpace(parts[len(parts)-1]), "https")
}

// parseHostAddr parses "1.2.3.4", "1.2.3.4:5", "::1" or "[::1]:5".
func parseHostAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}

// IPKey turns an address into a rate-limit key. IPv6 addresses are keyed by
// their /64, since one subscriber usually holds a whole /64.
func IPKey(a netip.Addr) string {
	if !a.IsValid() {
		return "ip:unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + a.String()
}
