package refresh

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// maxFileBytes bounds what is read back from the token file; Anthropic accepts 16 KiB tokens.
const maxFileBytes = 64 << 10

// WriteFile replaces path with data atomically: a temporary file in the same folder, mode 0600,
// written and synced, renamed over path, then the folder synced. A reader sees the old content
// or the new, never a mix. Empty data is refused.
func WriteFile(path string, data []byte) (err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("refusing to write an empty token file")
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("token file %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if err := fillAndClose(f, data); err != nil {
		return fmt.Errorf("token file %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("token file %s: %w", path, err)
	}
	return syncDir(dir)
}

func fillAndClose(f *os.File, data []byte) error {
	// 0600 before the first byte, so the token is never readable by others.
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("token folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing token folder %s: %w", dir, err)
	}
	return nil
}

// ReadTokenFile reads the token file and its exp/iat.
func ReadTokenFile(path string) (Token, error) {
	f, err := os.Open(path)
	if err != nil {
		return Token{}, fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return Token{}, fmt.Errorf("token file %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return Token{}, fmt.Errorf("token file %s is larger than %d bytes", path, maxFileBytes)
	}
	t, err := TokenFromJWT(string(data))
	if err != nil {
		return Token{}, fmt.Errorf("token file %s: %w", path, err)
	}
	return t, nil
}
