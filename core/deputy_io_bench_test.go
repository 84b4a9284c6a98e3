package core

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"deputybot/storage/storagetest"
)

// BenchmarkImport5000 imports a generated 5,000-row .xlsx into a fresh
// database per iteration, on each dialect. Target: under 3 s an import.
//
//	go test ./core -run '^$' -bench Import5000 -benchtime 3x
func BenchmarkImport5000(b *testing.B) {
	const n = 5000
	path := filepath.Join(b.TempDir(), "deputies-5000.xlsx")
	if err := WriteDeputiesFile(path, SampleDeputies(n, 1)); err != nil {
		b.Fatal(err)
	}
	for _, dialect := range storagetest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				reg := NewRegistry(storagetest.Open(b, dialect))
				b.StartTimer()
				rep, err := reg.ImportFile(ctx, path, ImportOptions{})
				if err != nil || rep.Created != n {
					b.Fatalf("import = %+v, %v", rep, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkRead5000 is the import's share without the database: opening,
// reading and validating 5,000 rows.
func BenchmarkRead5000(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteDeputies(&buf, "xlsx", SampleDeputies(5000, 1)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		src, err := openSheet(bytes.NewReader(buf.Bytes()), "deputies.xlsx")
		if err != nil {
			b.Fatal(err)
		}
		rows, _, err := readDeputyRows(context.Background(), src, "deputies.xlsx")
		src.close()
		if err != nil || len(rows) != 5000 {
			b.Fatalf("read %d rows: %v", len(rows), err)
		}
	}
}
