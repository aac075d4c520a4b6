package main

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

// A server's children count as the server: CPU time a child burns shows in
// the parent's reading, and so does the child's memory.
func TestProcCountsChildren(t *testing.T) {
	cmd := exec.Command("sh", "-c", `sh -c 'while :; do :; done' & wait`)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skipf("no sh here: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	p := proc{pid: cmd.Process.Pid}

	deadline := time.Now().Add(5 * time.Second)
	for len(p.tree()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	pids := p.tree()
	if len(pids) < 2 {
		t.Fatalf("tree() = %v, want the shell and its busy child", pids)
	}
	child := pids[1]

	time.Sleep(500 * time.Millisecond)
	own, err := cpuOf(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	total, err := p.cpu()
	if err != nil {
		t.Fatal(err)
	}
	if total-own < 200*time.Millisecond {
		t.Errorf("cpu() = %v with the parent at %v: the busy child's half second is missing", total, own)
	}

	parentMem, err := memoryOf(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	childMem, err := memoryOf(child)
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.memory()
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS < parentMem.RSS+childMem.RSS/2 || m.Peak < parentMem.Peak+childMem.Peak {
		t.Errorf("memory() = %+v, want the parent's %+v and the child's %+v together", m, parentMem, childMem)
	}
	// The two shells map the same executable and libraries: plain RSS
	// counts those pages in each, memory() once.
	var plain int64
	for _, pid := range []int{cmd.Process.Pid, child} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Fatal(err)
		}
		v, err := kibFields(f, "VmRSS")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		plain += v["VmRSS"] << 10
	}
	if _, err := os.Stat("/proc/self/smaps_rollup"); err == nil && m.RSS >= plain {
		t.Errorf("memory().RSS = %d, plain RSS summed = %d: shared pages counted twice", m.RSS, plain)
	}
	if !slices.Contains(p.tree(), child) {
		t.Errorf("tree() lost the child %d", child)
	}
}
