package token

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// The file names LoadOrCreate uses inside its directory.
const (
	privateKeyFile = "jwt_private_key.pem"
	publicKeyFile  = "jwt_public_key.pem"
)

// LoadOrCreate keeps a key pair on disk, as servers started with no keys
// configured did before keys moved to the database (which imports these
// files with LoadFiles): dir/jwt_private_key.pem (mode 0600, PKCS#8) and
// dir/jwt_public_key.pem (0644, PKIX). If the private key file exists it is
// loaded, and refused if group or others may read or write it. Otherwise a
// new key for alg is generated and written, created is true, and the caller
// should log that it did so. dir is created with mode 0700 when missing.
//
// Files are written to a temporary name first, so that a crash never leaves a
// half-written key behind, and the private key is put in place with a hard
// link, which fails if the file exists: two servers starting at once on the
// same directory end up with the same key instead of each signing with its own.
func LoadOrCreate(dir, alg string) (k *Key, created bool, err error) {
	if err := checkAlg(alg, "JWT_ALGORITHM"); err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create key directory: %w", err)
	}
	privPath, pubPath := filepath.Join(dir, privateKeyFile), filepath.Join(dir, publicKeyFile)
	k, err = loadKeyFiles(alg, privPath, pubPath)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}

	if k, err = GenerateKey(alg); err != nil {
		return nil, false, err
	}
	privPEM, pubPEM, err := k.encodePEM()
	if err != nil {
		return nil, false, err
	}
	won, err := createFile(privPath, privPEM, 0o600)
	if err != nil {
		return nil, false, err
	}
	if !won {
		// Another process created the key between our look and our write.
		k, err = loadKeyFiles(alg, privPath, pubPath)
		return k, false, err
	}
	// The public file is derived data: replacing a stale one is always right.
	if err := replaceFile(pubPath, pubPEM, 0o644); err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// LoadFiles reads the key pair that LoadOrCreate keeps in dir, without
// creating one: the error wraps fs.ErrNotExist when dir holds no private key.
func LoadFiles(dir, alg string) (*Key, error) {
	if err := checkAlg(alg, "JWT_ALGORITHM"); err != nil {
		return nil, err
	}
	return loadKeyFiles(alg, filepath.Join(dir, privateKeyFile), filepath.Join(dir, publicKeyFile))
}

// loadKeyFiles reads the key pair, returning an error wrapping
// fs.ErrNotExist only when the private key file does not exist.
func loadKeyFiles(alg, privPath, pubPath string) (*Key, error) {
	info, err := os.Stat(privPath)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	// Windows has no Unix mode bits to check; its ACLs are the operator's job.
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("%s can be read or changed by other users (mode %04o); run: chmod 600 %s", privPath, perm, privPath)
	}
	privPEM, err := os.ReadFile(privPath)
	if err != nil {
		// Not wrapped: a file that vanished after the Stat must not be
		// taken for "no key yet" and silently replaced.
		return nil, fmt.Errorf("read private key: %v", err)
	}
	pubPEM, err := os.ReadFile(pubPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read public key: %v", err)
	}
	return parsePEM(alg, privPEM, pubPEM, names{alg: "JWT_ALGORITHM", private: privPath, public: pubPath})
}

// createFile writes data to path with mode perm unless path exists, in which
// case it reports false and leaves the existing file alone.
func createFile(path string, data []byte, perm os.FileMode) (created bool, err error) {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, path)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrExist):
		return false, nil
	default:
		// Some file systems have no hard links; a rename is still atomic,
		// only without the no-replace guarantee.
		if err := os.Rename(tmp, path); err != nil {
			return false, fmt.Errorf("write %s: %w", path, err)
		}
	}
	syncDir(filepath.Dir(path))
	return true, nil
}

// replaceFile atomically replaces path with data, with mode perm.
func replaceFile(path string, data []byte, perm os.FileMode) error {
	tmp, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// writeTemp writes data to a new file beside path and flushes it to disk.
// os.CreateTemp makes the file 0600, so a private key is never readable by
// others, even for a moment; perm is applied explicitly to escape the umask.
func writeTemp(path string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return f.Name(), nil
}

// syncDir makes a new directory entry durable. It is best effort: not every
// platform can sync a directory, and the file itself is already on disk.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
