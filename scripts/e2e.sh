#!/usr/bin/env bash
# Browser tests: the real deputybot binary in simulator mode, driven through
# Debian's headless Chromium (the console, the simulated phone, H5 pages).
# Installs chromium and the CJK fonts when they are missing (needs root and
# Debian's package mirror), then runs ./e2e/ with CI=true, so a missing
# browser fails instead of skipping.
#
#   scripts/e2e.sh                      # about 10 s after the first build
#   E2E_SCREENSHOTS=1 scripts/e2e.sh    # also rewrite docs/screenshots/*.png
#
# Extra arguments go to go test (e.g. -run 'Journey/binds').
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then
	echo "e2e: installing chromium and fonts-noto-cjk"
	if [ "$(id -u)" -ne 0 ]; then
		echo "e2e: FAILED — chromium or fonts-noto-cjk is missing and this is not root: apt-get install -y chromium fonts-noto-cjk" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }; then
		echo "e2e: FAILED — apt-get could not install chromium fonts-noto-cjk" >&2
		exit 1
	fi
fi
chromium --version 2>/dev/null || true

timeout="${E2E_TIMEOUT:-5m}"
export CI=true
echo "e2e: go test -count=1 -v -timeout $timeout ./e2e/ $*"
if ! go test -count=1 -v -timeout "$timeout" ./e2e/ "$@"; then
	echo >&2
	echo "e2e: FAILED — a browser journey broke or could not run (see above; the server's log is printed on failure)" >&2
	exit 1
fi
echo "e2e: passed"
