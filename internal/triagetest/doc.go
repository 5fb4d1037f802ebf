// Package triagetest makes the connections and captures that the tests of
// triage and of report's triage writers merge.
package triagetest
