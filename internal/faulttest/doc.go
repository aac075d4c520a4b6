// Package faulttest holds tests that run the real authapi binary, several
// instances of it when needed, and break things around it: the database goes
// away, the process is killed with SIGKILL during a refresh storm, it is sent
// SIGTERM under load, instances race each other on one database. The package
// has no code of its own beyond this comment; see the _test.go files.
//
// PostgreSQL parts run when TEST_DATABASE_URL is set, as in CI. The outage
// test starts a private PostgreSQL cluster of its own (initdb and pg_ctl on a
// free port, in a temporary directory) and only ever stops that one.
package faulttest
