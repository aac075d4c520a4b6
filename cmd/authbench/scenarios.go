package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// scenario is one named load shape.
type scenario struct {
	name  string
	about string
	run   func(ctx context.Context, b *bench) (Scenario, error)
}

// scenarios lists every scenario in the order `--scenarios all` runs them.
func scenarios() []scenario {
	return []scenario{
		{"health", "GET /api/healthchecker: the HTTP stack alone", func(ctx context.Context, b *bench) (Scenario, error) {
			return b.simple(ctx, "health", b.targets.health, b.opts.conns)
		}},
		{"me", "GET /api/users/me with a Bearer access token", func(ctx context.Context, b *bench) (Scenario, error) {
			s, err := b.simple(ctx, "me", b.targets.meBearer, b.opts.conns)
			if len(s.Ops) > 0 {
				b.meRPS = s.Ops[0].RPS
			}
			return s, err
		}},
		{"me-half", "me again on at most --conns connections, paced at half the requests/s me reached", func(ctx context.Context, b *bench) (Scenario, error) {
			return b.meHalf(ctx)
		}},
		{"me-cookie", "GET /api/users/me with the access_token cookie", func(ctx context.Context, b *bench) (Scenario, error) {
			return b.simple(ctx, "me-cookie", b.targets.meCookie, b.opts.conns)
		}},
		{"refresh", "POST /api/auth/refresh; each virtual user follows its own rotation chain", func(ctx context.Context, b *bench) (Scenario, error) {
			return b.simple(ctx, "refresh", b.targets.refresh(ctx), min(b.opts.conns, len(b.targets.accounts)))
		}},
		{"login", "POST /api/auth/login, one at a time: the time of one login", func(ctx context.Context, b *bench) (Scenario, error) {
			return b.withHashFloor(ctx, "login", b.targets.login, hashVerify)
		}},
		{"register-1", "POST /api/auth/register, one at a time", func(ctx context.Context, b *bench) (Scenario, error) {
			return b.withHashFloor(ctx, "register-1", b.targets.register, hashNew)
		}},
		{"register", "POST /api/auth/register, --hash-conns at a time: does it scale to the cores?", func(ctx context.Context, b *bench) (Scenario, error) {
			return b.simple(ctx, "register", b.targets.register, b.opts.hashConns)
		}},
		{"mix", "90 % me, 8 % refresh, 2 % login", func(ctx context.Context, b *bench) (Scenario, error) {
			return b.simple(ctx, "mix", b.targets.mix(ctx), min(b.opts.conns, len(b.targets.accounts)))
		}},
		{"flood", "me at --flood-me-rate alone, then while --flood-logins logins run at once", func(ctx context.Context, b *bench) (Scenario, error) {
			return b.flood(ctx)
		}},
	}
}

// pickScenarios resolves a comma-separated list ("all" for every one).
func pickScenarios(names []string) ([]scenario, error) {
	all := scenarios()
	if slices.Equal(names, []string{"all"}) {
		return all, nil
	}
	var out []scenario
	for _, n := range names {
		i := slices.IndexFunc(all, func(s scenario) bool { return s.name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q", n)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// simple warms up, then attacks with one targeter at --rate with conns
// concurrent requests for --duration.
func (b *bench) simple(ctx context.Context, name string, tr vegeta.Targeter, conns int) (Scenario, error) {
	l := load{conns: conns, rate: b.opts.rate, duration: b.opts.duration, window: b.opts.window}
	if b.opts.warmup > 0 {
		w := l
		w.duration, w.window = b.opts.warmup, 0
		b.attack(ctx, tr, w)
	}
	s := Scenario{Name: name, Conns: conns, Rate: l.rate}
	err := b.measure(ctx, &s, func() {
		ops, windows := b.attack(ctx, tr, l)
		s.Ops, s.Windows = sortedOps(ops), windows
	})
	return s, err
}

// meHalf is me on at most --conns connections, paced at half the requests/s
// the me scenario reached in this run: the latency of a server that is busy but
// not saturated. (At full speed p99 is mostly the queue of conns requests on
// the machine's cores.) Fewer requests are in flight than conns; and when all
// conns are busy vegeta sends late, so the check also asks that the paced
// rate was reached.
func (b *bench) meHalf(ctx context.Context) (Scenario, error) {
	if b.meRPS <= 0 {
		return Scenario{}, fmt.Errorf("me-half paces itself by the me scenario: run me before it")
	}
	l := load{conns: b.opts.conns, rate: max(1, int(b.meRPS/2)), duration: b.opts.duration, window: b.opts.window, fixed: true}
	s := Scenario{Name: "me-half", Conns: l.conns, Rate: l.rate}
	err := b.measure(ctx, &s, func() {
		ops, windows := b.attack(ctx, b.targets.meBearer, l)
		s.Ops, s.Windows = sortedOps(ops), windows
	})
	return s, err
}

// flood measures me at a fixed rate three times: alone; while authbench itself
// runs --hash-workers argon2id hashes at a time, by default as many as the
// server's pool up to one per core (the me-beside-hash op: what a hash running
// anywhere on this machine does to me);
// then while floodLogins clients log in over and over (waiting out Retry-After
// when refused). A server that bounds its password hashing keeps me fast and
// sheds the excess logins (503); one that does not lets the hashes take the
// CPU from everyone. A flood that ignores Retry-After is the per-address rate
// limit's business, which is off here.
func (b *bench) flood(ctx context.Context) (Scenario, error) {
	o := b.opts
	me := load{conns: o.conns, rate: o.floodMeRate, duration: o.duration}
	s := Scenario{Name: "flood", Conns: o.floodLogins, Rate: o.floodMeRate, HashWorkers: o.hashWorkers}
	alone, _ := b.attack(ctx, b.targets.meBearer, me)
	baseline := alone["me"]
	if baseline == nil {
		return s, cmp.Or(ctx.Err(), errors.New("me alone: no request was sent"))
	}
	beside, err := besideHashes(ctx, o.hashWorkers, func() map[string]*vegeta.Metrics {
		ops, _ := b.attack(ctx, b.targets.meBearer, me)
		return ops
	})
	if err != nil {
		return s, err
	}
	if beside["me"] == nil {
		return s, cmp.Or(ctx.Err(), errors.New("me beside hashes: no request was sent"))
	}
	// The logins start first and outlast me, so me is measured beside them.
	lead := min(o.duration/4, time.Second)
	err = b.measure(ctx, &s, func() {
		var (
			wg     sync.WaitGroup
			logins map[string]*vegeta.Metrics
		)
		wg.Go(func() {
			logins, _ = b.attack(ctx, b.targets.floodLogin, load{conns: o.floodLogins, duration: o.duration + lead})
		})
		time.Sleep(lead)
		during, _ := b.attack(ctx, b.targets.meBearer, me)
		wg.Wait()
		s.Ops = []Op{newOp("me-alone", baseline), newOp("me-beside-hash", beside["me"])}
		s.Ops = append(s.Ops, sortedOps(during)...)
		s.Ops = append(s.Ops, sortedOps(logins)...)
	})
	return s, err
}

// sortedOps turns metrics per operation into Ops in name order.
func sortedOps(m map[string]*vegeta.Metrics) []Op {
	var ops []Op
	for name, metrics := range m {
		ops = append(ops, newOp(name, metrics))
	}
	slices.SortFunc(ops, func(a, b Op) int {
		return opRank(a.Name) - opRank(b.Name)
	})
	return ops
}

func opRank(name string) int {
	return slices.Index([]string{"health", "me", "refresh", "login", "register"}, name)
}
