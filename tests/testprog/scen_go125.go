//go:build go1.25

package main

import (
	"bytes"
	"os"
	"runtime/trace"
	"time"
)

func init() {
	register(scenario{name: "flightrecorder", godebug: "traceadvanceperiod=10000000",
		doc: "runtime/trace.FlightRecorder snapshot (WriteTo) of the last ~20 ms of ~100 ms: arbitrary first generation, no trace.Start",
		run: flightRecorder})
	register(scenario{name: "flightsub", godebug: "traceadvanceperiod=10000000",
		doc: "trace.Start while a FlightRecorder is already recording: the file joins the runtime's trace mid-stream",
		run: flightSubscribe})
}

func flightWork() {
	for round := 0; round < 8; round++ {
		syncPingPong(50)
		churnWave(50)
		time.Sleep(2 * time.Millisecond)
	}
}

func flightRecorder(out string) error {
	// About 100 ms of work in 10 ms generations, of which the recorder keeps
	// the last 20 ms or so: the snapshot starts at a later generation.
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 20 * time.Millisecond, MaxBytes: 1 << 20})
	if err := fr.Start(); err != nil {
		return err
	}
	for i := 0; i < 4; i++ {
		flightWork()
	}
	var buf bytes.Buffer
	if _, err := fr.WriteTo(&buf); err != nil {
		return err
	}
	fr.Stop()
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

func flightSubscribe(out string) error {
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 20 * time.Millisecond, MaxBytes: 1 << 20})
	if err := fr.Start(); err != nil {
		return err
	}
	defer fr.Stop()
	flightWork()
	return traced(flightWork)(out)
}
