// Package nested runs the tests of the examples that are modules of their
// own (examples/sync, whose SQLite driver stays out of the SDK's module),
// which go test ./... at the root of the repository does not reach.
package nested

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// modules are the nested modules, from this directory.
var modules = []string{"../../sync"}

// TestNestedModules runs go test ./... in each nested module with the go
// command of the toolchain running this test, and fails with the output if
// they fail. Without the race detector: it would compile the SQLite driver,
// C translated to a large body of Go, a second time, for no code of ours.
func TestNestedModules(t *testing.T) {
	//lint:ignore SA1019 the root of the toolchain running the test is the one wanted: its go command
	gocmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	args := []string{"test", "-count=1", "./..."}
	for _, dir := range modules {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cmd := exec.Command(gocmd, args...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go %v in %s: %v\n%s", args, dir, err, out)
			}
			t.Logf("go %v in %s:\n%s", args, dir, out)
		})
	}
}
