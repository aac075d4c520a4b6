package faulttest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// pgCluster is a private PostgreSQL cluster this test created, on a free port
// in a temporary directory. Its methods only ever touch that data directory:
// the shared server the other tests use is never stopped.
type pgCluster struct {
	t    *testing.T
	bin  string // directory of initdb and pg_ctl
	dir  string // owns data/, the socket and the log
	port int
	run  []string // prefix that runs a command as the cluster's owner
}

// newCluster initialises and starts a private cluster, and removes it when
// the test ends. The test is skipped when TEST_DATABASE_URL is unset (as every
// PostgreSQL test is) or no initdb is installed.
func newCluster(t *testing.T) *pgCluster {
	t.Helper()
	if !postgresAvailable() {
		t.Skip("TEST_DATABASE_URL not set")
	}
	c := &pgCluster{t: t}
	// Where Debian and the official images keep initdb, newest first.
	for _, d := range []string{"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"} {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			c.bin = d
			break
		}
	}
	if c.bin == "" {
		if p, err := exec.LookPath("initdb"); err == nil {
			c.bin = filepath.Dir(p)
		} else {
			t.Skip("initdb not installed")
		}
	}
	dir, err := os.MkdirTemp("", "authapi-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		// initdb refuses root: the cluster belongs to the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and no postgres user to own a private cluster")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.run = []string{"runuser", "-u", "postgres", "--"}
	}
	c.port = freePort(t)
	c.exec("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	c.start()
	t.Cleanup(func() {
		// Immediate: the directory is deleted next, nothing to keep.
		_ = c.cmd("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop").Run()
	})
	return c
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// DSN is the URL of the cluster's postgres database.
func (c *pgCluster) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// start starts the cluster and waits until it accepts connections.
func (c *pgCluster) start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60", c.port, c.dir)
	c.exec("pg_ctl", "-D", c.data(), "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "start")
}

// stop shuts the cluster down in fast mode: sessions are ended at once, as in
// a restart by an operator or a failover.
func (c *pgCluster) stop() {
	c.t.Helper()
	c.exec("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop")
}

func (c *pgCluster) cmd(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, c.run...), filepath.Join(c.bin, name)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

func (c *pgCluster) exec(name string, args ...string) {
	c.t.Helper()
	if out, err := c.cmd(name, args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.t.Fatalf("%s: %v\n%s\n%s", name, err, out, log)
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
