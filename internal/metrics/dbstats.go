package metrics

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
)

// StatsSource is a connection pool that reports its figures; store.DB is one.
type StatsSource interface {
	Stats() sql.DBStats
}

// WatchDB exports the pool's figures, read at each scrape: connections in use
// and idle, the limit, and how often and how long requests waited for one.
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
			"Open database connections, by state (in_use, idle).", []string{"state"}, nil),
		max: prometheus.NewDesc(namespace+"_db_connections_max",
			"Most database connections the pool may open (0: no limit).", nil, nil),
		waits: prometheus.NewDesc(namespace+"_db_wait_total",
			"Times a query waited for a free database connection.", nil, nil),
		waitSecs: prometheus.NewDesc(namespace+"_db_wait_seconds_total",
			"Total time queries waited for a free database connection.", nil, nil),
		closed: prometheus.NewDesc(namespace+"_db_connections_closed_total",
			"Database connections the pool closed, by reason (max_idle, max_idle_time, max_lifetime).", []string{"reason"}, nil),
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
	s := c.db.Stats()
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.InUse), "in_use")
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.Idle), "idle")
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(s.WaitCount))
	ch <- prometheus.MustNewConstMetric(c.waitSecs, prometheus.CounterValue, s.WaitDuration.Seconds())
	ch <- prometheus.MustNewConstMetric(c.closed, prometheus.CounterValue, float64(s.MaxIdleClosed), "max_idle")
	ch <- prometheus.MustNewConstMetric(c.closed, prometheus.CounterValue, float64(s.MaxIdleTimeClosed), "max_idle_time")
	ch <- prometheus.MustNewConstMetric(c.closed, prometheus.CounterValue, float64(s.MaxLifetimeClosed), "max_lifetime")
}
