package exampleenv

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// WriteOutput hands write the output an example was asked for: stdout when
// name is "" or "-", and otherwise the file name. The file appears under
// its name only once write has succeeded, whole: it is written beside it
// under a temporary name first, and removed if anything fails, so that an
// interrupted run never leaves half a file that looks complete.
func WriteOutput(stdout io.Writer, name string, write func(io.Writer) error) error {
	if name == "" || name == "-" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp makes the file private; the output is not secret
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		return errors.Join(err, os.Remove(f.Name()))
	}
	return nil
}
