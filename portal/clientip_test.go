package portal

import (
	"net/http/httptest"
	"testing"
)

func TestNewClientIPResolver(t *testing.T) {
	tests := []struct {
		in      []string
		wantErr bool
	}{
		{nil, false},
		{[]string{"10.0.0.0/8", "192.168.1.1", "::1", "fd00::/8", " 172.16.0.0/12 ", "::ffff:10.0.0.0/104"}, false},
		{[]string{"10.0.0.0/33"}, true},
		{[]string{"proxy.internal"}, true},
		{[]string{""}, true},
	}
	for _, tt := range tests {
		_, err := NewClientIPResolver(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("NewClientIPResolver(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
		}
	}
}

func TestClientIPResolver_ClientIP(t *testing.T) {
	trusting, err := NewClientIPResolver([]string{"10.0.0.0/8", "::1", "::ffff:172.16.0.0/108"})
	if err != nil {
		t.Fatal(err)
	}
	none, _ := NewClientIPResolver(nil)
	tests := []struct {
		name   string
		res    *ClientIPResolver
		remote string
		xff    []string
		want   string
	}{
		{"direct", none, "203.0.113.5:4321", nil, "203.0.113.5"},
		{"xff ignored without trust", none, "203.0.113.5:4321", []string{"1.2.3.4"}, "203.0.113.5"},
		{"xff ignored from untrusted peer", trusting, "203.0.113.5:4321", []string{"1.2.3.4"}, "203.0.113.5"},
		{"ipv6 peer", none, "[2001:db8::1]:443", nil, "2001:db8::1"},
		{"mapped v4 peer", none, "[::ffff:198.51.100.7]:80", nil, "198.51.100.7"},
		{"trusted proxy", trusting, "10.0.0.2:80", []string{"198.51.100.7"}, "198.51.100.7"},
		{"right-most untrusted", trusting, "10.0.0.2:80", []string{"6.6.6.6, 198.51.100.7, 10.1.1.1"}, "198.51.100.7"},
		{"spoofed left entries ignored", trusting, "10.0.0.2:80", []string{"1.1.1.1", "198.51.100.7"}, "198.51.100.7"},
		{"several header lines", trusting, "10.0.0.2:80", []string{"198.51.100.7", "10.0.0.9"}, "198.51.100.7"},
		{"all trusted", trusting, "10.0.0.2:80", []string{"10.0.0.3, 10.0.0.4"}, "10.0.0.3"},
		{"no header", trusting, "10.0.0.2:80", nil, "10.0.0.2"},
		{"garbage", trusting, "10.0.0.2:80", []string{"not-an-ip"}, "10.0.0.2"},
		{"garbage behind good", trusting, "10.0.0.2:80", []string{"evil, 10.0.0.5"}, "10.0.0.5"},
		{"xff with port", trusting, "10.0.0.2:80", []string{"198.51.100.7:5555"}, "198.51.100.7"},
		{"xff ipv6 bracketed", trusting, "[::1]:80", []string{"[2001:db8::7]:1"}, "2001:db8::7"},
		{"trusted mapped prefix", trusting, "172.16.0.9:80", []string{"198.51.100.8"}, "198.51.100.8"},
		{"unreadable remote", trusting, "@", []string{"1.2.3.4"}, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tt.res.ClientIP(r).String(); got != tt.want {
				t.Errorf("ClientIP() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestIPKey(t *testing.T) {
	none, _ := NewClientIPResolver(nil)
	tests := []struct{ remote, want string }{
		{"203.0.113.5:1", "ip:203.0.113.5"},
		{"[2001:db8:1:2:3:4:5:6]:1", "ip:2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:1", "ip:2001:db8:1:2::/64"},
		{"junk", "ip:unknown"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if got := IPKey(none.ClientIP(r)); got != tt.want {
			t.Errorf("IPKey(%s) = %s, want %s", tt.remote, got, tt.want)
		}
	}
}
