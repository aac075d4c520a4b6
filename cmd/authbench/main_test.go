package main

import (
	"os"
	"testing"

	"github.com/authapi/authapi/internal/password"
)

// TestMain lets this test binary be a hash worker: the scenarios that time
// hashes start one by running their own executable.
func TestMain(m *testing.M) {
	password.RunWorkerIfChild()
	os.Exit(m.Run())
}
