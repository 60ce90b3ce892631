// Command tracegens reports the generation structure of a Go execution trace
// (Go 1.22+ wire format) by walking batch headers only, without decoding
// events. The benchmark uses it for the peak-memory bound, which is a function
// of the largest generation.
//
// Wire layout walked here: a 16-byte header "go 1.NN trace\0\0\0", then batches
//
//	0x01 gen:uvarint m:uvarint ts:uvarint size:uvarint payload[size]
//	0x31 exp:byte gen:uvarint m:uvarint ts:uvarint size:uvarint payload[size]
//
// and, from format 26 on, a bare 0x34 byte closing each generation.
//
// A generation's size is every byte that belongs to it: batch headers,
// payloads and the closing 0x34 byte.
//
// With -events it also decodes the trace with golang.org/x/exp/trace and
// prints event counts by kind and the number of distinct goroutines (slow: a
// full parse).
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"golang.org/x/exp/trace"
)

const (
	evEventBatch        = 0x01
	evExperimentalBatch = 0x31
	evEndOfGeneration   = 0x34
	headerLen           = 16
)

type genInfo struct {
	gen      uint64
	bytes    int64
	batches  int64
	expBytes int64 // bytes in experimental batches
}

func main() {
	events := flag.Bool("events", false, "also decode with x/exp/trace: events by kind, distinct goroutines")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: tracegens [-events] TRACE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	path := flag.Arg(0)
	if err := scan(path); err != nil {
		fmt.Fprintln(os.Stderr, "tracegens:", err)
		os.Exit(1)
	}
	if *events {
		if err := countEvents(path); err != nil {
			fmt.Fprintln(os.Stderr, "tracegens:", err)
			os.Exit(1)
		}
	}
}

// countingReader tracks the file offset for error messages.
type countingReader struct {
	r   *bufio.Reader
	off int64
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.off++
	}
	return b, err
}

func (c *countingReader) uvarint(what string) (uint64, error) {
	v, err := binary.ReadUvarint(c)
	if err != nil {
		return 0, fmt.Errorf("offset %d: reading batch %s: %w", c.off, what, noEOF(err))
	}
	return v, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func scan(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	cr := &countingReader{r: bufio.NewReaderSize(f, 1<<20)}

	hdr := make([]byte, headerLen)
	if _, err := io.ReadFull(cr.r, hdr); err != nil {
		return fmt.Errorf("reading header: %w", err)
	}
	cr.off = headerLen
	var minor int
	if _, err := fmt.Sscanf(string(hdr), "go 1.%d trace", &minor); err != nil {
		return fmt.Errorf("not a Go execution trace (header %q)", hdr)
	}
	if minor < 22 {
		return fmt.Errorf("go 1.%d trace: only the Go 1.22+ format is handled", minor)
	}

	var gens []*genInfo
	byNum := map[uint64]*genInfo{}
	var cur *genInfo // open generation (format 26: until its 0x34 byte)
	var maxBatch int64
	var closed int
	for {
		start := cr.off
		typ, err := cr.ReadByte()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if typ == evEndOfGeneration && minor >= 26 {
			if cur == nil {
				return fmt.Errorf("offset %d: end-of-generation with no open generation", start)
			}
			cur.bytes++
			cur = nil
			closed++
			continue
		}
		exp := false
		switch typ {
		case evEventBatch:
		case evExperimentalBatch:
			exp = true
			if _, err := cr.ReadByte(); err != nil {
				return fmt.Errorf("offset %d: reading experiment id: %w", cr.off, noEOF(err))
			}
		default:
			return fmt.Errorf("offset %d: expected a batch, found byte 0x%02x", start, typ)
		}
		gen, err := cr.uvarint("generation")
		if err != nil {
			return err
		}
		if _, err := cr.uvarint("M"); err != nil {
			return err
		}
		if _, err := cr.uvarint("timestamp"); err != nil {
			return err
		}
		size, err := cr.uvarint("size")
		if err != nil {
			return err
		}
		if n, err := cr.r.Discard(int(size)); err != nil {
			return fmt.Errorf("offset %d: batch of %d bytes cut short after %d: %w", cr.off, size, n, noEOF(err))
		}
		cr.off += int64(size)
		g := byNum[gen]
		if g == nil {
			g = &genInfo{gen: gen}
			byNum[gen] = g
			gens = append(gens, g)
		}
		if minor >= 26 {
			if cur != nil && cur != g {
				return fmt.Errorf("offset %d: generation %d starts before generation %d ended", start, gen, cur.gen)
			}
			cur = g
		}
		n := cr.off - start
		g.bytes += n
		g.batches++
		if exp {
			g.expBytes += n
		}
		maxBatch = max(maxBatch, int64(size))
	}
	if cr.off != st.Size() {
		return fmt.Errorf("walked %d bytes but the file has %d", cr.off, st.Size())
	}
	if len(gens) == 0 {
		return errors.New("no batches")
	}

	largest := gens[0]
	var total, batches int64
	sizes := make([]int64, 0, len(gens))
	for _, g := range gens {
		if g.bytes > largest.bytes {
			largest = g
		}
		total += g.bytes
		batches += g.batches
		sizes = append(sizes, g.bytes)
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	fmt.Printf("file_bytes=%d format=go1.%d generations=%d batches=%d\n", st.Size(), minor, len(gens), batches)
	fmt.Printf("largest_generation_bytes=%d largest_generation=%d median_generation_bytes=%d smallest_generation_bytes=%d\n",
		largest.bytes, largest.gen, sizes[len(sizes)/2], sizes[0])
	fmt.Printf("largest_batch_payload=%d experimental_bytes_in_largest=%d\n", maxBatch, largest.expBytes)
	if minor >= 26 {
		unterminated := ""
		if cur != nil {
			unterminated = fmt.Sprintf(" (generation %d not terminated: truncated trace?)", cur.gen)
		}
		fmt.Printf("terminated_generations=%d%s\n", closed, unterminated)
	}
	return nil
}

func countEvents(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := trace.NewReader(f)
	if err != nil {
		return err
	}
	byKind := map[trace.EventKind]int64{}
	goroutines := map[trace.GoID]struct{}{}
	var n, created int64
	for {
		ev, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("after %d events: %w", n, err)
		}
		n++
		byKind[ev.Kind()]++
		if ev.Kind() == trace.EventStateTransition {
			st := ev.StateTransition()
			if st.Resource.Kind == trace.ResourceGoroutine {
				id := st.Resource.Goroutine()
				goroutines[id] = struct{}{}
				if from, _ := st.Goroutine(); from == trace.GoNotExist {
					created++
				}
			}
		}
	}
	kinds := make([]trace.EventKind, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return byKind[kinds[i]] > byKind[kinds[j]] })
	fmt.Printf("events=%d distinct_goroutines=%d goroutines_created=%d\n", n, len(goroutines), created)
	for _, k := range kinds {
		fmt.Printf("  %-16s %d\n", k, byKind[k])
	}
	return nil
}
