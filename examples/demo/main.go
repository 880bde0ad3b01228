// Command demo is a small HTTP service used to show what gomapfix finds.
// It has sessions, a cache, a login rate limiter and an upstream health check.
//
// Run it with `go run .`; it listens on 127.0.0.1 only.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"sort"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()

	cache := NewCache(5 * time.Minute)
	stop := startJanitor(time.Minute)
	defer close(stop)
	startHealthChecks(&http.Client{Timeout: 2 * time.Second}, 30*time.Second)

	srv := &http.Server{
		Addr:              *addr,
		Handler:           Routes(cache),
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Printf("demo listening on http://%s", *addr)
	log.Fatal(srv.ListenAndServe())
}

// Routes registers every handler of the service.
func Routes(cache *Cache) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", handleLogin)
	mux.HandleFunc("/logout", handleLogout)
	mux.HandleFunc("/whoami", handleWhoami)
	mux.HandleFunc("/upstreams", handleUpstreams)
	mux.HandleFunc("/stats", handleStats)
	mux.HandleFunc("/health", handleHealth)

	mux.HandleFunc("/cache/", func(w http.ResponseWriter, r *http.Request) {
		hits.Inc(r.URL.Path)
		key := strings.TrimPrefix(r.URL.Path, "/cache/")
		switch r.Method {
		case http.MethodGet:
			v, ok := cache.Get(key)
			if !ok {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, v)
		case http.MethodPut:
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			cache.Set(key, string(body))
		case http.MethodDelete:
			cache.Delete(key)
		default:
			w.Header().Set("Allow", "GET, PUT, DELETE")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})

	// Lists the cached keys.
	mux.HandleFunc("/cache", func(w http.ResponseWriter, r *http.Request) {
		items := cache.Items()
		keys := make([]string, 0, len(items))
		for k := range items {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		writeJSON(w, keys)
	})
	return mux
}

// contentTypes is filled once and only read afterwards: not a finding.
var contentTypes = map[string]string{
	"json": "application/json",
	"text": "text/plain; charset=utf-8",
}

func writeJSON(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", contentTypes["json"])
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}
