package main

import (
	"fmt"
	"net/http"
	"time"
)

// lastCheck holds the latest probe result of each upstream, keyed by its index
// in upstreams. One goroutine per upstream overwrites its own entry; the
// /health handler reads them all. Nothing guards the map.
var lastCheck = map[int]string{}

// startHealthChecks probes each upstream every interval, in its own goroutine.
func startHealthChecks(client *http.Client, interval time.Duration) {
	for i := range upstreams {
		go func(i int) {
			for {
				lastCheck[i] = probe(client, upstreams[i])
				time.Sleep(interval)
			}
		}(i)
	}
}

func probe(client *http.Client, url string) string {
	resp, err := client.Get(url)
	if err != nil {
		return "down: " + err.Error()
	}
	resp.Body.Close()
	return fmt.Sprintf("up: %d at %s", resp.StatusCode, time.Now().Format(time.RFC3339))
}

func handleHealth(w http.ResponseWriter, r *http.Request) {
	report := make(map[string]string)
	for i, u := range upstreams {
		status, ok := lastCheck[i]
		if !ok {
			status = "not checked yet"
		}
		report[u] = status
	}
	writeJSON(w, report)
}
