package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// BuildInfo is what `siptls version` says of the binary beside its version.
type BuildInfo struct {
	Commit    string // the VCS revision, "" when the build has none
	Time      string // the commit's time (RFC 3339)
	Modified  bool   // built from a working tree with changes
	GoVersion string // the Go toolchain that built it
	Platform  string // GOOS/GOARCH
}

// Set by the release build (.goreleaser.yaml's ldflags: -X main.releaseVersion=...),
// which knows the tag and commit even where the toolchain does not stamp
// them (a snapshot, -buildvcs=false); empty otherwise. They are never
// changed at run time.
var (
	releaseVersion string
	releaseCommit  string
	releaseDate    string
)

// version returns the release version, else the module version from the
// build information: the tag of `go install ...@vX`, the pseudo-version
// of a build in a checkout (go 1.24 and later), and "devel" only when
// there is no build information or no version in it.
func version() string {
	if releaseVersion != "" {
		return releaseVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return "devel"
	}
	return bi.Main.Version
}

// buildInfo reads the commit and toolchain from the build information.
func buildInfo() BuildInfo {
	b := BuildInfo{GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if releaseCommit != "" && releaseCommit != "none" { // GoReleaser outside a git checkout says "none"
		b.Commit = releaseCommit
		if !strings.HasPrefix(releaseDate, "0001-") {
			b.Time = releaseDate
		}
		return b
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String is the second line of `siptls version`: "commit 0e86ec9c1f2a
// (2026-11-29T05:10:00Z, modified), go1.26.8, linux/amd64".
func (b BuildInfo) String() string {
	s := "commit unknown"
	if b.Commit != "" {
		s = "commit " + b.Commit[:min(12, len(b.Commit))]
		switch {
		case b.Time != "" && b.Modified:
			s += " (" + b.Time + ", modified)"
		case b.Time != "":
			s += " (" + b.Time + ")"
		case b.Modified:
			s += " (modified)"
		}
	}
	return s + ", " + b.GoVersion + ", " + b.Platform
}

func newCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the siptls version, the commit it was built from and the Go toolchain",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := fmt.Sprintf("siptls %s\n", f.Version)
			if f.Build.GoVersion != "" {
				out += f.Build.String() + "\n"
			}
			_, err := fmt.Fprint(f.IO.Out, out)
			return err
		},
	}
}
