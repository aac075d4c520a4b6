package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/authapi/authapi/internal/config"
	"github.com/authapi/authapi/internal/store"
)

// runMigrate manages the schema: up, down (one step), status, create NAME.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	dir := fs.String("dir", filepath.Join("internal", "store", "migrations"), "migrations source folder (create only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("migrate needs a command: up, down, status or create NAME")
	}
	if fs.Arg(0) == "create" {
		if fs.NArg() != 2 {
			return errors.New("usage: authapi migrate create NAME")
		}
		// One file per dialect with the same version: the schemas move together.
		for _, dialect := range []string{"postgres", "sqlite"} {
			path, err := store.CreateMigration(filepath.Join(*dir, dialect), fs.Arg(1))
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, "created", path)
		}
		return nil
	}
	cfg, err := config.Load(getenv, ".env")
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	switch fs.Arg(0) {
	case "up":
		return db.MigrateUp(ctx)
	case "down":
		return db.MigrateDown(ctx)
	case "status":
		return db.MigrateStatus(ctx, stdout)
	}
	return fmt.Errorf("unknown migrate command %q: use up, down, status or create NAME", fs.Arg(0))
}
