package token

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// The file names earlier versions of authapi kept a generated key pair in,
// inside KEYS_DIR; the keyring imports them into the database once.
const (
	privateKeyFile = "jwt_private_key.pem"
	publicKeyFile  = "jwt_public_key.pem"
)

// LoadFiles reads the key pair an earlier version generated into dir
// (jwt_private_key.pem, PKCS#8; jwt_public_key.pem, PKIX, optional): the error
// wraps fs.ErrNotExist when dir holds no private key, and a private key file
// that group or others may read or write is refused.
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
		// taken for "no key file", and a new key made in its place.
		return nil, fmt.Errorf("read private key: %v", err)
	}
	pubPEM, err := os.ReadFile(pubPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read public key: %v", err)
	}
	return parsePEM(alg, privPEM, pubPEM, names{alg: "JWT_ALGORITHM", private: privPath, public: pubPath})
}
