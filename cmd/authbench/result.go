package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Run is everything one `authbench run` measured; it is the JSON the report
// reads.
type Run struct {
	Label     string     `json:"label"`
	Time      time.Time  `json:"time"`
	Database  string     `json:"database"` // sqlite or postgres
	Alg       string     `json:"alg"`
	CPUs      int        `json:"cpus"`
	GoVersion string     `json:"go_version"`
	Commit    string     `json:"commit,omitempty"`
	LoadAvg   [2]string  `json:"loadavg"` // /proc/loadavg before and after
	Attached  bool       `json:"attached"`
	StartupMS float64    `json:"startup_ms"`   // exec to first answered request
	IdleRSS   float64    `json:"idle_rss_mib"` // right after start-up
	SetupMS   float64    `json:"setup_ms"`     // registering and logging in the users
	Users     int        `json:"users"`        // accounts set up, one session each
	Scenarios []Scenario `json:"scenarios"`
}

// Scenario is one scenario's measurement.
type Scenario struct {
	Name     string  `json:"name"`
	Conns    int     `json:"conns"`
	Rate     int     `json:"rate"` // requests/s asked for; 0: as fast as conns allow
	Seconds  float64 `json:"seconds"`
	Requests uint64  `json:"requests"`
	// CPUPerRequestUS is the server's CPU time (user+system, all threads)
	// over the scenario divided by the requests it answered.
	CPUPerRequestUS float64 `json:"cpu_per_request_us"`
	CPUSeconds      float64 `json:"cpu_seconds"`
	PeakRSS         float64 `json:"peak_rss_mib"` // VmHWM over the scenario
	EndRSS          float64 `json:"end_rss_mib"`
	// RSSSamples is VmRSS once a second (long runs show whether it is flat).
	RSSSamples []float64 `json:"rss_samples_mib,omitempty"`
	Ops        []Op      `json:"ops"`
	// Windows is the measured attack cut into --window long pieces.
	Windows []Window `json:"windows,omitempty"`
	// HashP50MS (login, register-1) is the median time of one argon2id
	// verify (login) or hash (register-1) computed by authbench itself just
	// before and just after the attack: the floor timed in the same minute.
	HashP50MS float64 `json:"hash_p50_ms,omitempty"`
	// HashWorkers (flood) is how many hashes authbench ran at a time beside
	// the me-beside-hash attack.
	HashWorkers int `json:"hash_workers,omitempty"`
}

// Window is every operation of a scenario within one window of time.
type Window struct {
	Start    time.Time      `json:"start"` // UTC; requests are counted by when they were sent
	Requests uint64         `json:"requests"`
	Status   map[string]int `json:"status"` // "0" is a transport error
	// Errors counts every answer that is not 2xx, shed logins included.
	Errors     int      `json:"errors"`
	P50MS      float64  `json:"p50_ms"`
	P99MS      float64  `json:"p99_ms"`
	MaxMS      float64  `json:"max_ms"`
	ErrorTexts []string `json:"error_texts,omitempty"`
}

// Op is one operation's share of a scenario.
type Op struct {
	Name     string         `json:"name"`
	Requests uint64         `json:"requests"`
	RPS      float64        `json:"rps"`
	P50MS    float64        `json:"p50_ms"`
	P90MS    float64        `json:"p90_ms"`
	P99MS    float64        `json:"p99_ms"`
	MaxMS    float64        `json:"max_ms"`
	Status   map[string]int `json:"status"` // "0" is a transport error
	// Errors counts answers that are not 2xx, except Shed.
	Errors int `json:"errors"`
	// Shed counts 503 and 429 answers to logins and registrations: a full hash
	// pool refusing work, which the load tests expect under a flood.
	Shed       int      `json:"shed"`
	ErrorTexts []string `json:"error_texts,omitempty"`
}

// newOp summarises vegeta's metrics of one operation.
func newOp(name string, m *vegeta.Metrics) Op {
	m.Close()
	op := Op{
		Name: name, Requests: m.Requests, Status: m.StatusCodes,
		P50MS: ms(m.Latencies.P50), P90MS: ms(m.Latencies.P90), P99MS: ms(m.Latencies.P99), MaxMS: ms(m.Latencies.Max),
	}
	if d := (m.Duration + m.Wait).Seconds(); d > 0 {
		op.RPS = float64(m.Requests) / d
	}
	for code, n := range m.StatusCodes {
		switch {
		case strings.HasPrefix(code, "2"):
		case (code == "503" || code == "429") && (name == "login" || name == "register"):
			op.Shed += n
		default:
			op.Errors += n
		}
	}
	if op.Errors > 0 {
		op.ErrorTexts = m.Errors
		if len(op.ErrorTexts) > 5 {
			op.ErrorTexts = op.ErrorTexts[:5]
		}
	}
	return op
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// printTable writes the run as an aligned text table.
func printTable(w io.Writer, r Run) error {
	fmt.Fprintf(w, "%s: %s, %s, %d CPUs; start-up %.0f ms, idle RSS %.1f MiB; %d users set up in %.1f s\n",
		r.Label, r.Database, r.Alg, r.CPUs, r.StartupMS, r.IdleRSS, r.Users, r.SetupMS/1000)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\top\tconns\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\terrors\tshed\tCPU µs/req\tpeak RSS MiB\t")
	for _, s := range r.Scenarios {
		for i, op := range s.Ops {
			cpu, rss := "", ""
			if i == 0 {
				cpu, rss = fmt.Sprintf("%.0f", s.CPUPerRequestUS), fmt.Sprintf("%.1f", s.PeakRSS)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\t%d\t%s\t%s\t\n",
				s.Name, op.Name, s.Conns, op.RPS, op.P50MS, op.P90MS, op.P99MS, op.MaxMS,
				errorsByStatus(op), op.Shed, cpu, rss)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return printWindows(w, r)
}

// printWindows writes the windows of the scenarios that have them.
func printWindows(w io.Writer, r Run) error {
	for _, s := range r.Scenarios {
		if len(s.Windows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s per window:\n", s.Name)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "start (UTC)\trequests\terrors\tp50 ms\tp99 ms\tmax ms\t")
		for _, win := range s.Windows {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%.2f\t%.2f\t%.1f\t\n", win.Start.Format("15:04:05"), win.Requests,
				errorsByStatus(Op{Errors: win.Errors, Status: win.Status}), win.P50MS, win.P99MS, win.MaxMS)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// errorsByStatus is "0" or the count with its statuses, e.g. "3 (401:2 0:1)".
func errorsByStatus(op Op) string {
	if op.Errors == 0 {
		return "0"
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(op.Status)) {
		if !strings.HasPrefix(code, "2") {
			parts = append(parts, fmt.Sprintf("%s:%d", code, op.Status[code]))
		}
	}
	return fmt.Sprintf("%d (%s)", op.Errors, strings.Join(parts, " "))
}
