// Package sanitize makes untrusted strings (SNI, certificate names, file
// names, error messages that quote them) safe for a terminal and for JSON
// that a terminal may show. report re-exports it as Sanitize, EscapeJSON and
// JSONEscaper; triage uses it for the names its pattern sentences quote.
package sanitize
