//go:build !linux

package password

func threadNice() (int, error) { return 0, nil }
