// Package broadcast measures a 200,000-recipient campaign sent by a real
// `deputybot serve` process, with the WeChat simulator outside it (in the
// benchmark's own process), so the server's peak resident memory (VmHWM)
// and CPU time are its own: BenchmarkBroadcastRSS. It also checks the
// rate limiter against a slow WeChat (100 ms per call): the achieved send
// rate against the configured one. The code is in the _test.go file; the
// figures and commands are in docs/benchmarks.md.
//
//	go test ./bench/broadcast -run '^$' -bench . -benchtime 1x -timeout 60m
package broadcast
