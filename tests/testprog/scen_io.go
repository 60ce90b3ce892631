package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"
)

func init() {
	register(scenario{name: "syscall", doc: "blocking syscalls (raw pipe read/write, file I/O, nanosleep) and os.Pipe I/O through the netpoller",
		run: traced(syscalls)})
	register(scenario{name: "net", doc: "loopback TCP echo and HTTP/1.1 keep-alive requests on 127.0.0.1:0",
		run: traced(network)})
}

func syscalls() {
	var wg sync.WaitGroup

	// A raw pipe: blocking file descriptors, so a reader sits in read(2)
	// until the writer sends, and its P is handed off or stolen meanwhile.
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 512)
		total := 0
		for total < 64*512 {
			n, err := syscall.Read(fds[0], buf)
			if err != nil || n == 0 {
				break
			}
			total += n
		}
		syscall.Close(fds[0])
	}()
	for i := 0; i < 64; i++ {
		msg := make([]byte, 512)
		syscall.Write(fds[1], msg)
		if i%8 == 0 {
			time.Sleep(200 * time.Microsecond)
		}
	}
	syscall.Close(fds[1])
	wg.Wait()

	// os.Pipe: non-blocking descriptors parked in the netpoller (IO wait).
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(io.Discard, r)
		r.Close()
	}()
	for i := 0; i < 100; i++ {
		fmt.Fprintf(w, "line %d of the pipe payload\n", i)
		if i%10 == 0 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	w.Close()
	wg.Wait()

	// Regular file I/O: write, fsync, read back.
	f, err := os.CreateTemp("", "testprog-*.dat")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())
	chunk := make([]byte, 64<<10)
	for i := 0; i < 16; i++ {
		f.Write(chunk)
	}
	f.Sync()
	f.Seek(0, io.SeekStart)
	io.Copy(io.Discard, bufio.NewReader(f))
	f.Close()

	// Long blocking syscalls in parallel, longer than sysmon's retake delay.
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				ts := syscall.NsecToTimespec(int64(500 * time.Microsecond))
				syscall.Nanosleep(&ts, nil)
				spin(2000)
			}
		}()
	}
	// Cheap syscalls that return before anyone notices.
	for i := 0; i < 200; i++ {
		syscall.Getpid()
	}
	wg.Wait()
}

func network() {
	var wg sync.WaitGroup

	// TCP echo server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				io.Copy(c, c)
			}(c)
		}
	}()
	for cl := 0; cl < 4; cl++ {
		wg.Add(1)
		go func(cl int) {
			defer wg.Done()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				panic(err)
			}
			defer c.Close()
			rd := bufio.NewReader(c)
			for i := 0; i < 50; i++ {
				fmt.Fprintf(c, "client %d message %d\n", cl, i)
				if _, err := rd.ReadString('\n'); err != nil {
					panic(err)
				}
			}
		}(cl)
	}
	wg.Wait()
	ln.Close()

	// HTTP server and keep-alive client.
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello, trace\n")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		w.Write(make([]byte, 32<<10))
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(hl)
	client := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}}
	base := "http://" + hl.Addr().String()
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				path := "/hello"
				if (i+g)%4 == 0 {
					path = "/slow"
				}
				resp, err := client.Get(base + path)
				if err != nil {
					panic(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}(g)
	}
	wg.Wait()
	client.CloseIdleConnections()
	srv.Close()
}
