package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// options are the flags of `authbench run`.
type options struct {
	server      serverConfig
	url         string
	pid         int
	label       string
	scenarios   []string
	duration    time.Duration
	warmup      time.Duration
	window      time.Duration
	conns       int
	hashConns   int
	rate        int
	users       int
	floodLogins int
	floodMeRate int
	hashWorkers int
	jsonPath    string
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.server.bin, "server", "", "authapi binary to start (default: go build "+serverModule+")")
	fs.StringVar(&o.server.databaseURL, "database-url", "", "DATABASE_URL of the started server (default: a fresh SQLite file)")
	fs.StringVar(&o.server.alg, "alg", "RS256", "JWT_ALGORITHM of the started server: RS256, ES256 or EdDSA")
	env := fs.String("env", "", "more settings for the started server, comma-separated KEY=VALUE")
	fs.StringVar(&o.url, "url", "", "measure the authapi at this URL instead of starting one")
	fs.IntVar(&o.pid, "pid", 0, "with --url: the server's process id, for CPU time and memory")
	fs.StringVar(&o.label, "label", "", "name of this run in tables (default: DATABASE-ALG)")
	list := fs.String("scenarios", "all", "comma-separated: health,me,me-half,me-cookie,refresh,login,register-1,register,mix,flood")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each measured attack")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured attack before each scenario but flood")
	fs.DurationVar(&o.window, "window", 0, "also report requests, errors and latency per window of this length (by send time) of each scenario but flood; 0: off")
	fs.IntVar(&o.conns, "conns", 32, "concurrent requests (connections) of health, me, refresh, mix and flood's me")
	fs.IntVar(&o.hashConns, "hash-conns", runtime.NumCPU(), "concurrent registrations in the register scenario")
	fs.IntVar(&o.rate, "rate", 0, "requests/s of each scenario but flood; 0: as fast as the connections go")
	fs.IntVar(&o.users, "users", 0, "accounts to set up, one session and refresh chain each (default: --conns)")
	fs.IntVar(&o.floodLogins, "flood-logins", 200, "logins in flight at once during the flood")
	fs.IntVar(&o.floodMeRate, "flood-me-rate", 1000, "requests/s of me during the flood, and alone before it")
	fs.IntVar(&o.hashWorkers, "hash-workers", 0, "hashes authbench runs at a time beside me in the flood (default: the started server's HASH_CONCURRENCY from --env, else its default, cores − 1, at least 1; at most one per core)")
	fs.StringVar(&o.jsonPath, "json", "", "write the results as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o.scenarios = strings.Split(*list, ",")
	if *env != "" {
		o.server.env = strings.Split(*env, ",")
	}
	if o.users == 0 {
		o.users = o.conns
	}
	if o.hashWorkers == 0 {
		o.hashWorkers = serverHashWorkers(o.server.env)
	}
	if o.conns < 1 || o.hashConns < 1 || o.users < 1 || o.floodLogins < 1 || o.hashWorkers < 1 || o.duration <= 0 || o.window < 0 {
		return o, fmt.Errorf("--conns, --hash-conns, --users, --flood-logins, --hash-workers and --duration must be positive, --window not negative")
	}
	return o, nil
}

// serverHashWorkers is the HASH_CONCURRENCY a server started with these
// --env settings runs with (the last setting, as the server sees it, or the
// server's default), but at most one per core: more hashes than cores only
// take turns.
func serverHashWorkers(env []string) int {
	n := max(1, runtime.NumCPU()-1)
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "HASH_CONCURRENCY="); ok {
			if set, err := strconv.Atoi(v); err == nil && set > 0 {
				n = set
			}
		}
	}
	return min(n, runtime.NumCPU())
}

// bench is one run: the server, its accounts, the options.
type bench struct {
	opts    options
	srv     *server
	targets *targets
	meRPS   float64 // what the me scenario reached; me-half paces itself by it
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	picked, err := pickScenarios(o.scenarios)
	if err != nil {
		return err
	}
	r := Run{Time: time.Now().UTC(), Alg: o.server.alg, CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Commit: gitCommit()}
	r.LoadAvg[0] = loadAvg()

	var srv *server
	if o.url != "" {
		r.Attached, r.Alg = true, "(attached)"
		srv, err = attachServer(ctx, o.url, o.pid)
	} else {
		srv, err = startServer(ctx, o.server)
	}
	if err != nil {
		return err
	}
	defer srv.stop()
	r.Database = databaseKind(o.server.databaseURL)
	if r.Attached && o.server.databaseURL == "" {
		r.Database = "unknown"
	}
	r.Label = o.label
	if r.Label == "" {
		r.Label = r.Database + "-" + strings.ToLower(r.Alg)
	}
	r.StartupMS = float64(srv.startup.Microseconds()) / 1000
	if m, err := srv.proc.memory(); err == nil {
		r.IdleRSS = round1(mib(m.RSS))
	}

	runID := fmt.Sprintf("%x", time.Now().UnixNano())
	began := time.Now()
	accounts, err := setupAccounts(ctx, srv.url, runID, o.users, o.hashConns)
	if err != nil {
		return fmt.Errorf("set up users: %w", err)
	}
	r.SetupMS, r.Users = float64(time.Since(began).Milliseconds()), len(accounts)
	b := &bench{opts: o, srv: srv, targets: &targets{base: srv.url, runID: runID, accounts: accounts, chains: newChains(accounts)}}

	for _, sc := range picked {
		fmt.Fprintf(stderr, "authbench: %s: %s\n", sc.name, sc.about)
		s, err := sc.run(ctx, b)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", sc.name, err)
		}
		r.Scenarios = append(r.Scenarios, s)
	}
	r.LoadAvg[1] = loadAvg()
	if err := printTable(stdout, r); err != nil {
		return err
	}
	if o.jsonPath == "" {
		return nil
	}
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(o.jsonPath, append(out, '\n'), 0o644)
}

// databaseKind names the engine a DATABASE_URL selects, as the server does.
func databaseKind(url string) string {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return "postgres"
	}
	return "sqlite"
}

// loadAvg is the first three fields of /proc/loadavg: how busy the machine was.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// gitCommit is the commit of the working directory, if it is a git checkout.
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
