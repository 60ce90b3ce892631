//go:build go1.23

package main

import (
	"iter"
	"runtime"
	"sync"
	"time"
)

func init() {
	register(scenario{name: "iterpull", doc: "iter.Pull and iter.Pull2 coroutines: full and early-stopped pulls, nested pulls, pulls on several goroutines, a blocking sequence",
		run: traced(iterPull)})
	register(scenario{name: "allocfree", godebug: "traceallocfree=1",
		doc: "GODEBUG=traceallocfree=1: experimental heap span, object and goroutine stack alloc/free events",
		run: traced(allocFree)})
}

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func pairs(n int) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i := 0; i < n; i++ {
			if !yield(i, "v") {
				return
			}
		}
	}
}

// doubled pulls from another sequence inside its own body.
func doubled(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		next, stop := iter.Pull(count(n))
		defer stop()
		for {
			v, ok := next()
			if !ok || !yield(2*v) {
				return
			}
		}
	}
}

func iterPull() {
	// Drained to the end.
	next, stop := iter.Pull(count(500))
	for {
		if _, ok := next(); !ok {
			break
		}
	}
	stop()
	// Stopped early.
	next, stop = iter.Pull(count(1000))
	next()
	next()
	stop()
	// Stopped before the first value.
	_, stop = iter.Pull(count(10))
	stop()
	// Pull2.
	next2, stop2 := iter.Pull2(pairs(200))
	for {
		if _, _, ok := next2(); !ok {
			break
		}
	}
	stop2()
	// Nested.
	next, stop = iter.Pull(doubled(300))
	for {
		if _, ok := next(); !ok {
			break
		}
	}
	stop()
	// Several goroutines pulling at once.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next, stop := iter.Pull(count(300))
			defer stop()
			for i := 0; ; i++ {
				if _, ok := next(); !ok {
					return
				}
				if i%50 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	// A sequence that blocks inside its body.
	slow := func(yield func(int) bool) {
		for i := 0; i < 5; i++ {
			time.Sleep(500 * time.Microsecond)
			if !yield(i) {
				return
			}
		}
	}
	next, stop = iter.Pull(iter.Seq[int](slow))
	for {
		if _, ok := next(); !ok {
			break
		}
	}
	stop()
}

// allocFree keeps the number of heap objects small (every object allocation
// and free is an event) and lets large allocations trigger the collections:
// runtime.GC would yield once per span while sweeping and flood the trace.
func allocFree() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var held [][]byte
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var local []*node
			for i := 0; i < 30; i++ {
				local = append(local, buildTree(4))
				b := make([]byte, 1<<uint(8+i%8))
				mu.Lock()
				held = append(held, b)
				mu.Unlock()
			}
			_ = local
		}(g)
	}
	wg.Wait()
	held = nil
	// Large objects, each its own span, enough for a few GC cycles.
	var big [][]byte
	for i := 0; i < 160; i++ {
		big = append(big, make([]byte, 64<<10))
		if len(big) > 16 {
			big = big[1:]
		}
	}
	// Goroutines whose stacks grow and are freed.
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() { defer wg.Done(); deep(200) }()
	}
	wg.Wait()
	time.Sleep(2 * time.Millisecond)
}

//go:noinline
func deep(n int) int {
	var pad [64]byte
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%64])
}
