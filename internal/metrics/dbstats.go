package metrics

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
)

// StatsSource reports the figures of its connection pools by name; store.DB
// is one (a read and a write pool on SQLite, one pool on PostgreSQL).
type StatsSource interface {
	PoolStats() map[string]sql.DBStats
}

// WatchDB exports the pools' figures, read at each scrape and labelled by
// pool: connections in use and idle, the limit, and how often and how long
// requests waited for one. On SQLite the write pool's waits are the queue of
// writes for its one connection.
func (m *Metrics) WatchDB(db StatsSource) {
	m.reg.MustRegister(newDBCollector(db))
}

// dbCollector turns sql.DBStats into metrics when scraped.
type dbCollector struct {
	db                                  StatsSource
	conns, max, waits, waitSecs, closed *prometheus.Desc
}

func newDBCollector(db StatsSource) *dbCollector {
	return &dbCollector{
		db: db,
		conns: prometheus.NewDesc(namespace+"_db_connections",
			"Open database connections, by pool and state (in_use, idle).", []string{"pool", "state"}, nil),
		max: prometheus.NewDesc(namespace+"_db_connections_max",
			"Most database connections the pool may open (0: no limit).", []string{"pool"}, nil),
		waits: prometheus.NewDesc(namespace+"_db_wait_total",
			"Times a query waited for a free database connection.", []string{"pool"}, nil),
		waitSecs: prometheus.NewDesc(namespace+"_db_wait_seconds_total",
			"Total time queries waited for a free database connection.", []string{"pool"}, nil),
		closed: prometheus.NewDesc(namespace+"_db_connections_closed_total",
			"Database connections the pool closed, by pool and reason (max_idle, max_idle_time, max_lifetime).", []string{"pool", "reason"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conns, c.max, c.waits, c.waitSecs, c.closed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, s := range c.db.PoolStats() {
		ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.InUse), pool, "in_use")
		ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.Idle), pool, "idle")
		ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxOpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(s.WaitCount), pool)
		ch <- prometheus.MustNewConstMetric(c.waitSecs, prometheus.CounterValue, s.WaitDuration.Seconds(), pool)
		ch <- prometheus.MustNewConstMetric(c.closed, prometheus.CounterValue, float64(s.MaxIdleClosed), pool, "max_idle")
		ch <- prometheus.MustNewConstMetric(c.closed, prometheus.CounterValue, float64(s.MaxIdleTimeClosed), pool, "max_idle_time")
		ch <- prometheus.MustNewConstMetric(c.closed, prometheus.CounterValue, float64(s.MaxLifetimeClosed), pool, "max_lifetime")
	}
}
