// Command gendeputies writes a spreadsheet of made-up deputies in the
// import layout, for tests, benchmarks and trying the console:
//
//	go run ./bench/gendeputies -n 5000 -o /tmp/deputies-5000.xlsx [-bad 3] [-seed 1]
//
// -bad N gives N rows, spread through the file, an invalid phone, to
// see how an import reports bad rows.
package main

import (
	"flag"
	"fmt"
	"os"

	"deputybot/core"
)

// badPhones are the invalid values -bad cycles through.
var badPhones = []string{"1380013800", "abc", "12345678901", "138-0013-80000"}

func main() {
	n := flag.Int("n", 5000, "number of deputies")
	out := flag.String("o", "deputies.xlsx", "output file (.xlsx or .csv)")
	bad := flag.Int("bad", 0, "number of rows given an invalid phone")
	seed := flag.Int64("seed", 1, "random seed; the same seed gives the same file")
	flag.Parse()
	if *n < 0 || *bad < 0 || *bad > *n {
		fmt.Fprintln(os.Stderr, "gendeputies: need 0 <= -bad <= -n")
		os.Exit(2)
	}
	ds := core.SampleDeputies(*n, *seed)
	for i := range *bad {
		// Spread the bad rows through the file, not all at the top.
		ds[(i+1)**n/(*bad+1)].Phone = badPhones[i%len(badPhones)]
	}
	if err := core.WriteDeputiesFile(*out, ds); err != nil {
		fmt.Fprintln(os.Stderr, "gendeputies:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d deputies (%d with a bad phone) to %s\n", *n, *bad, *out)
}
