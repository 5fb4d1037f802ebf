// Package stages holds the per-stage benchmarks of siptls analyze: TCP
// reassembly (package pcap), TLS parsing and diagnosis (package diagnose)
// and encoding (package report, each format), each run on the same
// handshake-dense capture that internal/capgen generates, with connections
// per second and allocations per connection. scripts/bench.sh times the
// whole binary beside tshark; these say which stage the time goes to.
//
//	go test -run XXX -bench . -benchmem ./internal/stages
package stages
