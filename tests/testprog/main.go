// Command testprog runs one workload scenario and writes a Go execution
// trace of it to a file, for Trace Atlas's fixture corpus.
//
//	testprog -scenario NAME OUT.trace
//	testprog -list
//
// Each scenario keeps the traced part short (about 200 ms at most) so that
// fixtures stay small. Scenarios that depend on a newer runtime live in files
// with a go1.NN build constraint and are simply absent from older builds;
// -list prints what this binary offers.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime/trace"
	"sort"
	"strings"
)

type scenario struct {
	name string
	// godebug holds GODEBUG settings the scenario needs, such as
	// "traceadvanceperiod=1000000". They must be in place when the runtime
	// starts, so main re-executes the program with them when they are missing.
	godebug string
	doc     string
	// run writes the trace to out. Most scenarios use traced.
	run func(out string) error
}

var scenarios = map[string]scenario{}

func register(s scenario) {
	if _, dup := scenarios[s.name]; dup {
		panic("duplicate scenario " + s.name)
	}
	scenarios[s.name] = s
}

// traced returns a run function that traces body into out with trace.Start.
func traced(body func()) func(string) error {
	return func(out string) error {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return err
		}
		body()
		trace.Stop()
		return f.Close()
	}
}

func main() {
	list := flag.Bool("list", false, "print the scenarios this build offers (name, GODEBUG, description), one per line")
	name := flag.String("scenario", "", "scenario to run")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: testprog -scenario NAME OUT.trace | testprog -list\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if *list {
		names := make([]string, 0, len(scenarios))
		for n := range scenarios {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			s := scenarios[n]
			gd := s.godebug
			if gd == "" {
				gd = "-"
			}
			fmt.Printf("%s\t%s\t%s\n", s.name, gd, s.doc)
		}
		return
	}

	s, ok := scenarios[*name]
	if !ok || flag.NArg() != 1 {
		if *name != "" && !ok {
			fmt.Fprintf(os.Stderr, "testprog: unknown scenario %q (see -list)\n", *name)
		}
		flag.Usage()
		os.Exit(2)
	}
	if s.godebug != "" && os.Getenv("TESTPROG_CHILD") == "" {
		os.Exit(reexec(s.godebug))
	}
	if err := s.run(flag.Arg(0)); err != nil {
		fmt.Fprintf(os.Stderr, "testprog: %s: %v\n", s.name, err)
		os.Exit(1)
	}
}

// reexec runs this program again with extra GODEBUG settings appended (later
// settings win) and returns its exit status.
func reexec(extra string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testprog: %v\n", err)
		return 1
	}
	gd := extra
	if old := os.Getenv("GODEBUG"); old != "" {
		gd = strings.TrimSuffix(old, ",") + "," + extra
	}
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Env = append(os.Environ(), "GODEBUG="+gd, "TESTPROG_CHILD=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintf(os.Stderr, "testprog: %v\n", err)
		return 1
	}
	return 0
}
