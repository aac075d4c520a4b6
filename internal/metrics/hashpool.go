package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/authapi/authapi/internal/password"
)

// HashPoolSource is a bounded password-hash pool that reports its state;
// password.Pool is one.
type HashPoolSource interface {
	Stats() password.PoolStats
}

// WatchHashPool exports the pool's state, read at each scrape: queue depth,
// hashes running, the limits, and the time hashes waited for a slot.
func (m *Metrics) WatchHashPool(p HashPoolSource) {
	m.reg.MustRegister(newHashPoolCollector(p))
}

// hashPoolCollector turns password.PoolStats into metrics when scraped.
type hashPoolCollector struct {
	pool                                  HashPoolSource
	depth, running, limit, done, rejected *prometheus.Desc
	reserved, unavailable, restarts, wait *prometheus.Desc
}

func newHashPoolCollector(p HashPoolSource) *hashPoolCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(namespace+"_password_hash_"+name, help, labels, nil)
	}
	return &hashPoolCollector{
		pool:        p,
		depth:       d("queue_depth", "Password hashes and verifications waiting for a free slot."),
		running:     d("running", "Password hashes and verifications running now."),
		reserved:    d("reserved", "Logins holding a place in the hash pool while they read the database, before their verification queues or runs."),
		limit:       d("limit", "Limits of the hash pool, by kind (workers: running at once; capacity: running, waiting and reserved).", "kind"),
		done:        d("total", "Password hashes and verifications run since start."),
		rejected:    d("rejected_total", "Password hashes refused because the pool was full (answered 503); a login is refused before it reads the database."),
		unavailable: d("unavailable_total", "Password hashes that failed because the hash worker process died or could not start (answered 503)."),
		restarts:    d("worker_restarts_total", "Hash worker processes started again after one died, hung or could not start (0 when hashing in process)."),
		wait:        d("wait_seconds_total", "Total time hashes waited for a free slot; divide by authapi_password_hash_total for the mean."),
	}
}

// Describe implements prometheus.Collector.
func (c *hashPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.depth, c.running, c.reserved, c.limit, c.done, c.rejected, c.unavailable, c.restarts, c.wait} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *hashPoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stats()
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(s.Waiting))
	ch <- prometheus.MustNewConstMetric(c.running, prometheus.GaugeValue, float64(s.Running))
	ch <- prometheus.MustNewConstMetric(c.reserved, prometheus.GaugeValue, float64(s.Reserved))
	ch <- prometheus.MustNewConstMetric(c.limit, prometheus.GaugeValue, float64(s.Workers), "workers")
	ch <- prometheus.MustNewConstMetric(c.limit, prometheus.GaugeValue, float64(s.Capacity), "capacity")
	ch <- prometheus.MustNewConstMetric(c.done, prometheus.CounterValue, float64(s.Done))
	ch <- prometheus.MustNewConstMetric(c.rejected, prometheus.CounterValue, float64(s.Rejected))
	ch <- prometheus.MustNewConstMetric(c.unavailable, prometheus.CounterValue, float64(s.Unavailable))
	ch <- prometheus.MustNewConstMetric(c.restarts, prometheus.CounterValue, float64(s.WorkerRestarts))
	ch <- prometheus.MustNewConstMetric(c.wait, prometheus.CounterValue, s.TotalWait.Seconds())
}
