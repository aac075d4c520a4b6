package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
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

// memory is what /proc/PID/status says of resident memory, summed over the
// process and its live descendants.
type memory struct {
	RSS int64 // VmRSS, bytes
	// Peak is VmHWM, bytes: the highest RSS since start or resetPeak. Summed
	// over processes whose peaks need not coincide, it is an upper bound.
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
	var m memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("/proc/%d/status %s: %w", pid, name, err)
		}
		if name == "VmRSS" {
			m.RSS = kb << 10
		} else {
			m.Peak = kb << 10
		}
	}
	return m, sc.Err()
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
