package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"syscall"
	"time"
)

func init() {
	register(scenario{name: "gc", doc: "GC pressure: GOGC=50, pointer-heavy live heap, allocating goroutines (mark assists), big allocations, ReadMemStats and runtime.GC (STW, run with GOMAXPROCS=1)",
		run: traced(gcPressure)})
	register(scenario{name: "gomaxprocs", doc: "GOMAXPROCS changed 1 -> 4 -> 2 -> 8 -> 3 -> 1 -> original, with parallel work in between",
		run: traced(gomaxprocs)})
	register(scenario{name: "cpuprofile", doc: "pprof CPU profile (to io.Discard) during the trace: CPU samples with stacks",
		run: cpuProfile})
	register(scenario{name: "annotations", godebug: "traceadvanceperiod=10000000",
		doc: "user tasks, nested regions and logs; a task and a region spanning generations; unfinished ones; strings that need quoting",
		run: traced(annotations)})
	register(scenario{name: "generations", godebug: "traceadvanceperiod=1000000",
		doc: "mixed workload with a 1 ms generation period: ~40 generations, blocked and syscalling goroutines across boundaries",
		run: traced(generations)})
}

type node struct {
	left, right *node
	payload     [4]uintptr
}

func buildTree(depth int) *node {
	if depth == 0 {
		return &node{}
	}
	return &node{left: buildTree(depth - 1), right: buildTree(depth - 1)}
}

var (
	keep     []*node
	keepTree *node
)

func gcPressure() {
	old := debug.SetGCPercent(50)
	defer debug.SetGCPercent(old)

	// A live, pointer-heavy heap so each mark phase takes a while.
	keep = keep[:0]
	for i := 0; i < 2; i++ {
		keep = append(keep, buildTree(14)) // 32k nodes each, ~1.5 MiB
	}
	var wg sync.WaitGroup
	// Allocating goroutines: they run into mark assists while the GC runs.
	// Only two, so that Ps stay idle now and then: with every P busy the
	// background sweeper yields after each span, thousands of times per ms.
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var local []*node
			for i := 0; i < 30; i++ {
				local = append(local, buildTree(9))
				if len(local) > 8 {
					local = local[1:]
				}
				_ = make([]byte, 16<<10)
			}
			keep[g%len(keep)].payload[0] = uintptr(len(local))
		}(g)
	}
	// Big allocations straight from the heap.
	for i := 0; i < 3; i++ {
		b := make([]byte, 8<<20)
		b[len(b)-1] = 1
	}
	wg.Wait()
	// Stop-the-world events: ReadMemStats, then one forced collection.
	// runtime.GC ends by calling Gosched in a loop until no other P is
	// still sweeping; on a busy machine that can spin tens of thousands of
	// times (each a GoStop/GoStart pair), so it runs with a single P.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	keep = nil
	procs := runtime.GOMAXPROCS(1)
	runtime.GC()
	runtime.GOMAXPROCS(procs)
}

func gomaxprocs() {
	orig := runtime.GOMAXPROCS(0)
	for _, n := range []int{1, 4, 2, 8, 3, 1, orig} {
		runtime.GOMAXPROCS(n)
		var wg sync.WaitGroup
		for g := 0; g < 2*n+1; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				spin(300000)
				runtime.Gosched()
				spin(300000)
			}()
		}
		wg.Wait()
		time.Sleep(time.Millisecond)
	}
}

//go:noinline
func hashLoop(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		spin(10000)
	}
}

//go:noinline
func mapLoop(d time.Duration) {
	end := time.Now().Add(d)
	m := make(map[int]int, 1024)
	for i := 0; time.Now().Before(end); i++ {
		for j := 0; j < 1000; j++ {
			m[(i*j)&1023] += j
		}
	}
	sink.Add(int64(len(m)))
}

// cpuProfile starts the CPU profile inside the trace but stops it only after
// trace.Stop: before Go 1.26, StopCPUProfile waits ~200 ms for the profile
// writer, which would only make the trace longer.
func cpuProfile(out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := trace.Start(f); err != nil {
		f.Close()
		return err
	}
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		trace.Stop()
		f.Close()
		return err
	}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); hashLoop(100 * time.Millisecond) }()
	go func() { defer wg.Done(); mapLoop(100 * time.Millisecond) }()
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			hashLoop(2 * time.Millisecond)
			time.Sleep(3 * time.Millisecond)
		}
	}()
	wg.Wait()
	trace.Stop()
	pprof.StopCPUProfile()
	return f.Close()
}

func annotations() {
	ctx, outer := trace.NewTask(context.Background(), "outer")
	trace.Log(ctx, "phase", "start")

	// Child tasks in their own goroutines with nested regions and logs.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cctx, task := trace.NewTask(ctx, fmt.Sprintf("child-%d", i))
			defer task.End()
			trace.WithRegion(cctx, "compute", func() {
				for j := 0; j < 3; j++ {
					r := trace.StartRegion(cctx, "step")
					inner := trace.StartRegion(cctx, "inner")
					spin(20000)
					trace.Logf(cctx, "progress", "child %d step %d", i, j)
					inner.End()
					r.End()
				}
			})
			gctx, grand := trace.NewTask(cctx, "grandchild")
			trace.WithRegion(gctx, "leaf", func() { time.Sleep(200 * time.Microsecond) })
			grand.End()
		}(i)
	}
	wg.Wait()

	// Regions outside any task.
	trace.WithRegion(context.Background(), "untasked", func() { spin(10000) })
	trace.Log(context.Background(), "untasked-log", "no task")

	// A task and a region that span several 10 ms generations; the task ends
	// on another goroutine than the one that began it.
	lctx, long := trace.NewTask(ctx, "long")
	r := trace.StartRegion(lctx, "spanning")
	for i := 0; i < 7; i++ {
		time.Sleep(5 * time.Millisecond)
		trace.Logf(lctx, "tick", "%d", i)
	}
	r.End()
	ended := make(chan struct{})
	go func() { long.End(); close(ended) }()
	<-ended

	// Strings that exercise the quoting of -d output.
	trace.Log(ctx, "quote\"and\\backslash", "tab\tnewline\nnul\x00bell\a del\x7f")
	trace.Log(ctx, "utf8", "héllo, 世界 ✓")
	trace.Log(ctx, "bad-utf8", "\xff\xfe\x80 x \xe4\xb8")
	trace.Log(ctx, "nonprint", "zero\u200bwidth soft\u00adhyphen \U0001F600 sep\u2028 bom\ufeff")
	trace.Log(ctx, "", "empty category")
	trace.Log(ctx, "empty-message", "")
	trace.Log(ctx, "long", strings.Repeat("0123456789abcdef", 100)) // 1600 bytes: cut to 1024
	_, unnamed := trace.NewTask(ctx, "")
	unnamed.End()

	// Left open when the trace stops: a task and a region on a goroutine
	// that is still blocked.
	uctx, _ := trace.NewTask(ctx, "unfinished")
	block := make(chan struct{})
	started := make(chan struct{})
	go func() {
		trace.StartRegion(uctx, "open-region")
		close(started)
		<-block
	}()
	<-started
	trace.Log(ctx, "phase", "end")
	outer.End()
}

func generations() {
	var wg sync.WaitGroup
	done := make(chan struct{})

	// A goroutine blocked across many generations, then woken.
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-done
	}()
	// Goroutines in blocking syscalls across generation boundaries.
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 8; i++ {
				ts := syscall.NsecToTimespec(int64(3 * time.Millisecond))
				syscall.Nanosleep(&ts, nil)
			}
		}()
	}
	// A CPU-bound goroutine running through boundaries.
	wg.Add(1)
	go func() {
		defer wg.Done()
		end := time.Now().Add(60 * time.Millisecond)
		for time.Now().Before(end) {
			spin(50000)
		}
	}()
	// Ping-pong, churn and sleeps while generations advance.
	ctx, task := trace.NewTask(context.Background(), "generations")
	region := trace.StartRegion(ctx, "whole")
	for round := 0; round < 20; round++ {
		syncPingPong(100)
		churnWave(100)
		trace.Logf(ctx, "round", "%d", round)
		if round == 8 {
			// Garbage for a concurrent GC cycle that runs across
			// generation boundaries (not runtime.GC, which would yield
			// once per span while sweeping).
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 15; i++ {
					keepTree = buildTree(12)
				}
				keepTree = nil
			}()
		}
		time.Sleep(3 * time.Millisecond)
	}
	region.End()
	task.End()
	close(done)
	wg.Wait()
}
