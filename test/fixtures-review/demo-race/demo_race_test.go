package main

// Copied into a scratch copy of examples/demo by test/review-pty.test.ts: the handlers race on
// Cache.items and sessions until review's fixes are written.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConcurrentRequests(t *testing.T) {
	mux := Routes(NewCache(time.Minute))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				for _, req := range []*http.Request{
					httptest.NewRequest(http.MethodPut, "/cache/k", strings.NewReader("v")),
					httptest.NewRequest(http.MethodDelete, "/cache/k", nil),
					httptest.NewRequest(http.MethodGet, "/cache", nil),
					httptest.NewRequest(http.MethodGet, "/logout", nil),
					httptest.NewRequest(http.MethodGet, "/whoami", nil),
				} {
					req.AddCookie(&http.Cookie{Name: "session", Value: "t"})
					mux.ServeHTTP(httptest.NewRecorder(), req)
				}
			}
		}()
	}
	wg.Wait()
}
