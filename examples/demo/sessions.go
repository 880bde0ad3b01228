package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"
)

// Session is a logged-in user.
type Session struct {
	User    string
	Created time.Time
}

// sessions maps a session token to its session. Every handler runs on its
// own goroutine, and nothing guards this map.
var sessions = map[string]*Session{}

func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func handleLogin(w http.ResponseWriter, r *http.Request) {
	if !allow(clientIP(r)) {
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	user := r.FormValue("user")
	if user == "" {
		http.Error(w, "missing user", http.StatusBadRequest)
		return
	}
	token := newToken()
	sessions[token] = &Session{User: user, Created: time.Now()}
	http.SetCookie(w, &http.Cookie{Name: "session", Value: token, HttpOnly: true})
	fmt.Fprintf(w, "welcome, %s\n", user)
}

func handleLogout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("session")
	if err != nil {
		return
	}
	delete(sessions, c.Value)
	http.SetCookie(w, &http.Cookie{Name: "session", MaxAge: -1})
}

func handleWhoami(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("session")
	if err != nil {
		http.Error(w, "not logged in", http.StatusUnauthorized)
		return
	}
	s, ok := sessions[c.Value]
	if !ok {
		http.Error(w, "unknown session", http.StatusUnauthorized)
		return
	}
	fmt.Fprintf(w, "%s (since %s)\n", s.User, s.Created.Format(time.RFC3339))
}
