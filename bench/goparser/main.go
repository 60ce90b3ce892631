// Command goparser is the reference side of the Trace Atlas benchmark: it reads
// a Go execution trace with golang.org/x/exp/trace, pulling every event with
// ReadEvent until io.EOF, and prints how many events there were and how long
// that took.
//
// Output (one line): events=<n> seconds=<s>
//
// The reader itself is single-threaded; the benchmark runs it with
// GOMAXPROCS=1 so the garbage collector does not use a second core either.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/exp/trace"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goparser TRACE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "goparser:", err)
		os.Exit(1)
	}
	defer f.Close()

	start := time.Now()
	r, err := trace.NewReader(f) // NewReader buffers f itself
	if err != nil {
		fmt.Fprintln(os.Stderr, "goparser:", err)
		os.Exit(1)
	}
	var n int64
	for {
		_, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "goparser: after %d events: %v\n", n, err)
			os.Exit(1)
		}
		n++
	}
	fmt.Printf("events=%d seconds=%.3f\n", n, time.Since(start).Seconds())
}
