package main

import "sync"

type Store struct {
	mu    sync.Mutex
	names map[int]string
	ages  map[int]int
}

func (s *Store) Set(k int) {
	s.mu.Lock()
	s.names[k] = "x"
	s.ages[k] = k
	s.mu.Unlock()
}

// rename forgets s.mu for names.
func (s *Store) rename(k int) {
	s.names[k] = s.label(k)
}

// label forgets s.mu for ages.
func (s *Store) label(k int) string {
	s.ages[k]++
	return "y"
}

// Touch forgets s.mu for ages too.
func (s *Store) Touch(k int) {
	s.label(k)
}

func main() {
	s := &Store{names: map[int]string{}, ages: map[int]int{}}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(3)
		go func(i int) { defer wg.Done(); s.Set(i) }(i)
		go func(i int) { defer wg.Done(); s.rename(i) }(i)
		go func(i int) { defer wg.Done(); s.Touch(i) }(i)
	}
	wg.Wait()
}
