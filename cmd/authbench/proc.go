package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. It is
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// proc reads a process's CPU time and memory from /proc, its descendants'
// included: a server that hands work to child processes (a hash worker, say)
// must not look cheaper for it. The zero pid means no process is known: every
// reading is zero.
type proc struct{ pid int }

// tree returns the pid and the pids of its live descendants, read from
// /proc/PID/task/TID/children. A process that ends meanwhile is skipped.
func (p proc) tree() []int {
	pids := []int{p.pid}
	for i := 0; i < len(pids); i++ {
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pids[i]))
		for _, t := range tasks {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pids[i], t.Name()))
			for _, f := range strings.Fields(string(b)) {
				if n, err := strconv.Atoi(f); err == nil {
					pids = append(pids, n)
				}
			}
		}
	}
	return pids
}

// each calls read for the process and then for each live descendant. The
// process's own error is returned; a descendant's is not, since it ended
// meanwhile and its parent counts it once it waits.
func (p proc) each(read func(pid int) error) error {
	for i, pid := range p.tree() {
		if err := read(pid); err != nil && i == 0 {
			return err
		}
	}
	return nil
}

// cpu returns the user plus system CPU time the process and its descendants
// have used, over all their threads, counting children that have ended and
// been waited for.
func (p proc) cpu() (time.Duration, error) {
	if p.pid == 0 {
		return 0, nil
	}
	var total time.Duration
	err := p.each(func(pid int) error {
		d, err := cpuOf(pid)
		total += d // zero on error
		return err
	})
	return total, err
}

// cpuOf reads utime, stime, cutime and cstime of one process.
func cpuOf(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses; the
	// fields after its closing parenthesis start with field 3, state.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	var ticks int64
	for _, s := range f[11:15] { // utime, stime, cutime, cstime: fields 14 to 17
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// memory is the resident memory of the process and its live descendants,
// with pages they share counted once: a hash worker maps the server's own
// executable, and summing plain RSS would count those pages twice.
type memory struct {
	// RSS is the proportional set size (Pss), bytes: each page divided
	// among the processes that map it. Without /proc/PID/smaps_rollup
	// (Linux < 4.14) it is VmRSS.
	RSS int64
	// Peak is VmHWM, the highest RSS since start or resetPeak, less the
	// shared part counted twice now (Rss − Pss), bytes. Summed over
	// processes whose peaks need not coincide, it is an upper bound.
	Peak int64
}

func (p proc) memory() (memory, error) {
	if p.pid == 0 {
		return memory{}, nil
	}
	var total memory
	err := p.each(func(pid int) error {
		m, err := memoryOf(pid)
		total.RSS += m.RSS // zero on error
		total.Peak += m.Peak
		return err
	})
	return total, err
}

func memoryOf(pid int) (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	status, err := kibFields(f, "VmRSS", "VmHWM")
	if err != nil {
		return memory{}, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	m := memory{RSS: status["VmRSS"] << 10, Peak: status["VmHWM"] << 10}
	if r, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid)); err == nil {
		defer r.Close()
		if rollup, err := kibFields(r, "Rss", "Pss"); err == nil && rollup["Rss"] > 0 {
			shared := (rollup["Rss"] - rollup["Pss"]) << 10
			m.RSS, m.Peak = rollup["Pss"]<<10, max(m.Peak-shared, 0)
		}
	}
	return m, nil
}

// kibFields reads "Name:   123 kB" lines, the format of /proc/PID/status and
// smaps_rollup, for the names given; each must be there.
func kibFields(r io.Reader, names ...string) (map[string]int64, error) {
	out := make(map[string]int64, len(names))
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || !slices.Contains(names, name) {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = kb
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("no %s line", n)
		}
	}
	return out, nil
}

// resetPeak makes VmHWM of the process and its descendants start again from
// their current RSS (Linux 4.0+), so each scenario reports its own peak. Only
// the processes' owner (or root) may.
func (p proc) resetPeak() error {
	if p.pid == 0 {
		return nil
	}
	return p.each(func(pid int) error {
		return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
	})
}

// mib converts bytes to MiB.
func mib(b int64) float64 { return float64(b) / (1 << 20) }
