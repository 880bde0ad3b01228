// Go sources shared by the tests of --strict-tests (test/strict-tests.test.ts) and of the
// configuration key that turns it on (test/config.test.ts).

/** A store filled by a loader goroutine under its mutex; Synced is closed once the first load is in. */
export const STORE = `package store

import "sync"

// Store is filled by a loader goroutine; Synced is closed once the first load is in.
type Store struct {
	mu     sync.Mutex
	items  map[string]int
	Synced chan struct{}
	stop   chan struct{}
}

func New() *Store {
	return &Store{items: map[string]int{}, Synced: make(chan struct{}), stop: make(chan struct{})}
}

func (s *Store) Start(keys []string) {
	go func() {
		s.mu.Lock()
		for i, k := range keys {
			s.items[k] = i
		}
		s.mu.Unlock()
		close(s.Synced)
		<-s.stop
	}()
}

func (s *Store) Get(k string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.items[k]
	return v, ok
}

func (s *Store) Stop() { close(s.stop) }
`;

/** A test that reads the store's map from its own goroutine after waiting for Synced: race-free. */
export const QUIET_TEST = `package store

import "testing"

func TestLoads(t *testing.T) {
	s := New()
	s.Start([]string{"a", "b"})
	defer s.Stop()
	<-s.Synced
	if len(s.items) != 2 {
		t.Fatalf("items = %v", s.items)
	}
}
`;

// Reads before waiting for Synced: races with the loader; the race detector reports it when the
// test runs, which is why the scan leaves this to --strict-tests.
export const EARLY_READ_TEST = `package store

import "testing"

func TestReadsTooEarly(t *testing.T) {
	s := New()
	s.Start([]string{"a", "b"})
	defer s.Stop()
	n := len(s.items)
	<-s.Synced
	_ = n
}
`;
