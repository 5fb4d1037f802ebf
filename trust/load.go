package trust

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/siptls/siptls/internal/regfile"

	"github.com/siptls/siptls/certinfo"
)

// The caps of Load. A CallManager-trust export holds tens of files of a few
// kilobytes each; the caps keep a wrong or hostile folder (a symbolic link
// to /dev/zero, a disk image, a whole file system) from taking the memory.
const (
	// MaxFileSize is the most bytes Load reads of one file: a bigger file
	// is skipped. The size is counted while reading, never taken from
	// Stat.
	MaxFileSize = 4 << 20
	// MaxFolderEntries is the most files and folders Load visits in a
	// folder; the rest is not read, and a Skipped entry says so.
	MaxFolderEntries = 20000
	// MaxFolderBytes is the most bytes Load reads in a folder, all files
	// together; the rest is not read, and a Skipped entry says so.
	MaxFolderBytes = 16 << 20
	// MaxCertificates is the most certificates Load keeps; the rest is not
	// read, and a Skipped entry says so.
	MaxCertificates = 10000
)

// Entry is one certificate of a trust store.
type Entry struct {
	// File is the file's path relative to the store's root (slash
	// separated), or its base name when the store is a single file.
	File string
	// Index is the certificate's position within the file, from 0 (a PEM
	// file or a PKCS#7 bundle can hold several).
	Index int
	// Info is certinfo's view of the certificate. Info.Cert is nil when
	// crypto/x509 refuses the certificate: such an entry can still match a
	// presented certificate by fingerprint, but never anchors a chain.
	Info *certinfo.Info
}

// Name returns the file and, for a file with several certificates, the
// position, as "bundle.p7b#2".
func (e *Entry) Name() string {
	if e.Index == 0 {
		return e.File
	}
	return fmt.Sprintf("%s#%d", e.File, e.Index)
}

// Skipped is a file, or a part of a file, that held no usable certificate.
type Skipped struct {
	// File is the path relative to the store's root.
	File string
	// Part is "" when the whole file was skipped, otherwise the part of it
	// that was, e.g. "PEM block 4 (RSA PRIVATE KEY)".
	Part string
	// Reason says why, in a few words ("not a certificate: no PEM block
	// and not DER").
	Reason string
	// Err is the underlying error, when there is one (a read error, a
	// PKCS#7 parse error); nil otherwise. A file or folder that could not
	// be read has a *LoadError here (see Store.Unreadable).
	Err error
}

// Duplicate is a certificate found more than once in the store.
type Duplicate struct {
	// SHA256 is the certificate's fingerprint (lowercase hex).
	SHA256 string
	// Subject is the certificate's subject (RFC 4514).
	Subject string
	// Where lists every place it was found, as Entry.Name gives them, in
	// load order.
	Where []string
}

// Store is a loaded trust folder: every certificate of it is a trust anchor
// for the node it belongs to.
type Store struct {
	// Path is the folder or file as given to LoadPath (or the root given
	// to Load).
	Path string
	// Node is the IP address of the node whose trust store this is, "" when
	// unknown.
	Node string
	// Certs lists every certificate in load order (files in lexical order,
	// certificates in file order), duplicates included.
	Certs []*Entry
	// Skipped lists the files and parts of files that held no certificate.
	Skipped []Skipped
	// Duplicates lists the certificates found more than once.
	Duplicates []Duplicate
	// CapHit names the cap that stopped the load before the end of the
	// folder ("MaxFolderEntries", "MaxFolderBytes", "MaxCertificates"),
	// "" when the whole folder was read. Skipped says where it stopped.
	CapHit string

	entries int   // files and folders visited
	bytes   int64 // bytes read

	bySHA      map[string]*Entry   // first entry per fingerprint
	bySubject  map[string][]*Entry // raw subject DER → entries (unique)
	byCN       map[string][]*Entry // lowercased CN → entries (unique)
	unique     []*Entry            // one entry per fingerprint, load order
	roots      *x509.CertPool      // every parsed certificate
	inters     *x509.CertPool      // parsed certificates that are not self-signed
	byPoolCert map[*x509.Certificate]*Entry
	bounds     []int64 // sorted validity boundaries of the store, Unix ns
	cache      *verifyCache
}

// LoadError reports a file or folder that could not be read.
type LoadError struct {
	// Path is the file or folder.
	Path string
	// Err is the underlying error (from io/fs or os).
	Err error
}

// Error implements error.
func (e *LoadError) Error() string {
	return "cannot read " + e.Path + ": " + regfile.Cause(e.Err).Error() // the path is said once
}

// Unwrap returns the underlying error.
func (e *LoadError) Unwrap() error { return e.Err }

// NotFileError reports a trust path that is neither a regular file nor a
// folder: a device, a named pipe or a socket, which Load never reads.
type NotFileError struct {
	// Path is the path as given.
	Path string
	// Mode is its file mode (the type bits say which kind it is).
	Mode fs.FileMode
}

// Error implements error: "trust: /dev/zero is a device, not a
// certificate file or folder".
func (e *NotFileError) Error() string {
	return "trust: " + e.Path + " is " + kindOf(e.Mode) + ", not a certificate file or folder"
}

// kindOf names the kind of a file that is not regular, as "a device".
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0, m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a folder"
	case m.IsRegular():
		return "a regular file"
	}
	return "not a regular file"
}

// NoCertificatesError reports a trust folder or file in which no
// certificate could be loaded.
type NoCertificatesError struct {
	// Path is the folder or file.
	Path string
	// Skipped is how many files or parts of files were skipped.
	Skipped int
}

// Error implements error.
func (e *NoCertificatesError) Error() string {
	return fmt.Sprintf("no certificate in %s (%d skipped)", e.Path, e.Skipped)
}

// LoadPath loads the trust folder or file at path of the local file system
// (through os.DirFS) for the node with IP address node ("" if unknown). See
// Load.
//
// A path that is a device, a named pipe or a socket is a *NotFileError:
// it is never opened. Files are opened with O_NONBLOCK, so that a named
// pipe that takes the place of a file after the check, or that a symbolic
// link in the folder points to, is skipped and never waited on.
func LoadPath(p string, node string) (*Store, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, &LoadError{Path: p, Err: err}
	}
	if !st.IsDir() && !st.Mode().IsRegular() {
		return nil, &NotFileError{Path: p, Mode: st.Mode()}
	}
	var s *Store
	if st.IsDir() {
		s, err = Load(nonBlockingFS(p), ".", node)
	} else {
		s, err = Load(nonBlockingFS(filepath.Dir(p)), filepath.Base(p), node)
	}
	var nf *NotFileError
	if errors.As(err, &nf) {
		nf.Path = p
	}
	if s != nil {
		s.Path = p
	}
	var ne *NoCertificatesError
	if errors.As(err, &ne) {
		ne.Path = p
	}
	return s, err
}

// Load reads the trust folder root of fsys, walked recursively, or the
// single file root, for the node with IP address node ("" if unknown).
//
// Files are recognised by content: PEM with CERTIFICATE, X509 CERTIFICATE,
// TRUSTED CERTIFICATE or PKCS7 blocks (other blocks are listed in Skipped),
// DER certificates, and DER PKCS#7 bundles. Files that cannot be read or
// hold no certificate, and symbolic links to a file in the same folder (as
// c_rehash makes them), are listed in Skipped; other symbolic links are
// followed. Only regular files are read: the mode of the opened file
// decides, so a link to a device, a named pipe or a socket is listed in
// Skipped with its kind. At most MaxFileSize bytes are read of a file,
// MaxFolderBytes of the folder, MaxFolderEntries entries are visited and
// MaxCertificates certificates kept; a cap that is hit stops the load, sets
// CapHit and is listed in Skipped. Load returns a *LoadError when root
// cannot be read, a *NotFileError when root is neither a folder nor a
// regular file, and the Store together with a *NoCertificatesError when no
// certificate was found (so the skipped files can still be shown).
func Load(fsys fs.FS, root string, node string) (*Store, error) {
	s := &Store{Path: root, Node: node}
	st, err := fs.Stat(fsys, root)
	if err != nil {
		return nil, &LoadError{Path: root, Err: err}
	}
	if !st.IsDir() {
		if !st.Mode().IsRegular() {
			return nil, &NotFileError{Path: root, Mode: st.Mode()}
		}
		s.loadFile(fsys, root, path.Base(root))
	} else {
		err = fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
			rel := relPath(root, name)
			if err != nil {
				if name == root {
					return err
				}
				s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: "unreadable", Err: &LoadError{Path: rel, Err: err}})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if name != root {
				if s.entries++; s.entries > MaxFolderEntries {
					s.stop(rel, "MaxFolderEntries", fmt.Sprintf("the folder has more than %d files and folders", MaxFolderEntries))
					return fs.SkipAll
				}
			}
			if d.IsDir() {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				target, lerr := fs.ReadLink(fsys, name)
				if lerr == nil && !strings.Contains(target, "/") {
					s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: "c_rehash symlink to " + target})
					return nil
				}
			} else if !d.Type().IsRegular() {
				s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: kindOf(d.Type()) + ", not a regular file"})
				return nil
			}
			s.loadFile(fsys, name, rel)
			if s.CapHit != "" {
				return fs.SkipAll
			}
			return nil
		})
		if err != nil {
			return nil, &LoadError{Path: root, Err: err}
		}
	}
	s.index()
	if len(s.Certs) == 0 {
		return s, &NoCertificatesError{Path: root, Skipped: len(s.Skipped)}
	}
	return s, nil
}

func relPath(root, name string) string {
	if root == "." {
		return name
	}
	if r, ok := strings.CutPrefix(name, root+"/"); ok {
		return r
	}
	return name
}

// stop records that the cap named cap stopped the load at rel.
func (s *Store) stop(rel, cap, why string) {
	s.CapHit = cap
	s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: "not read, nor anything after it: " + why + " (trust." + cap + ")"})
}

// Unreadable returns the skipped files and folders that could not be read
// (permission denied, an I/O error), as opposed to those read and found to
// hold no certificate.
func (s *Store) Unreadable() []Skipped {
	var out []Skipped
	for _, k := range s.Skipped {
		var le *LoadError
		if errors.As(k.Err, &le) {
			out = append(out, k)
		}
	}
	return out
}

// loadFile reads one file and adds its certificates, or a Skipped entry.
// It reads only a regular file, as the opened file's Stat says, and at
// most MaxFileSize bytes of it, whatever Stat says its size is.
func (s *Store) loadFile(fsys fs.FS, name, rel string) {
	unreadable := func(err error) {
		s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: "unreadable", Err: &LoadError{Path: rel, Err: err}})
	}
	notRegular := func(m fs.FileMode) {
		s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: kindOf(m) + ", not a regular file"})
	}
	// Stat first, so that a device is not even opened; the opened file's
	// Stat is checked again below, in case the file changed in between.
	if st, err := fs.Stat(fsys, name); err == nil && !st.Mode().IsRegular() {
		notRegular(st.Mode())
		return
	}
	f, err := fsys.Open(name)
	if nr, ok := errors.AsType[*regfile.NotRegularError](err); ok {
		notRegular(nr.Mode) // nonBlockingFS checked the opened file
		return
	}
	if err != nil {
		unreadable(err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		unreadable(err)
		return
	}
	if !st.Mode().IsRegular() {
		notRegular(st.Mode())
		return
	}
	limit := min(int64(MaxFileSize), MaxFolderBytes-s.bytes)
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	s.bytes += int64(len(data))
	if err != nil {
		unreadable(err)
		return
	}
	if int64(len(data)) > limit {
		if limit < MaxFileSize {
			s.stop(rel, "MaxFolderBytes", fmt.Sprintf("the folder's files add up to more than %d MiB", MaxFolderBytes>>20))
			return
		}
		s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: fmt.Sprintf("too large: more than %d MiB (trust.MaxFileSize)", MaxFileSize>>20)})
		return
	}
	before := len(s.Certs)
	s.parseData(rel, data)
	if s.CapHit != "" {
		return
	}
	if len(s.Certs) == before && !s.hasSkipped(rel) {
		s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: "no certificate in it"})
	}
}

// hasSkipped reports whether the last skipped entry is about file rel.
func (s *Store) hasSkipped(rel string) bool {
	return len(s.Skipped) > 0 && s.Skipped[len(s.Skipped)-1].File == rel
}

// parseData sniffs data: PEM, a DER PKCS#7 bundle, or DER certificates.
func (s *Store) parseData(rel string, data []byte) {
	switch {
	case bytes.Contains(data, []byte("-----BEGIN ")):
		s.parsePEM(rel, data)
	case isDERSequence(data):
		if isPKCS7(data) {
			s.addPKCS7(rel, "", data)
			return
		}
		s.addDER(rel, "", data)
	case len(bytes.TrimSpace(data)) == 0:
		s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: "empty file"})
	default:
		s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: "not a certificate: no PEM block and not DER"})
	}
}

func isDERSequence(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x30
}

// oidSignedData is PKCS#7 signedData (RFC 2315 section 14).
var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// isPKCS7 reports whether data starts with a ContentInfo of type signedData.
func isPKCS7(data []byte) bool {
	var ci struct {
		ContentType asn1.ObjectIdentifier
		Rest        asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	_, err := asn1.UnmarshalWithParams(data, &ci, "")
	if err != nil {
		// BER (indefinite lengths) is not DER: look at the OID only.
		return bytes.Contains(data[:min(len(data), 32)], []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02})
	}
	return ci.ContentType.Equal(oidSignedData)
}

func (s *Store) parsePEM(rel string, data []byte) {
	n := 0
	for block := 1; ; block++ {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			if n == 0 && block == 1 {
				s.Skipped = append(s.Skipped, Skipped{File: rel, Reason: "not a certificate: no complete PEM block"})
			}
			return
		}
		part := fmt.Sprintf("PEM block %d (%s)", block, b.Type)
		switch b.Type {
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			s.addDER(rel, part, b.Bytes)
			n++
		case "PKCS7", "PKCS #7 SIGNED DATA", "CERTIFICATE CHAIN":
			s.addPKCS7(rel, part, b.Bytes)
			n++
		default:
			reason := "not a certificate"
			if strings.Contains(b.Type, "PRIVATE KEY") {
				reason = "a private key, not a certificate (it should not be in a trust folder)"
			} else if strings.Contains(b.Type, "CRL") {
				reason = "a CRL, not a certificate (revocation is not checked)"
			}
			s.Skipped = append(s.Skipped, Skipped{File: rel, Part: part, Reason: reason})
		}
	}
}

// addDER adds the DER certificates in data: usually one, but files made by
// cat of DER files hold several in a row. A TRUSTED CERTIFICATE's trailing
// OpenSSL auxiliary data (trust settings) is ignored, and so is anything
// after the first certificate that crypto/x509 does not accept.
func (s *Store) addDER(rel, part string, data []byte) {
	trusted := strings.Contains(part, "TRUSTED")
	for first := true; len(data) > 0; first = false {
		var raw asn1.RawValue
		rest, err := asn1.Unmarshal(data, &raw)
		if err != nil || raw.Tag != asn1.TagSequence || raw.Class != asn1.ClassUniversal {
			if first {
				s.Skipped = append(s.Skipped, Skipped{File: rel, Part: part, Reason: "not a certificate: not DER", Err: err})
			}
			return
		}
		info := certinfo.Parse(raw.FullBytes)
		switch {
		case first && info.Version == 0:
			s.Skipped = append(s.Skipped, Skipped{File: rel, Part: part, Reason: "not a certificate: " + info.ParseError})
			return
		case !first && info.Cert == nil:
			return
		}
		s.add(rel, info)
		if trusted {
			return
		}
		data = rest
	}
}

func (s *Store) countIn(rel string) int {
	n := 0
	for i := len(s.Certs) - 1; i >= 0 && s.Certs[i].File == rel; i-- {
		n++
	}
	return n
}

// add adds one certificate, unless MaxCertificates are kept already: then
// the load stops.
func (s *Store) add(rel string, info *certinfo.Info) {
	if s.CapHit != "" {
		return
	}
	if len(s.Certs) >= MaxCertificates {
		s.stop(rel, "MaxCertificates", fmt.Sprintf("the folder holds more than %d certificates", MaxCertificates))
		return
	}
	s.Certs = append(s.Certs, &Entry{File: rel, Index: s.countIn(rel), Info: info})
}

// addPKCS7 adds the certificates of a PKCS#7 bundle.
func (s *Store) addPKCS7(rel, part string, data []byte) {
	certs, err := parsePKCS7(data)
	if err != nil {
		s.Skipped = append(s.Skipped, Skipped{File: rel, Part: part, Reason: "unreadable PKCS#7 bundle", Err: err})
		return
	}
	if len(certs) == 0 {
		s.Skipped = append(s.Skipped, Skipped{File: rel, Part: part, Reason: "PKCS#7 bundle without certificates"})
		return
	}
	for _, c := range certs {
		s.add(rel, certinfo.Parse(c.Raw))
	}
}

// PKCS7Error reports a PKCS#7 bundle the library could not read.
type PKCS7Error struct {
	// Err is github.com/smallstep/pkcs7's error.
	Err error
}

// Error implements error.
func (e *PKCS7Error) Error() string { return "PKCS#7: " + e.Err.Error() }

// Unwrap returns the library's error.
func (e *PKCS7Error) Unwrap() error { return e.Err }

// parsePKCS7 reads the certificates of a bundle; a panic in the library on
// hostile input becomes an error.
func parsePKCS7(data []byte) (certs []*x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			certs, err = nil, &PKCS7Error{Err: fmt.Errorf("malformed bundle (%v)", r)}
		}
	}()
	p7, err := pkcs7.Parse(data)
	if err != nil {
		return nil, &PKCS7Error{Err: err}
	}
	return p7.Certificates, nil
}

// index builds the lookup tables, the certificate pools and the
// duplicate list.
func (s *Store) index() {
	s.bySHA = map[string]*Entry{}
	s.bySubject = map[string][]*Entry{}
	s.byCN = map[string][]*Entry{}
	s.roots = x509.NewCertPool()
	s.inters = x509.NewCertPool()
	s.byPoolCert = map[*x509.Certificate]*Entry{}
	s.cache = newVerifyCache(verifyCacheSize)
	dups := map[string]*Duplicate{}
	var dupOrder []string
	for _, e := range s.Certs {
		sha := e.Info.SHA256
		if first, ok := s.bySHA[sha]; ok {
			d := dups[sha]
			if d == nil {
				d = &Duplicate{SHA256: sha, Subject: e.Info.Subject, Where: []string{first.Name()}}
				dups[sha] = d
				dupOrder = append(dupOrder, sha)
			}
			d.Where = append(d.Where, e.Name())
			continue
		}
		s.bySHA[sha] = e
		s.unique = append(s.unique, e)
		if cn := strings.ToLower(e.Info.SubjectCN); cn != "" {
			s.byCN[cn] = append(s.byCN[cn], e)
		}
		if c := e.Info.Cert; c != nil {
			s.bySubject[string(c.RawSubject)] = append(s.bySubject[string(c.RawSubject)], e)
			s.roots.AddCert(c)
			s.byPoolCert[c] = e
			if !e.Info.SelfSigned {
				s.inters.AddCert(c)
			}
		} else if e.Info.Subject != "" {
			s.bySubject["dn:"+e.Info.Subject] = append(s.bySubject["dn:"+e.Info.Subject], e)
		}
	}
	for _, sha := range dupOrder {
		s.Duplicates = append(s.Duplicates, *dups[sha])
	}
	s.buildBounds()
}

// Lookup returns the store's entry for the certificate with the given
// SHA-256 fingerprint (lowercase hex), or nil.
func (s *Store) Lookup(sha256 string) *Entry { return s.bySHA[strings.ToLower(sha256)] }

// BySubjectCN returns the store's entries (one per distinct certificate)
// whose subject common name equals cn, case-insensitively.
func (s *Store) BySubjectCN(cn string) []*Entry { return s.byCN[strings.ToLower(cn)] }

// OutOfValidityAt returns the store's certificates (one entry per distinct
// certificate, in load order) that are expired or not yet valid at t, the
// capture time: a trust file that anchors nothing then.
func (s *Store) OutOfValidityAt(t time.Time) []*Entry {
	var out []*Entry
	for _, e := range s.unique {
		if v, _ := e.Info.ValidAt(t); v.OutOfPeriod() {
			out = append(out, e)
		}
	}
	return out
}

// Unique returns one entry per distinct certificate, in load order.
func (s *Store) Unique() []*Entry { return s.unique }

// verifyCacheSize bounds the number of cached verification results.
const verifyCacheSize = 4096

// verifyCache remembers trust verdicts by chain fingerprint and time bucket.
type verifyCache struct {
	mu  sync.Mutex
	max int
	m   map[string]*trustResult
}

func newVerifyCache(max int) *verifyCache {
	return &verifyCache{max: max, m: map[string]*trustResult{}}
}

func (c *verifyCache) get(k string) *trustResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *verifyCache) put(k string, r *trustResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = r
}
