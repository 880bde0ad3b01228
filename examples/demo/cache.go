package main

import (
	"sync"
	"time"
)

type entry struct {
	value   string
	expires time.Time
}

// Cache is a string cache with a time-to-live per entry.
// mu guards items.
type Cache struct {
	mu    sync.RWMutex
	items map[string]entry
	ttl   time.Duration
}

// NewCache returns an empty cache whose entries live for ttl.
func NewCache(ttl time.Duration) *Cache {
	return &Cache{items: make(map[string]entry), ttl: ttl}
}

// Get returns the value of key if it is present and not expired.
func (c *Cache) Get(key string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.items[key]
	if !ok || time.Now().After(e.expires) {
		return "", false
	}
	return e.value, true
}

// Set stores value under key.
func (c *Cache) Set(key, value string) {
	c.mu.Lock()
	c.items[key] = entry{value: value, expires: time.Now().Add(c.ttl)}
	c.mu.Unlock()
}

// Delete removes key.
func (c *Cache) Delete(key string) {
	delete(c.items, key)
}

// Items returns the cached entries.
func (c *Cache) Items() map[string]entry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.items
}

// Len returns the number of entries, expired ones included.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.items)
}
