package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// The block of a markdown file that `authbench report --out` rewrites.
const (
	beginMarker = "<!-- authbench report: begin (generated, do not edit) -->"
	endMarker   = "<!-- authbench report: end -->"
)

func runReport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	benchPath := fs.String("bench", "", "output of 'go test -run ^$ -bench .' for the floors")
	outPath := fs.String("out", "", "markdown file whose marked block is rewritten (default: print)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("report: give the JSON files of one or more runs")
	}
	var runs []Run
	for _, p := range fs.Args() {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var r Run
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		runs = append(runs, r)
	}
	floors := benchResults{}
	if *benchPath != "" {
		f, err := os.Open(*benchPath)
		if err != nil {
			return err
		}
		floors, err = parseBench(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	var md bytes.Buffer
	writeReport(&md, runs, floors)
	if *outPath == "" {
		_, err := stdout.Write(md.Bytes())
		return err
	}
	return replaceBlock(*outPath, md.String())
}

// replaceBlock puts text between the markers of the file at path.
func replaceBlock(path, text string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %q ... %q block", path, beginMarker, endMarker)
	}
	s = s[:i+len(beginMarker)] + "\n" + text + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}

// writeReport writes the markdown tables of the runs.
func writeReport(w io.Writer, runs []Run, floors benchResults) {
	fmt.Fprintln(w, "\n#### Runs")
	fmt.Fprintln(w, "\n| run | database | alg | time (UTC) | commit | CPUs | load avg before → after | start-up ms | idle RSS MiB |")
	fmt.Fprintln(w, "|---|---|---|---|---|--:|---|--:|--:|")
	for _, r := range runs {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d | %s → %s | %.0f | %.1f |\n", r.Label, r.Database, r.Alg,
			r.Time.Format("2006-01-02 15:04"), r.Commit, r.CPUs, r.LoadAvg[0], r.LoadAvg[1], r.StartupMS, r.IdleRSS)
	}

	fmt.Fprintln(w, "\n#### Scenarios")
	fmt.Fprintln(w, "\n| run | scenario | op | conns | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | shed | CPU µs/req | peak RSS MiB |")
	fmt.Fprintln(w, "|---|---|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|")
	for _, r := range runs {
		for _, s := range r.Scenarios {
			for i, op := range s.Ops {
				cpu, rss := "", ""
				if i == 0 {
					cpu, rss = fmt.Sprintf("%.0f", s.CPUPerRequestUS), fmt.Sprintf("%.1f", s.PeakRSS)
				}
				fmt.Fprintf(w, "| %s | %s | %s | %d | %.0f | %.2f | %.2f | %.2f | %.1f | %s | %d | %s | %s |\n",
					r.Label, s.Name, op.Name, s.Conns, op.RPS, op.P50MS, op.P90MS, op.P99MS, op.MaxMS,
					errorsByStatus(op), op.Shed, cpu, rss)
			}
		}
	}

	fmt.Fprintln(w, "\n#### Targets")
	fmt.Fprintln(w, "\nFloors are `go test -bench` ns/op from the same machine and day (table below).")
	fmt.Fprintln(w, "\n| run | target | measured | floor | ratio | met |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|---|")
	for _, r := range runs {
		for _, c := range checks(r, floors) {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.Label, c.target, c.measured, c.floor, c.ratio, c.met)
		}
	}

	if len(floors) > 0 {
		fmt.Fprintln(w, "\n#### Go benchmarks (floors)")
		fmt.Fprintln(w, "\n| benchmark | µs/op |")
		fmt.Fprintln(w, "|---|--:|")
		for _, name := range sortedKeys(floors) {
			fmt.Fprintf(w, "| %s | %.1f |\n", name, floors[name]/1000)
		}
	}
	fmt.Fprintln(w)
}
