#!/usr/bin/env bash
# Full check: lint, type check, tests on SQLite (with coverage), then the same tests
# on PostgreSQL at 127.0.0.1:5432 when it is reachable. Stops at the first failure.
#
# Environment given to pytest:
#   SOHOA_DATA_DIR  a fresh, empty temporary directory per pytest run
#   SOHOA_KEY_FILE  a path in a separate temporary directory (outside the data dir);
#                   the file itself does not exist yet
#   DATABASE_URL    unset for the SQLite run;
#                   postgresql://postgres@127.0.0.1:5432/test for the PostgreSQL run
# Extra arguments are passed to both pytest runs (e.g. scripts/test.sh -k archive).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_URL=postgresql://postgres@127.0.0.1:5432/test

step() { printf '\n=== %s\n' "$*"; }

TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-test.XXXXXX")
trap 'rm -rf "$TMP_ROOT"' EXIT
mkdir -p "$TMP_ROOT/keys"
export SOHOA_KEY_FILE="$TMP_ROOT/keys/master.key"

# run_pytest LABEL ARGS...: run pytest in a fresh data dir; exit code 5 (no tests) is a failure.
run_pytest() {
    local label=$1 rc=0
    shift
    local data_dir
    data_dir=$(mktemp -d "$TMP_ROOT/data-$label.XXXXXX")
    SOHOA_DATA_DIR="$data_dir" .venv/bin/pytest "$@" || rc=$?
    if ((rc == 5)); then
        printf 'test: FAILED: pytest collected no tests (%s run)\n' "$label" >&2
        exit 1
    elif ((rc != 0)); then
        printf 'test: FAILED: pytest %s run exited with %d\n' "$label" "$rc" >&2
        exit "$rc"
    fi
}

step "ruff check"
.venv/bin/ruff check .

if [[ -d src/sohoa ]]; then
    step "mypy src"
    .venv/bin/mypy src
fi

unset DATABASE_URL

step "pytest on SQLite (with coverage)"
run_pytest sqlite -n 2 --cov=sohoa --cov-report=term:skip-covered -p no:cacheprovider "$@"

step "pytest on PostgreSQL"
pg_error=""
if ! pg_error=$(
    .venv/bin/python - "$PG_URL" 2>&1 <<'PY'
import sys

import psycopg
from psycopg import conninfo, sql

url = sys.argv[1]
dbname = conninfo.conninfo_to_dict(url)["dbname"]
try:
    psycopg.connect(url, connect_timeout=3).close()
except psycopg.OperationalError as exc:
    # Server is up but the database "test" does not exist yet: create it.
    if f'database "{dbname}" does not exist' not in str(exc):
        raise SystemExit(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
    admin = conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
PY
); then
    printf '\n*** PostgreSQL at 127.0.0.1:5432 not reachable: PostgreSQL run SKIPPED\n'
    if [[ -n $pg_error ]]; then
        printf '*** (%s)\n' "$(tail -n 1 <<<"$pg_error")"
    fi
else
    export DATABASE_URL=$PG_URL
    run_pytest postgres -n 2 -p no:cacheprovider "$@"
fi

printf '\ntest: all checks passed\n'
