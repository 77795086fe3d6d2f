#!/usr/bin/env bash
# The test command: lint, the layer contracts, migration check, then the suite on SQLite and on
# PostgreSQL (both legs include the browser journeys).
# PostgreSQL is skipped (loudly) when unreachable, unless COMMONGROUND_REQUIRE_POSTGRES=1.
set -euo pipefail
BIN="${VENV:-.venv}/bin"
export COMMONGROUND_DATA_DIR="${COMMONGROUND_DATA_DIR:-$PWD/var/test}"
mkdir -p "$COMMONGROUND_DATA_DIR"
PG_URL="${COMMONGROUND_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/commonground}"

# The browser journeys (tests/browser) drive Debian's chromium; a fresh machine gets it here.
bash "$(dirname "$0")/install-browser.sh"

echo "== ruff"
"$BIN/ruff" check .
echo "== layers and cycles (import-linter contracts in pyproject.toml)"
"$BIN/lint-imports" --no-cache >/dev/null || "$BIN/lint-imports" --no-cache
echo "== migrations are up to date"
env -u COMMONGROUND_DATABASE_URL "$BIN/commonground" makemigrations --check --dry-run >/dev/null

WORKERS="${TEST_WORKERS:-2}"
# Both legs include the browser journeys (tests/browser): each test runs its own live server,
# so on PostgreSQL the server's thread has its own connection, as in production.
echo "== tests on SQLite"
env -u COMMONGROUND_DATABASE_URL "$BIN/pytest" -n "$WORKERS" "$@"

if "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, dbname="postgres",
                    connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "== tests on PostgreSQL ($PG_URL)"
  COMMONGROUND_DATABASE_URL="$PG_URL" "$BIN/pytest" -n "$WORKERS" "$@"
else
  if [ "${COMMONGROUND_REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "PostgreSQL is required here but unreachable: failing." >&2
    exit 1
  fi
  echo "!! SKIPPED the PostgreSQL leg: no server at $PG_URL (set COMMONGROUND_TEST_POSTGRES_URL)."
fi
