//go:build !linux

package password

import "testing"

func threadNice(t *testing.T) int { return 0 }
