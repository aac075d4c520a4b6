// Command authbench measures authapi under load: requests per second,
// latency percentiles, errors by status, and the server's CPU time per request
// and memory, read from /proc of the server it starts or is given.
//
//	authbench [run] [flags]                       start authapi and run the scenarios
//	authbench report [--bench FILE] [--out FILE] RESULT.json...
//	                                              the markdown tables of docs/PERFORMANCE.md
//
// The load itself comes from github.com/tsenart/vegeta/v12.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/authapi/authapi/internal/password"
)

func main() {
	// authbench computes the hashes it compares authapi with in a hash
	// worker, a copy of itself (hashfloor.go).
	password.RunWorkerIfChild()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "authbench:", err)
		}
		os.Exit(1)
	}
}

// run is the whole program, so tests can drive it like a user does.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runBench(ctx, args, stdout, stderr)
	case "report":
		return runReport(args, stdout, stderr)
	case "help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	}
	return fmt.Errorf("unknown command %q: run 'authbench help' for the list", cmd)
}

const usage = `authbench: load and measure authapi

Usage:
  authbench [run] [flags]            start authapi (or attach with --url/--pid), set up users,
                                     run the scenarios, print a table and write --json
  authbench report [--bench FILE] [--out FILE] RESULT.json...
                                     markdown tables from run results and 'go test -bench'
                                     output; --out rewrites the marked block of that file

Run 'authbench run -h' for the flags. See docs/PERFORMANCE.md.
`
