package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"deputybot/storage"
	"deputybot/storage/storagetest"
)

// The storage layer keeps to SQL that MySQL 8, MariaDB 10.6+ and their
// kin (TiDB, OceanBase's MySQL mode …) read alike; docs/deploy.md lists
// what it relies on. CI runs on MariaDB: the tests below pin, on the
// server at DEPUTYBOT_TEST_MYSQL_DSN, the semantics the code relies on
// where MySQL 8 and MariaDB are known to differ or a compatible server
// may, so pointing that DSN at a MySQL 8 (or any other) server shows a
// difference as a failing test. The static checks read the SQL itself
// for what MariaDB accepts and MySQL 8 refuses.

// mysqlOnly runs fn on the MySQL database of storagetest.Each.
func mysqlOnly(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		if db.Dialect() != storage.MySQL {
			t.Skip("MySQL semantics")
		}
		fn(t, db)
	})
}

func conn(t *testing.T, db *storage.DB) *sql.Conn {
	t.Helper()
	c, err := db.SQL().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func scalar(t *testing.T, c *sql.Conn, q string, args ...any) sql.NullInt64 {
	t.Helper()
	var v sql.NullInt64
	if err := c.QueryRowContext(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func TestEveryConnectionRunsInMySQL8sSQLMode(t *testing.T) {
	mysqlOnly(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var mode string
		if err := db.SQL().QueryRowContext(ctx, `SELECT @@SESSION.sql_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		for _, m := range strings.Split(storage.SQLMode, ",") {
			if !slices.Contains(strings.Split(mode, ","), m) {
				t.Errorf("session sql_mode %q lacks %s", mode, m)
			}
		}
		// So a MariaDB run refuses what MySQL 8 refuses: a column neither
		// grouped nor aggregated.
		_, err := db.SQL().ExecContext(ctx, `SELECT id, COUNT(*) FROM deliveries GROUP BY status`)
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != 1055 {
			t.Errorf("a query MySQL 8 refuses (ONLY_FULL_GROUP_BY) gave %v, want error 1055", err)
		}
	})
}

// TestGetLockHoldsAsTheSchedulerNeeds pins the named-lock semantics of the
// scheduler's leader and job locks (scheduler/leader.go): each lock is
// held by one dedicated connection; another session's GET_LOCK(name, 0)
// fails at once; IS_USED_LOCK names the holder, which is how the holder
// checks it still leads; the server frees the lock when the holder's
// connection ends (a crash hands over by itself). Since MySQL 5.7.5 and
// MariaDB 10.0.2 a session may hold several locks, and the same one
// several times (released as many times): the scheduler does neither
// (a lock per connection), and the test pins that too, so a server where
// a second GET_LOCK releases the first shows up here.
func TestGetLockHoldsAsTheSchedulerNeeds(t *testing.T) {
	mysqlOnly(t, func(t *testing.T, db *storage.DB) {
		name := "deputybot_test/" + strings.ReplaceAll(t.Name(), "/", "_")
		other := name + "/other"
		holder, rival := conn(t, db), conn(t, db)
		id := scalar(t, holder, `SELECT CONNECTION_ID()`)
		if got := scalar(t, holder, `SELECT GET_LOCK(?, 0)`, name); got.Int64 != 1 {
			t.Fatalf("GET_LOCK on a free name: %v, want 1", got)
		}
		if got := scalar(t, rival, `SELECT GET_LOCK(?, 0)`, name); !got.Valid || got.Int64 != 0 {
			t.Errorf("another session's GET_LOCK(name, 0) on a held lock: %v, want 0 at once", got)
		}
		if got := scalar(t, rival, `SELECT IS_USED_LOCK(?)`, name); got != id {
			t.Errorf("IS_USED_LOCK from another session: %v, want the holder's connection id %d", got, id.Int64)
		}
		if got := scalar(t, holder, `SELECT IS_USED_LOCK(?) = CONNECTION_ID()`, name); got.Int64 != 1 {
			t.Errorf("the holder's own check (IS_USED_LOCK = CONNECTION_ID()): %v, want 1", got)
		}
		// Several locks in one session, and the same one twice.
		if got := scalar(t, holder, `SELECT GET_LOCK(?, 0)`, other); got.Int64 != 1 {
			t.Errorf("a second lock in the same session: %v, want 1", got)
		}
		if got := scalar(t, rival, `SELECT IS_USED_LOCK(?)`, name); got != id {
			t.Errorf("the first lock after the session took a second: holder %v, want %d (still held)", got, id.Int64)
		}
		if got := scalar(t, holder, `SELECT GET_LOCK(?, 0)`, name); got.Int64 != 1 {
			t.Errorf("the same lock again in its session: %v, want 1 (re-entrant)", got)
		}
		if got := scalar(t, holder, `SELECT RELEASE_LOCK(?)`, name); got.Int64 != 1 {
			t.Errorf("RELEASE_LOCK by the holder: %v, want 1", got)
		}
		if got := scalar(t, rival, `SELECT IS_USED_LOCK(?)`, name); got != id {
			t.Errorf("after one release of a lock taken twice: holder %v, want %d (one count left)", got, id.Int64)
		}
		if got := scalar(t, rival, `SELECT RELEASE_LOCK(?)`, other); !got.Valid || got.Int64 != 0 {
			t.Errorf("RELEASE_LOCK by a session not holding it: %v, want 0", got)
		}
		// The holder dies: its locks go with its connection.
		if err := holder.Raw(func(dc any) error { return dc.(interface{ Close() error }).Close() }); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for scalar(t, rival, `SELECT IS_USED_LOCK(?)`, name).Valid && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := scalar(t, rival, `SELECT GET_LOCK(?, 0)`, name); got.Int64 != 1 {
			t.Errorf("GET_LOCK after the holder's connection closed: %v, want 1", got)
		}
		if got := scalar(t, rival, `SELECT IS_FREE_LOCK(?)`, other); got.Int64 != 1 {
			t.Errorf("the dead holder's second lock: IS_FREE_LOCK %v, want 1", got)
		}
		scalar(t, rival, `SELECT RELEASE_LOCK(?)`, name)
	})
}

// TestInsertIgnoreSkipsDuplicatesWithAWarning pins what the dedupe
// records (inbound messages, template reports, tags) rely on: INSERT
// IGNORE of a duplicate key inserts nothing, changes nothing, reports 0
// rows, and leaves warning 1062 instead of an error; a multi-row INSERT
// IGNORE reports only the rows it added.
func TestInsertIgnoreSkipsDuplicatesWithAWarning(t *testing.T) {
	mysqlOnly(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := conn(t, db)
		if _, err := c.ExecContext(ctx, `INSERT INTO tags (name) VALUES ('甲')`); err != nil {
			t.Fatal(err)
		}
		res, err := c.ExecContext(ctx, `INSERT IGNORE INTO tags (name) VALUES ('甲')`)
		if err != nil {
			t.Fatalf("INSERT IGNORE of a duplicate: %v, want no error", err)
		}
		if n, _ := res.RowsAffected(); n != 0 {
			t.Errorf("INSERT IGNORE of a duplicate affected %d rows, want 0", n)
		}
		var level, msg string
		var code int
		if err := c.QueryRowContext(ctx, `SHOW WARNINGS`).Scan(&level, &code, &msg); err != nil || code != 1062 {
			t.Errorf("the warning after INSERT IGNORE of a duplicate: %d %q (%v), want 1062", code, msg, err)
		}
		res, err = c.ExecContext(ctx, `INSERT IGNORE INTO tags (name) VALUES ('甲'), ('乙'), ('丙'), ('乙')`)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 2 {
			t.Errorf("multi-row INSERT IGNORE with 2 new of 4 affected %d rows, want 2", n)
		}
		var rows int
		if err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM tags WHERE name IN ('甲', '乙', '丙')`).Scan(&rows); err != nil || rows != 3 {
			t.Errorf("%d tags (%v), want 3", rows, err)
		}
	})
}

// TestUpsertsAndAssignmentOrder pins two things the SQL relies on: ON
// DUPLICATE KEY UPDATE with VALUES(col) (deprecated since MySQL 8.0.20,
// still read by MySQL 8.0/8.4 and by MariaDB, which lacks the newer row
// alias) updates the row; and a single-table UPDATE assigns its SET list
// left to right, each later expression seeing the earlier assignments
// (ClaimDue counts a reclaim from the old status by assigning reclaims
// before status; MariaDB's SIMULTANEOUS_ASSIGNMENT mode would read old
// values throughout, which that order also survives).
func TestUpsertsAndAssignmentOrder(t *testing.T) {
	mysqlOnly(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := conn(t, db)
		for _, used := range []int{3, 4} {
			if _, err := c.ExecContext(ctx, `INSERT INTO send_quota (day, used) VALUES ('2026-12-01', ?)
				ON DUPLICATE KEY UPDATE used = used + VALUES(used)`, used); err != nil {
				t.Fatal(err)
			}
		}
		if got := scalar(t, c, `SELECT used FROM send_quota WHERE day = '2026-12-01'`); got.Int64 != 7 {
			t.Errorf("quota after two upserts of 3 and 4: %v, want 7", got)
		}
		if _, err := c.ExecContext(ctx, `UPDATE send_quota SET used = used + 1, day = CASE WHEN used = 8 THEN '2026-12-02' ELSE day END
			WHERE day = '2026-12-01'`); err != nil {
			t.Fatal(err)
		}
		if got := scalar(t, c, `SELECT COUNT(*) FROM send_quota WHERE day = '2026-12-02'`); got.Int64 != 1 {
			t.Errorf("an UPDATE's second assignment did not see its first (used 7 -> 8): SET is not assigned left to right here")
		}
	})
}

// TestAClaimIsExclusiveEvenWhereSkipLockedIsIgnored: TiDB (through 8.5)
// accepts FOR UPDATE SKIP LOCKED and takes no lock at all, so two
// dispatchers may select the same due rows. The claiming UPDATE checks
// each row again and only the rows it changed are returned: the second
// dispatcher gets none of the first one's. Here the claim runs without
// any locking clause, and a rival claims in full between its SELECT and
// its UPDATE.
func TestAClaimIsExclusiveEvenWhereSkipLockedIsIgnored(t *testing.T) {
	mysqlOnly(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		for range 4 {
			delivery(t, db, "queued", 0)
		}
		now := time.Now().Add(time.Second)
		storage.SetClaimLock(db, "")
		var rival []int64
		storage.SetClaimPaused(db, func() {
			storage.SetClaimPaused(db, nil)
			ds, err := db.ClaimDue(ctx, "rival", now, 10, time.Minute, false)
			if err != nil {
				t.Error(err)
			}
			for _, d := range ds {
				rival = append(rival, d.ID)
			}
		})
		first, err := db.ClaimDue(ctx, "first", now, 10, time.Minute, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(rival) != 4 {
			t.Fatalf("the rival claimed %v, want the 4 due deliveries", rival)
		}
		if len(first) != 0 {
			var ids []int64
			for _, d := range first {
				ids = append(ids, d.ID)
			}
			t.Fatalf("the first dispatcher also got %v, claimed by the rival in the meantime", ids)
		}
	})
}

// The static checks read every SQL statement in storage (the Go files'
// raw strings) and the MySQL migrations.

// mysql8Reserved are the words MySQL 8.0/8.4 reserve and MariaDB does not
// (or reserves only in some modes): as a bare table, column or alias name
// they are a syntax error on MySQL 8 that no MariaDB run shows. (Member:
// GetChatState's alias "member" was one.)
var mysql8Reserved = strings.Fields(`ARRAY CUBE CUME_DIST DENSE_RANK EMPTY EXCEPT FIRST_VALUE FUNCTION GROUPING
	GROUPS INTERSECT JSON_TABLE LAG LAST_VALUE LATERAL LEAD MANUAL MEMBER NTH_VALUE NTILE OF OVER PARALLEL
	PERCENT_RANK QUALIFY RANK RECURSIVE ROW ROWS ROW_NUMBER SYSTEM TABLESAMPLE WINDOW`)

// mariadbOnly are constructs MariaDB reads and MySQL 8 does not.
var mariadbOnly = map[string]*regexp.Regexp{
	"RETURNING":                             regexp.MustCompile(`(?i)\bRETURNING\b`),
	"ADD/DROP COLUMN|INDEX IF [NOT] EXISTS": regexp.MustCompile(`(?i)\b(ADD|DROP)\s+(COLUMN|INDEX|KEY)\s+IF\b`),
	"CREATE INDEX IF NOT EXISTS":            regexp.MustCompile(`(?i)\bCREATE\s+(UNIQUE\s+)?INDEX\s+IF\b`),
	"DROP INDEX IF EXISTS":                  regexp.MustCompile(`(?i)\bDROP\s+INDEX\s+IF\b`),
	"CREATE OR REPLACE":                     regexp.MustCompile(`(?i)\bCREATE\s+OR\s+REPLACE\b`),
	"sequences":                             regexp.MustCompile(`(?i)\b(CREATE\s+SEQUENCE|NEXTVAL|LASTVAL|SETVAL)\b`),
	"INET6/UUID columns":                    regexp.MustCompile(`(?i)\b(INET4|INET6|UUID)\b\s*(NOT|NULL|,|\))`),
	"MariaDB's JSON helpers":                regexp.MustCompile(`(?i)\bJSON_(DETAILED|EQUALS|NORMALIZE|LOOSE|COMPACT|EXISTS)\b`),
	"system versioning":                     regexp.MustCompile(`(?i)\bWITH\s+SYSTEM\s+VERSIONING\b`),
	"VALUE() (singular)":                    regexp.MustCompile(`(?i)\bVALUE\s*\(`),
}

// statements returns the SQL of storage: each raw string of its Go files
// (with quoted literals blanked), but those of files named *_sqlite.go,
// which only SQLite runs, and each MySQL migration, by file.
func statements(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	quoted := regexp.MustCompile(`'[^']*'`)
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range gofiles {
		if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "_sqlite.go") {
			// Tests, and statements only SQLite runs (reports_sqlite.go).
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile("`([^`]*)`").FindAllStringSubmatch(string(src), -1) {
			if strings.Contains(m[1], ":\"") { // a struct tag
				continue
			}
			out[f] = append(out[f], quoted.ReplaceAllString(m[1], "''"))
		}
	}
	migs, _ := filepath.Glob("migrations/mysql/*.sql")
	if len(gofiles) == 0 || len(migs) == 0 {
		t.Fatal("no storage sources found")
	}
	for _, f := range migs {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(string(src), "\n") {
			if i := strings.Index(l, "--"); i >= 0 {
				l = l[:i]
			}
			lines = append(lines, l)
		}
		out[f] = append(out[f], quoted.ReplaceAllString(strings.Join(lines, "\n"), "''"))
	}
	return out
}

func TestNoIdentifierIsAWordMySQL8Reserves(t *testing.T) {
	word := regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	reserved := map[string]bool{}
	for _, w := range mysql8Reserved {
		reserved[w] = true
	}
	for f, sqls := range statements(t) {
		for _, q := range sqls {
			for _, w := range word.FindAllString(q, -1) {
				if reserved[strings.ToUpper(w)] {
					t.Errorf("%s: %q is reserved in MySQL 8 (quote it or rename it): %s", f, w, firstLine(q))
				}
			}
		}
	}
}

func TestNoMariaDBOnlySQL(t *testing.T) {
	for f, sqls := range statements(t) {
		for _, q := range sqls {
			for what, re := range mariadbOnly {
				if re.MatchString(q) {
					t.Errorf("%s: %s is MariaDB-only: %s", f, what, firstLine(q))
				}
			}
		}
	}
}

// TestNoJSONInSQL: JSON is stored as TEXT and read in Go. MariaDB's JSON
// type is LONGTEXT with a check while MySQL's is binary, and their JSON
// functions differ in detail (comparison, key order, whitespace); the
// storage layer sidesteps both.
func TestNoJSONInSQL(t *testing.T) {
	re := regexp.MustCompile(`(?i)(\bJSON_[A-Z]+\s*\(|->>?|\bJSON\b\s*(NOT|NULL|,|\)|DEFAULT))`)
	for f, sqls := range statements(t) {
		for _, q := range sqls {
			if re.MatchString(q) {
				t.Errorf("%s: JSON in SQL: %s", f, firstLine(q))
			}
		}
	}
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i >= 0 {
		q = q[:i] + " …"
	}
	return q
}
