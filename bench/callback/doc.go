// Package callback holds the WeChat callback benchmarks of issue 8: the
// full /wechat handler against a minimal reference handler on the same
// database (BenchmarkCallback), and a storm of TEMPLATESENDJOBFINISH
// events (BenchmarkStatusStorm). The code is in the _test.go files; the
// figures and commands are in docs/benchmarks.md.
//
//	go test ./bench/callback -run '^$' -bench . -benchtime 4000x
package callback
