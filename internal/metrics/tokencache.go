package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/authapi/authapi/internal/token"
)

// TokenCacheSource reports the lookups in a cache of verified tokens;
// token.Manager is one.
type TokenCacheSource interface {
	CacheStats() token.CacheStats
}

// WatchTokenCache exports the hits and misses of the verified-token cache,
// read at each scrape: a low hit rate means clients rarely present the same
// access token twice, or TOKEN_CACHE_SIZE is too small for them.
func (m *Metrics) WatchTokenCache(src TokenCacheSource) {
	desc := prometheus.NewDesc(namespace+"_token_cache_lookups_total",
		"Access tokens looked up in the cache of verified tokens, by result (hit: the signature check was skipped).", []string{"result"}, nil)
	m.reg.MustRegister(collectorFunc{desc: desc, collect: func(ch chan<- prometheus.Metric) {
		s := src.CacheStats()
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(s.Hits), "hit")
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(s.Misses), "miss")
	}})
}

// collectorFunc is a collector of one metric family computed at each scrape.
type collectorFunc struct {
	desc    *prometheus.Desc
	collect func(chan<- prometheus.Metric)
}

func (c collectorFunc) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c collectorFunc) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }
