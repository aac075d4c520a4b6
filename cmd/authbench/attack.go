package main

import (
	"context"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// load is how hard one attack pushes.
type load struct {
	conns    int // concurrent requests (vegeta workers), and idle connections kept
	rate     int // requests/s; 0: each worker sends its next request when the last is answered
	duration time.Duration
	window   time.Duration // > 0: also summarise the results per window of this length
	// fixed keeps a paced attack at conns connections even when answers are
	// slow, so that latency is measured at exactly that concurrency.
	fixed bool
}

// attack runs one vegeta attack and returns vegeta's metrics per operation,
// and with l.window the summary of every window of the attack. With a rate
// (and not l.fixed), vegeta adds workers (up to 8 × conns) when answers are
// slow, so a slow server shows as latency, not as a lower request rate.
func (b *bench) attack(ctx context.Context, tr vegeta.Targeter, l load) (map[string]*vegeta.Metrics, []Window) {
	maxWorkers := l.conns
	if l.rate > 0 && !l.fixed {
		maxWorkers = 8 * l.conns
	}
	client := newClient(maxWorkers, b.targets.chains)
	defer client.CloseIdleConnections()
	atk := vegeta.NewAttacker(vegeta.Client(client),
		vegeta.Workers(uint64(l.conns)), vegeta.MaxWorkers(uint64(maxWorkers)))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()

	ops := map[string]*vegeta.Metrics{}
	win := windows{size: l.window, start: time.Now()}
	for res := range atk.Attack(tr, vegeta.ConstantPacer{Freq: l.rate, Per: time.Second}, l.duration, "") {
		op := opOf(b.srv.url, res.URL)
		m := ops[op]
		if m == nil {
			m = &vegeta.Metrics{}
			ops[op] = m
		}
		m.Add(res)
		win.add(res)
	}
	return ops, win.summary()
}

// windows sorts an attack's results into consecutive windows of one length
// by the time each request was sent, so a long attack shows when its errors
// happened. A zero size collects nothing.
type windows struct {
	size    time.Duration
	start   time.Time
	metrics []*vegeta.Metrics
}

func (w *windows) add(res *vegeta.Result) {
	if w.size <= 0 {
		return
	}
	i := max(int(res.Timestamp.Sub(w.start)/w.size), 0)
	for len(w.metrics) <= i {
		w.metrics = append(w.metrics, &vegeta.Metrics{})
	}
	w.metrics[i].Add(res)
}

// summary is one Window per window, empty ones included.
func (w *windows) summary() []Window {
	var out []Window
	for i, m := range w.metrics {
		m.Close()
		win := Window{
			Start:    w.start.Add(time.Duration(i) * w.size).UTC(),
			Requests: m.Requests, Status: m.StatusCodes,
			P50MS: ms(m.Latencies.P50), P99MS: ms(m.Latencies.P99), MaxMS: ms(m.Latencies.Max),
		}
		for code, n := range m.StatusCodes {
			if !strings.HasPrefix(code, "2") {
				win.Errors += n
			}
		}
		if win.Errors > 0 {
			win.ErrorTexts = m.Errors[:min(len(m.Errors), 3)]
		}
		out = append(out, win)
	}
	return out
}

// measure runs body, an attack or several, and records the server's CPU time
// and memory around it into s. RSS is sampled once a second meanwhile.
func (b *bench) measure(ctx context.Context, s *Scenario, body func()) error {
	p := b.srv.proc
	if err := p.resetPeak(); err != nil {
		return err
	}
	cpu0, err := p.cpu()
	if err != nil {
		return err
	}
	began := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if m, err := p.memory(); err == nil && p.pid != 0 {
					s.RSSSamples = append(s.RSSSamples, round1(mib(m.RSS)))
				}
			}
		}
	})
	body()
	close(done)
	wg.Wait()
	s.Seconds = time.Since(began).Seconds()
	cpu1, err := p.cpu()
	if err != nil {
		return err
	}
	mem, err := p.memory()
	if err != nil {
		return err
	}
	for _, op := range s.Ops {
		s.Requests += op.Requests
	}
	s.CPUSeconds = (cpu1 - cpu0).Seconds()
	if s.Requests > 0 {
		s.CPUPerRequestUS = s.CPUSeconds * 1e6 / float64(s.Requests)
	}
	s.PeakRSS, s.EndRSS = round1(mib(mem.Peak)), round1(mib(mem.RSS))
	return ctx.Err()
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
