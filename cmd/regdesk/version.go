package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// versionString is what `regdesk version` and `regdesk --version` print
// after "regdesk ".
func versionString() string {
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " (" + s.Value[:12] + ")"
			}
		}
	}
	return fmt.Sprintf("%s%s %s/%s %s", version, rev, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func versionCmd(e *env) *cobra.Command {
	return define("version", "print the version", func(context.Context, []string) error {
		fmt.Fprintf(e.stdout, "regdesk %s\n", versionString())
		return nil
	})
}
