package main

import "sync"

var hits = map[int]int{}
var sizes = map[int]int{}

func record(k int) {
	hits[k]++
	sizes[k] = len(hits)
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			record(i)
		}(i)
	}
	wg.Wait()
}
