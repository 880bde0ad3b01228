package main

import (
	"net"
	"net/http"
	"time"
)

const (
	burst     = 5
	refill    = time.Second
	idleAfter = 3 * time.Minute
)

type visitor struct {
	tokens   int
	lastSeen time.Time
}

// visitors holds the login rate limit state of each client IP.
var visitors = map[string]*visitor{}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// allow reports whether ip may make another request now (a token bucket).
func allow(ip string) bool {
	now := time.Now()
	v, ok := visitors[ip]
	if !ok {
		v = &visitor{tokens: burst, lastSeen: now}
		visitors[ip] = v
	}
	v.tokens += int(now.Sub(v.lastSeen) / refill)
	if v.tokens > burst {
		v.tokens = burst
	}
	v.lastSeen = now
	if v.tokens == 0 {
		return false
	}
	v.tokens--
	return true
}

// startJanitor forgets idle visitors every interval until stop is closed.
func startJanitor(every time.Duration) chan<- struct{} {
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			for ip, v := range visitors {
				if time.Since(v.lastSeen) > idleAfter {
					delete(visitors, ip)
				}
			}
		}
	}()
	return stop
}
