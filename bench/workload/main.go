// Command workload writes a real Go execution trace of (at least) a requested
// size, for benchmarking trace decoders.
//
// It runs a synthetic but realistic workload while runtime/trace is on and stops
// tracing as soon as the trace output reaches -size bytes (the runtime then
// flushes what it still holds, so the file ends up slightly larger).
//
// Modes:
//
//	mixed (default)  loopback HTTP server + concurrent keep-alive clients
//	                 (with user tasks, regions and logs) + channel ping-pong pairs
//	http             only the HTTP part
//	pingpong         only the ping-pong part
//	spawn            worker pools that start one goroutine per small task,
//	                 aiming at about one goroutine per -bytes-per-goroutine bytes
//	                 of trace (default 100)
//
// All network traffic stays on 127.0.0.1; every loop stops when tracing stops
// or when -timeout expires, whichever comes first.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	var (
		sizeStr = flag.String("size", "256MiB", "stop tracing once the trace reaches this size (e.g. 32MiB, 256MiB, 1GiB, 4GiB)")
		out     = flag.String("o", "", "output trace file (required)")
		mode    = flag.String("mode", "mixed", "workload: mixed, http, pingpong or spawn")
		clients = flag.Int("clients", 8, "concurrent HTTP clients")
		pairs   = flag.Int("pairs", 4, "ping-pong goroutine pairs")
		ppWork  = flag.Int("pingpong-work", 64, "bytes hashed per ping-pong hop")
		ppRate  = flag.Int("pingpong-rate", 60000, "hops per second per pair (0 = unpaced; unpaced pairs starve the HTTP part)")
		pools   = flag.Int("pools", 4, "spawn mode: worker pools")
		batch   = flag.Int("batch", 64, "spawn mode: goroutines started per pool round")
		bpg     = flag.Int("bytes-per-goroutine", 100, "spawn mode: target trace bytes per spawned goroutine (0 = no pacing, no yields)")
		timeout = flag.Duration("timeout", 30*time.Minute, "hard limit on the run")
		seed    = flag.Uint64("seed", 1, "random seed for the clients")
		quiet   = flag.Bool("q", false, "no progress output")
		cpuProf = flag.Bool("cpuprofile", false, "run the CPU profiler during the trace (CPU samples in the trace)")
	)
	flag.Parse()
	if *out == "" {
		fail("missing -o FILE")
	}
	limit, err := parseSize(*sizeStr)
	if err != nil {
		fail(err.Error())
	}
	switch *mode {
	case "mixed", "http", "pingpong", "spawn":
	default:
		fail("unknown -mode " + *mode)
	}

	// Write to a temporary file and rename at the end, so an interrupted run
	// never leaves a truncated trace under the final name.
	tmp := *out + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		fail(err.Error())
	}
	bw := bufio.NewWriterSize(f, 4<<20)
	cw := &cappedWriter{w: bw, limit: limit, full: make(chan struct{})}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	var wg sync.WaitGroup
	var stats workStats
	start := time.Now()
	if *cpuProf {
		if err := pprof.StartCPUProfile(io.Discard); err != nil {
			fail(err.Error())
		}
		defer pprof.StopCPUProfile()
	}
	if err := trace.Start(cw); err != nil {
		fail(err.Error())
	}

	var srv *http.Server
	if *mode == "mixed" || *mode == "http" {
		srv = startHTTP(ctx, &wg, *clients, *seed, &stats)
	}
	if *mode == "mixed" || *mode == "pingpong" {
		for i := 0; i < *pairs; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); pingPong(ctx, *ppWork, *ppRate, &stats) }()
		}
	}
	if *mode == "spawn" {
		pacer := &spawnPacer{cw: cw, target: int64(*bpg)}
		pacer.yields.Store(int64(max(*bpg-30, 0) / 12))
		for i := 0; i < *pools; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); spawnPool(ctx, *batch, pacer, &stats) }()
		}
	}

	// Progress and stop condition.
	tick := time.NewTicker(time.Second)
	timedOut := false
loop:
	for {
		select {
		case <-cw.full:
			break loop
		case <-ctx.Done():
			timedOut = true
			break loop
		case <-tick.C:
			if !*quiet {
				n := cw.n.Load()
				fmt.Fprintf(os.Stderr, "\rtrace: %6.1f / %.1f MiB  (%.1f MiB/s)   ",
					float64(n)/(1<<20), float64(limit)/(1<<20), float64(n)/(1<<20)/time.Since(start).Seconds())
			}
		}
	}
	tick.Stop()
	trace.Stop() // flushes the remaining buffers through cw
	traceSecs := time.Since(start).Seconds()
	cancel()
	wg.Wait() // clients, ping-pong pairs and pools all watch ctx
	if srv != nil {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = srv.Shutdown(sctx)
		scancel()
	}

	if err := bw.Flush(); err != nil {
		fail(err.Error())
	}
	if err := f.Close(); err != nil {
		fail(err.Error())
	}
	if cw.err != nil {
		fail(cw.err.Error())
	}
	if timedOut {
		os.Remove(tmp)
		fail(fmt.Sprintf("timed out after %v with %d bytes of trace", *timeout, cw.n.Load()))
	}
	if err := os.Rename(tmp, *out); err != nil {
		fail(err.Error())
	}
	if !*quiet {
		fmt.Fprintln(os.Stderr)
	}
	abs, _ := filepath.Abs(*out)
	fmt.Printf("file=%s bytes=%d seconds=%.2f mode=%s requests=%d hops=%d spawned=%d gomaxprocs=%d\n",
		abs, cw.n.Load(), traceSecs, *mode, stats.requests.Load(), stats.hops.Load(),
		stats.spawned.Load(), runtime.GOMAXPROCS(0))
}

type workStats struct {
	requests atomic.Int64
	hops     atomic.Int64
	spawned  atomic.Int64
}

// cappedWriter counts the bytes the runtime's trace reader hands to it and
// signals once limit is reached. It never calls trace.Stop itself: Stop waits
// for the goroutine that is calling Write.
type cappedWriter struct {
	w     io.Writer
	n     atomic.Int64
	limit int64
	once  sync.Once
	full  chan struct{}
	err   error
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	if c.n.Add(int64(n)) >= c.limit {
		c.once.Do(func() { close(c.full) })
	}
	return n, err
}

// ---------------------------------------------------------------- HTTP

type item struct {
	ID    int       `json:"id"`
	Name  string    `json:"name"`
	Score float64   `json:"score"`
	Tags  []string  `json:"tags"`
	When  time.Time `json:"when"`
}

func startHTTP(ctx context.Context, wg *sync.WaitGroup, clients int, seed uint64, stats *workStats) *http.Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err.Error())
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		n = min(max(n, 1), 200)
		var items []item
		trace.WithRegion(r.Context(), "build-items", func() {
			items = make([]item, n)
			for i := range items {
				items[i] = item{ID: i, Name: "item-" + strconv.Itoa(i), Score: float64(i) * 1.5,
					Tags: []string{"a", "b", strconv.Itoa(i % 7)}, When: time.Unix(int64(i), 0).UTC()}
			}
		})
		w.Header().Set("Content-Type", "application/json")
		defer trace.StartRegion(r.Context(), "encode").End()
		_ = json.NewEncoder(w).Encode(items)
	})
	mux.HandleFunc("POST /hash", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		trace.Logf(r.Context(), "hash", "bytes=%d", n)
		io.WriteString(w, hex.EncodeToString(h.Sum(nil)))
	})
	mux.HandleFunc("GET /wait", func(w http.ResponseWriter, r *http.Request) {
		d, _ := strconv.Atoi(r.URL.Query().Get("us"))
		d = min(max(d, 1), 5000)
		defer trace.StartRegion(r.Context(), "wait").End()
		select {
		case <-time.After(time.Duration(d) * time.Microsecond):
		case <-r.Context().Done():
		}
		io.WriteString(w, "ok\n")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "serve:", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var cwg sync.WaitGroup
	for i := 0; i < clients; i++ {
		cwg.Add(1)
		go func(i int) {
			defer cwg.Done()
			httpClient(ctx, client, base, rand.New(rand.NewPCG(seed, uint64(i))), stats)
		}(i)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		cwg.Wait()
		tr.CloseIdleConnections() // lets srv.Shutdown finish at once
	}()
	return srv
}

func httpClient(ctx context.Context, c *http.Client, base string, rng *rand.Rand, stats *workStats) {
	body := make([]byte, 16<<10)
	for i := range body {
		body[i] = byte(rng.IntN(256))
	}
	for ctx.Err() == nil {
		tctx, task := trace.NewTask(ctx, "request")
		var req *http.Request
		switch k := rng.IntN(10); {
		case k < 5:
			req, _ = http.NewRequestWithContext(tctx, "GET", fmt.Sprintf("%s/items?n=%d", base, 1+rng.IntN(40)), nil)
		case k < 8:
			n := 256 + rng.IntN(len(body)-256)
			req, _ = http.NewRequestWithContext(tctx, "POST", base+"/hash", strings.NewReader(string(body[:n])))
		default:
			req, _ = http.NewRequestWithContext(tctx, "GET", fmt.Sprintf("%s/wait?us=%d", base, 50+rng.IntN(500)), nil)
		}
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			stats.requests.Add(1)
		}
		task.End()
	}
}

// ---------------------------------------------------------------- ping-pong

func pingPong(ctx context.Context, work, rate int, stats *workStats) {
	ping, pong := make(chan int), make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, max(work, 2))
		for v := range ping {
			buf[0] = byte(v)
			s := sha256.Sum256(buf[:work])
			pong <- v + int(s[0]&1)
		}
		close(pong)
	}()
	buf := make([]byte, max(work, 2))
	v := 0
	const burst = 64 // round trips between pacing sleeps
	start := time.Now()
	var trips int64
	for ctx.Err() == nil {
		for i := 0; i < burst; i++ {
			buf[1] = byte(v)
			s := sha256.Sum256(buf[:work])
			ping <- v + int(s[1]&1)
			v = <-pong
		}
		trips += burst
		stats.hops.Add(2 * burst)
		if rate > 0 {
			// Sleep until the schedule says the next burst is due.
			due := start.Add(time.Duration(float64(2*trips) / float64(rate) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
	}
	close(ping)
	<-done
}

// ---------------------------------------------------------------- spawn

// spawnPacer keeps the whole trace near one spawned goroutine per target
// bytes. A bare create/run/exit costs only ~30 bytes of trace, so each task
// also yields (runtime.Gosched) a few times, ~12 bytes per yield; the pacer
// moves the yield count up or down by one as the running ratio drifts.
type spawnPacer struct {
	cw      *cappedWriter
	target  int64
	spawned atomic.Int64
	yields  atomic.Int64 // runtime.Gosched calls per task
}

func (p *spawnPacer) adjust() {
	s := p.spawned.Load()
	if p.target <= 0 || s < 20000 {
		return
	}
	per := p.cw.n.Load() / s
	y := p.yields.Load()
	switch {
	case per < p.target*95/100 && y < 64:
		p.yields.CompareAndSwap(y, y+1)
	case per > p.target*105/100 && y > 0:
		p.yields.CompareAndSwap(y, y-1)
	}
}

func spawnPool(ctx context.Context, batch int, p *spawnPacer, stats *workStats) {
	results := make(chan uint64, batch)
	var buf [64]byte
	for i := range buf {
		buf[i] = byte(i * 31)
	}
	var sum uint64
	for round := 0; ctx.Err() == nil; round++ {
		yields := int(p.yields.Load())
		for i := 0; i < batch; i++ {
			go func(i int) {
				b := buf
				b[0] = byte(i)
				x := uint64(i)
				for y := 0; y < yields; y++ {
					s := sha256.Sum256(b[:])
					x += uint64(s[0])
					runtime.Gosched()
				}
				results <- x
			}(i)
		}
		for i := 0; i < batch; i++ {
			sum += <-results
		}
		p.spawned.Add(int64(batch))
		stats.spawned.Add(int64(batch))
		if round%16 == 0 {
			p.adjust()
		}
	}
	_ = sum
}

// ---------------------------------------------------------------- helpers

func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suf) {
			t, mult = strings.TrimSuffix(t, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad -size %q (want e.g. 256MiB, 1GiB)", s)
	}
	return n * mult, nil
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "workload:", msg)
	os.Exit(1)
}
