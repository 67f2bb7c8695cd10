#!/usr/bin/env bash
# Checks (and where possible starts) the services the test suite talks to. Sourced by .ci/test.
# PostgreSQL is required under CI=true; elsewhere its tests are skipped when it is unreachable.
set -euo pipefail

export GALA_TEST_POSTGRES_URL="${GALA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

postgres_up() {
  command -v pg_isready >/dev/null && pg_isready -q -d "$GALA_TEST_POSTGRES_URL" 2>/dev/null && return 0
  # Without the client tools, a TCP connect to the port is the best available check.
  local hostport="${GALA_TEST_POSTGRES_URL#*@}"; hostport="${hostport%%/*}"
  (exec 3<>"/dev/tcp/${hostport%%:*}/${hostport##*:}") 2>/dev/null
}

if ! postgres_up && command -v pg_ctlcluster >/dev/null; then
  echo "[services] PostgreSQL is not answering; trying to start the local cluster"
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 50); do postgres_up && break; sleep 0.2; done
fi

if postgres_up; then
  echo "[services] PostgreSQL reachable at ${GALA_TEST_POSTGRES_URL%%\?*}"
elif [ "${CI:-}" = "true" ]; then
  echo "[services] FAIL: PostgreSQL is required in CI and is not reachable at $GALA_TEST_POSTGRES_URL" >&2
  exit 1
else
  echo "[services] WARNING: PostgreSQL unreachable; its test variants will be skipped" >&2
fi
