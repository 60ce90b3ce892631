package main

import (
	"context"
	"io"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

func init() {
	register(scenario{name: "minimal", doc: "trace.Start then trace.Stop with nothing in between: the smallest real trace",
		run: traced(func() {})})
	register(scenario{name: "restart", doc: "two earlier trace sessions to io.Discard, so the file's first generation number is not 1",
		run: runRestart})
	register(scenario{name: "churn", doc: "12k short-lived goroutines in waves, nested spawning, WaitGroup joins",
		run: traced(churn)})
	register(scenario{name: "sync", doc: "channels (unbuffered, buffered, closed, nil), select, Mutex, RWMutex, Cond, WaitGroup, Once",
		run: traced(syncPrimitives)})
	register(scenario{name: "timers", doc: "Sleep, time.After, Timer Stop/Reset, Ticker, AfterFunc, context deadlines",
		run: traced(timers)})
}

var sink atomic.Int64

// spin burns roughly n iterations of CPU without allocating.
func spin(n int) {
	x := uint64(n)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	sink.Add(int64(x & 1))
}

func runRestart(out string) error {
	for i := 0; i < 2; i++ {
		if err := trace.Start(io.Discard); err != nil {
			return err
		}
		churnWave(200)
		trace.Stop()
	}
	return traced(func() {
		churnWave(500)
		syncPingPong(200)
	})(out)
}

func churnWave(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			spin(50 + i%100)
			if i%64 == 0 {
				runtime.Gosched()
			}
		}(i)
	}
	wg.Wait()
}

func churn() {
	// Waves of flat goroutines.
	for wave := 0; wave < 10; wave++ {
		churnWave(1000)
	}
	// A tree: goroutines that create goroutines (different creation stacks,
	// creators that exit before their children do).
	var wg sync.WaitGroup
	var grow func(depth int)
	grow = func(depth int) {
		defer wg.Done()
		if depth == 0 {
			spin(100)
			return
		}
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go grow(depth - 1)
		}
	}
	wg.Add(1)
	go grow(5) // 1+4+...+4^5 = 1365 goroutines
	wg.Wait()
	// Goroutines that are created, block once, and are woken together.
	start := make(chan struct{})
	for i := 0; i < 500; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			spin(20)
		}()
	}
	time.Sleep(time.Millisecond)
	close(start)
	wg.Wait()
}

func syncPingPong(n int) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	<-pong
}

func syncPrimitives() {
	var wg sync.WaitGroup

	// Unbuffered ping-pong.
	syncPingPong(2000)

	// Buffered producers and consumers.
	work := make(chan int, 16)
	var consumed atomic.Int64
	var cons sync.WaitGroup
	for c := 0; c < 3; c++ {
		cons.Add(1)
		go func() {
			defer cons.Done()
			for v := range work {
				consumed.Add(int64(v))
				spin(200)
			}
		}()
	}
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				work <- p*1000 + i
			}
		}(p)
	}
	wg.Wait()
	close(work)
	cons.Wait()

	// select over several channels, with default and a timeout.
	a, b, quit := make(chan int), make(chan string, 1), make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 300; i++ {
			if i%2 == 0 {
				a <- i
			} else {
				b <- "x"
			}
		}
		close(quit)
	}()
	go func() {
		defer wg.Done()
		misses := 0
		for {
			select {
			case <-a:
			case <-b:
			case <-quit:
				return
			case <-time.After(5 * time.Millisecond):
				misses++
			default:
				misses++
				runtime.Gosched()
			}
		}
	}()
	wg.Wait()

	// Contended Mutex, sometimes held across a sleep so waiters really park.
	var mu sync.Mutex
	counter := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				mu.Lock()
				counter++
				if i%50 == g {
					time.Sleep(100 * time.Microsecond)
				}
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()

	// RWMutex: many readers, a few writers.
	var rw sync.RWMutex
	table := map[int]int{}
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				if g < 2 && i%10 == 0 {
					rw.Lock()
					table[i] = g
					spin(500)
					rw.Unlock()
				} else {
					rw.RLock()
					_ = table[i]
					spin(100)
					rw.RUnlock()
				}
			}
		}(g)
	}
	wg.Wait()

	// Cond: a bounded queue with Signal and Broadcast.
	var cmu sync.Mutex
	cond := sync.NewCond(&cmu)
	queue, done := 0, false
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmu.Lock()
			defer cmu.Unlock()
			for {
				for queue == 0 && !done {
					cond.Wait()
				}
				if queue == 0 && done {
					return
				}
				queue--
			}
		}()
	}
	for i := 0; i < 200; i++ {
		cmu.Lock()
		queue++
		cmu.Unlock()
		cond.Signal()
		if i%20 == 0 {
			time.Sleep(50 * time.Microsecond)
		}
	}
	cmu.Lock()
	done = true
	cmu.Unlock()
	cond.Broadcast()
	wg.Wait()

	// Once with a slow initialiser: the other callers block until it returns.
	var once sync.Once
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			once.Do(func() { time.Sleep(2 * time.Millisecond) })
		}()
	}
	wg.Wait()

	// A goroutine that blocks forever on a nil channel, and one blocked on a
	// channel nobody closes: both are still Waiting when the trace stops.
	go func() {
		var never chan int
		<-never
	}()
	forever := make(chan int)
	go func() { <-forever }()
	// Many goroutines woken at once by a close.
	gate := make(chan struct{})
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() { defer wg.Done(); <-gate }()
	}
	time.Sleep(500 * time.Microsecond)
	close(gate)
	wg.Wait()
	_ = counter
}

func timers() {
	var wg sync.WaitGroup
	// Plain sleeps of various lengths in parallel.
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				time.Sleep(time.Duration(100*(g+1)) * time.Microsecond)
			}
		}(g)
	}
	// time.After racing a channel.
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := make(chan int)
		go func() {
			for i := 0; i < 5; i++ {
				time.Sleep(3 * time.Millisecond)
				c <- i
			}
		}()
		for i := 0; i < 10; i++ {
			select {
			case <-c:
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	// Timer Stop and Reset.
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTimer(time.Hour)
		for i := 0; i < 20; i++ {
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
			t.Reset(time.Duration(200+i*50) * time.Microsecond)
			<-t.C
		}
	}()
	// Ticker.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := time.NewTicker(2 * time.Millisecond)
		defer tk.Stop()
		for i := 0; i < 15; i++ {
			<-tk.C
		}
	}()
	// AfterFunc callbacks run on their own goroutines.
	var fired sync.WaitGroup
	for i := 0; i < 30; i++ {
		fired.Add(1)
		time.AfterFunc(time.Duration(i)*300*time.Microsecond, func() { spin(1000); fired.Done() })
	}
	// A stopped AfterFunc that never fires.
	time.AfterFunc(time.Hour, func() {}).Stop()
	// Context deadlines.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			<-ctx.Done()
			cancel()
		}
	}()
	fired.Wait()
	wg.Wait()
}
