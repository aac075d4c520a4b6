package main

import (
	"bufio"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
)

// benchResults are `go test -bench` timings in ns/op, keyed by the package's
// last path element and the benchmark's name without its -GOMAXPROCS suffix,
// e.g. "token.BenchmarkVerify/RS256". A benchmark run several times (-count)
// keeps its median.
type benchResults map[string]float64

// parseBench reads the text output of `go test -bench`.
func parseBench(r io.Reader) (benchResults, error) {
	runs := map[string][]float64{}
	pkg := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "pkg:" {
			pkg = path.Base(f[1])
			continue
		}
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		for i := 2; i+1 < len(f); i++ {
			if f[i+1] != "ns/op" {
				continue
			}
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				name := pkg + "." + trimProcs(f[0])
				runs[name] = append(runs[name], v)
			}
		}
	}
	out := benchResults{}
	for name, v := range runs {
		slices.Sort(v)
		out[name] = v[len(v)/2]
	}
	return out, sc.Err()
}

// us returns a benchmark's time in µs, and whether it was run.
func (b benchResults) us(name string) (float64, bool) {
	v, ok := b[name]
	return v / 1000, ok
}

// trimProcs drops the -GOMAXPROCS suffix go test adds to benchmark names.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}
