// Package trust compares the certificates a SIP over TLS peer presented with
// a CallManager-trust folder exported from a Cisco CUCM node (OS
// Administration > Security > Certificate Management, or a CUBE's
// trustpoints), and says in CUCM words what to upload where.
//
// # The whole-store model
//
// A capture is taken on one node, and its trust folder judges the
// certificates that node receives. Load reads such a folder (or a single
// file) into a Store: PEM files with one or many certificates, DER files
// (.der, .cer, .crt; the content decides, not the extension), and PKCS#7
// bundles (.p7b, .p7c, PEM or DER, read with github.com/smallstep/pkcs7).
// Every certificate of the folder is a trust anchor, as on CUCM, where each
// CallManager-trust entry is trusted on its own whether or not it is a
// self-signed root. Files that hold no certificate (a README), PEM blocks
// that are not certificates (private keys, CRLs) and c_rehash symlinks are
// listed in Store.Skipped with the reason; the same certificate in two
// places is listed in Store.Duplicates. One bad file never stops the load;
// only a folder without any certificate is an error (*NoCertificatesError).
//
// Only regular files are read, as the opened file's Stat says (LoadPath
// opens with O_NONBLOCK, so a named pipe never blocks): a device, a named
// pipe or a socket in the folder, or behind a symbolic link in it, is
// listed in Store.Skipped with its kind, and a trust path that is one is a
// *NotFileError ("trust: /dev/zero is a device, not a certificate file or
// folder"). A file is read through an io.LimitReader, never trusting Stat:
// more than MaxFileSize (4 MiB) skips it. A folder is read up to
// MaxFolderEntries entries, MaxFolderBytes bytes and MaxCertificates
// certificates; the cap that stops it is Store.CapHit and a Skipped entry.
// Files and subfolders that could not be read carry a *LoadError and are
// returned by Store.Unreadable: the command line makes them exit status 2.
//
// Store.Judge gives one verdict (a Status) per presented chain, leaf first
// as sent, at the capture time of the packet that carried it, never at
// time.Now: crypto/x509 verifies the chain with the presented intermediates
// and the store's certificates as roots, with VerifyOptions.CurrentTime set
// to the capture time. The verdicts, in the order they are tried, are
// exact_match, chains_to, stale_copy, missing_intermediate and untrusted
// (see the Status constants). Validity (at the capture time and, when
// JudgeOptions.Today is set, today), the role the certificate played
// (serverAuth for the TLS server, clientAuth for the client), key usage,
// weak keys and weak signatures are reported as Checks beside the verdict,
// so a certificate that the folder trusts but that had expired at capture
// time is exact_match or chains_to with an expired_at_capture check, and a
// chain whose anchor in the folder had expired is chains_to with a
// trust_file_expired_at_capture check: the verdict says which file is
// involved, the checks say why a stack that enforces validity (OpenSSL and
// Go do) refused it. Judgement.Err then holds crypto/x509's error at the
// capture time.
//
// A Judge applies the folders to connections: each chain is judged by the
// folder of the node that received it, --trust being the capture node's.
// When the capture node could not be told, the capture node's folder
// judges the chains of both ends, each as if its receiver were the node
// (SideTrust.NodeUnknown). Judge.NodeVotes gives diagnose.NodeFinder what
// the folder and the expected names say about which end is the peer.
//
// MatchNames implements the "X.509 Subject Name" field of a CUCM SIP Trunk
// Security Profile, and AuditCertificateRequest compares a server's
// CertificateRequest CA list with the client's chain.
//
// # What it does not do
//
// There is no revocation checking: neither CRLs nor OCSP are consulted, as
// in crypto/x509. A revoked certificate that is in the folder is reported as
// trusted. Name constraints and policies are only checked as far as
// crypto/x509's Verify checks them.
package trust
