#!/usr/bin/env bash
# Follows docs/deploy.md's MariaDB steps on this machine and fails at the
# first one that does not work as written: the guide's SQL block (a
# throw-away database and user, a random password), go build, migrate as
# that user with the DSN in a DEPUTYBOT_DATABASE_DSN_FILE, migrate status,
# serve in simulator mode on that database (/healthz, the scheduler's
# GET_LOCK, a WeChat callback through the simulator, /metrics), SIGTERM,
# migrate again (nothing to apply), a schema newer than the binary,
# mariadb-dump --single-transaction and a restore, SQLite .backup and
# VACUUM INTO. Everything it creates is dropped at the end.
#
#   scripts/deploy-check.sh                                       # MariaDB root@127.0.0.1, no password
#   DEPLOY_CHECK_MARIADB="sudo mariadb" \
#   DEPLOY_CHECK_MARIADB_DUMP="sudo mariadb-dump" scripts/deploy-check.sh
#
# Needs: go, curl, gzip, sqlite3, the mariadb client and mariadb-dump, and
# a MariaDB (or MySQL 8) server on 127.0.0.1:3306.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT_CLIENT=${DEPLOY_CHECK_MARIADB:-mariadb -h 127.0.0.1 -u root}
DUMP_CLIENT=${DEPLOY_CHECK_MARIADB_DUMP:-mariadb-dump -h 127.0.0.1 -u root}
name="deputybot_check_$$"
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
work=$(mktemp -d)
serve_pid=""

step() { echo "deploy-check: $*"; }
fail() {
	echo "deploy-check: FAILED: $*" >&2
	exit 1
}
root_sql() { $ROOT_CLIENT -N -B -e "$1"; }

cleanup() {
	local code=$?
	if [[ -n "$serve_pid" ]] && kill -0 "$serve_pid" 2>/dev/null; then
		kill -TERM "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
	fi
	if [[ $code -ne 0 && -f "$work/serve.log" ]]; then
		echo "--- serve log (last 30 lines) ---" >&2
		tail -n 30 "$work/serve.log" >&2
	fi
	local users
	users=$(root_sql "SELECT CONCAT('DROP USER \`', user, '\`@\`', host, '\`;') FROM mysql.user WHERE user = '$name'" 2>/dev/null || true)
	root_sql "DROP DATABASE IF EXISTS \`$name\`; DROP DATABASE IF EXISTS \`${name}_restore\`; $users" >/dev/null 2>&1 ||
		echo "deploy-check: could not drop database/user $name; drop them by hand" >&2
	rm -rf "$work"
	exit $code
}
trap cleanup EXIT

for tool in go curl gzip sqlite3 ${ROOT_CLIENT%% *} ${DUMP_CLIENT%% *}; do
	[[ $tool == sudo ]] && continue
	command -v "$tool" >/dev/null || fail "$tool is not installed (Debian: apt-get install golang curl gzip sqlite3 mariadb-client)"
done

# 1. The database and its user, with the guide's SQL block as written.
step "database and user from docs/deploy.md (database and user $name)"
sql=$(awk '/^-- deploy-check: database setup/ { on = 1; next } on && /^```/ { exit } on { print }' docs/deploy.md)
[[ -n "$sql" ]] || fail "docs/deploy.md has no SQL block after '-- deploy-check: database setup'"
sql=${sql//deputybot/$name}
sql=${sql//CHANGE-ME/$password}
root_sql "$sql" || fail "the guide's CREATE DATABASE / CREATE USER / GRANT did not run"

# 2. Build.
step "go build"
go build -o "$work/deputybot" . || fail "go build"

# 3. Configuration as the guide has it: YAML without secrets, the DSN in a
# file named by DEPUTYBOT_DATABASE_DSN_FILE. Simulator mode (no app_id).
printf '%s' "$name:$password@tcp(127.0.0.1:3306)/$name" >"$work/dsn"
chmod 0600 "$work/dsn"
echo "DEPUTYBOT_DATABASE_DSN_FILE=$work/dsn" >"$work/env"
cat >"$work/deputybot.yaml" <<EOF
http:
  addr: "127.0.0.1:0"
database:
  driver: mysql
log:
  format: json
EOF
dbot() { env -i PATH="$PATH" HOME="$HOME" $(cat "$work/env") "$work/deputybot" "$@" --config "$work/deputybot.yaml"; }

step "config check"
dbot config check >/dev/null 2>"$work/check.err" || fail "config check: $(cat "$work/check.err")"

step "migrate (as $name, with only the documented grants)"
out=$(dbot migrate) || fail "migrate"
[[ $out =~ ^applied\ ([0-9]+)\ migration ]] && ((BASH_REMATCH[1] > 0)) || fail "migrate said: $out"
echo "  $out"
out=$(dbot migrate status) || fail "migrate status"
grep -q pending <<<"$out" && fail "migrate status still lists pending migrations: $out"

# 4. serve on that database.
step "serve (simulator mode, MariaDB)"
(exec env -i PATH="$PATH" HOME="$HOME" $(cat "$work/env") "$work/deputybot" serve --config "$work/deputybot.yaml") >"$work/serve.log" 2>&1 &
serve_pid=$!
base=""
for _ in $(seq 1 120); do
	base=$(sed -n 's/^deputybot is running at \(http[^ ]*\).*/\1/p' "$work/serve.log" | head -n 1)
	[[ -n "$base" ]] && break
	kill -0 "$serve_pid" 2>/dev/null || fail "serve exited at start"
	sleep 0.5
done
[[ -n "$base" ]] || fail "serve did not start within 60 s"
echo "  running at $base"

health=$(curl -fsS "$base/healthz") || fail "/healthz did not answer 200"
[[ $health == *'"database":"ok"'* ]] || fail "/healthz said $health"

grep '"msg":"scheduler started"' "$work/serve.log" | grep -q '"leader":true' ||
	fail "the scheduler did not take its GET_LOCK leader lock (see the log)"

reply=$(curl -fsS -X POST --data-urlencode "openid=o-deploy-check" "$base/sim/api/follow") || fail "the simulator's follow did not answer"
[[ $reply == *'"ok":true'* ]] || fail "a WeChat callback (follow) through the simulator failed: $reply"

metrics_ok=""
for _ in $(seq 1 40); do
	curl -fsS "$base/metrics" >"$work/metrics" || fail "/metrics did not answer 200"
	if grep -q '^deputybot_cron_last_success_timestamp_seconds{job="due-campaigns"}' "$work/metrics"; then
		metrics_ok=1
		break
	fi
	sleep 0.5
done
[[ -n "$metrics_ok" ]] || fail "no successful due-campaigns run within 20 s (deputybot_cron_last_success_timestamp_seconds)"
for want in '^deputybot_database_up 1$' \
	'^deputybot_callbacks_total{outcome="replied",type="event.subscribe"} 1$' \
	'^deputybot_callback_duration_seconds_count{type="event.subscribe"} 1$' \
	'^deputybot_delivery_queue_due [0-9]' \
	'^deputybot_cron_runs_total{job="due-campaigns",outcome="ok"} [1-9]' \
	'^deputybot_deputies{state="total"} [1-9]' \
	'^deputybot_token_refreshes_total{outcome="ok"}' \
	'^deputybot_dispatch_attempts_total{result="sent"}' \
	'^deputybot_http_requests_total{area="healthz",code="200"} 1$'; do
	grep -q "$want" "$work/metrics" || fail "/metrics lacks $want"
done

step "SIGTERM stops serve cleanly"
kill -TERM "$serve_pid"
for _ in $(seq 1 40); do
	kill -0 "$serve_pid" 2>/dev/null || break
	sleep 0.5
done
kill -0 "$serve_pid" 2>/dev/null && fail "serve still running 20 s after SIGTERM"
wait "$serve_pid" || fail "serve exited with status $? after SIGTERM"
serve_pid=""

# 5. Upgrading: migrate is idempotent, and a binary starts on a schema
# newer than it knows (rolling back).
step "migrate again (nothing to apply)"
out=$(dbot migrate) || fail "second migrate"
[[ $out == "applied 0 migration(s)" ]] || fail "second migrate said: $out"

step "a schema newer than the binary (rollback)"
root_sql "INSERT INTO \`$name\`.goose_db_version (version_id, is_applied) VALUES (99999, 1)" || fail "cannot mark a future migration"
out=$(dbot migrate) || fail "migrate on a newer schema failed: the previous binary would not start after an upgrade"
[[ $out == "applied 0 migration(s)" ]] || fail "migrate on a newer schema said: $out"
root_sql "DELETE FROM \`$name\`.goose_db_version WHERE version_id = 99999"

# 6. Backups.
step "mariadb-dump --single-transaction and a restore into a scratch database"
$DUMP_CLIENT --single-transaction --quick --default-character-set=utf8mb4 "$name" | gzip >"$work/backup.sql.gz" ||
	fail "mariadb-dump"
root_sql "CREATE DATABASE \`${name}_restore\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" || fail "create the scratch database"
zcat "$work/backup.sql.gz" | $ROOT_CLIENT "${name}_restore" || fail "loading the dump"
for q in "SELECT COUNT(*) FROM %s.deputies" "SELECT MAX(version_id) FROM %s.goose_db_version" "SELECT COUNT(*) FROM %s.job_runs"; do
	# shellcheck disable=SC2059
	a=$(root_sql "$(printf "$q" "\`$name\`")")
	# shellcheck disable=SC2059
	b=$(root_sql "$(printf "$q" "\`${name}_restore\`")")
	[[ "$a" == "$b" ]] || fail "restored copy differs: $q gave $a, restored $b"
done

step "SQLite .backup and VACUUM INTO"
mkdir -p "$work/sqlite"
env -i PATH="$PATH" HOME="$HOME" DEPUTYBOT_DATABASE_DSN="$work/sqlite/deputybot.db" "$work/deputybot" migrate >/dev/null ||
	fail "migrate on SQLite"
sqlite3 "$work/sqlite/deputybot.db" ".backup '$work/sqlite/backup.db'" || fail "sqlite3 .backup"
sqlite3 "$work/sqlite/deputybot.db" "VACUUM INTO '$work/sqlite/vacuumed.db'" || fail "sqlite3 VACUUM INTO"
for copy in backup vacuumed; do
	[[ $(sqlite3 "$work/sqlite/$copy.db" 'PRAGMA integrity_check') == ok ]] || fail "$copy.db failed its integrity check"
	out=$(env -i PATH="$PATH" HOME="$HOME" DEPUTYBOT_DATABASE_DSN="$work/sqlite/$copy.db" "$work/deputybot" migrate status) ||
		fail "migrate status on the SQLite $copy"
	grep -q pending <<<"$out" && fail "the SQLite $copy lacks migrations"
done

step "passed (database and user $name dropped)"
