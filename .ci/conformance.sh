#!/usr/bin/env bash
# GraphQL over HTTP conformance: serve the app on a free loopback port and run the
# graphql-http server audit (.ci/audit/audit.mjs) against it.
#
#   bash .ci/conformance.sh                 # audits server:app
#   APP=mymodule:app bash .ci/conformance.sh
#
# Environment: APP (ASGI app, default server:app), GRAPHQL_PATH (default /graphql),
# PORT (default: a free port), STARTUP_TIMEOUT (seconds, default 60).
# Exits with the audit's exit code: 0 = no failed MUST, 1 = some audit ended in error,
# 2 = the audit could not run; non-zero too if the server does not come up.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

APP="${APP:-server:app}"
GRAPHQL_PATH="${GRAPHQL_PATH:-/graphql}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-60}"
PYTHON=.venv/bin/python

if [[ -z "${PORT:-}" ]]; then
    PORT="$("$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')"
fi
URL="http://127.0.0.1:${PORT}${GRAPHQL_PATH}"

LOG_DIR="$(mktemp -d)"
SERVER_PID=""

cleanup() {
    local status=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        # give uvicorn a moment to shut down gracefully, then make sure it is gone
        for _ in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$LOG_DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_server_log() {
    echo "---- server output ($APP) ----" >&2
    cat "$LOG_DIR/server.log" >&2 || true
    echo "------------------------------" >&2
}

# A throwaway local server: the published development keys are fine.
export ACCOUNTGRAPH_DEVELOPMENT="${ACCOUNTGRAPH_DEVELOPMENT:-true}"
echo "conformance: starting $APP on 127.0.0.1:$PORT"
# The audit's requests are anonymous and some read `__type`: let anonymous callers introspect.
ACCOUNTGRAPH_INTROSPECTION_ANONYMOUS="${ACCOUNTGRAPH_INTROSPECTION_ANONYMOUS:-true}" \
"$PYTHON" -m uvicorn "$APP" --host 127.0.0.1 --port "$PORT" >"$LOG_DIR/server.log" 2>&1 &
SERVER_PID=$!

# Install the audit's pinned packages while the server boots.
if ! npm ci --prefix .ci/audit --no-audit --no-fund --loglevel=error >"$LOG_DIR/npm.log" 2>&1; then
    echo "conformance: npm ci --prefix .ci/audit failed" >&2
    cat "$LOG_DIR/npm.log" >&2
    exit 2
fi

# Wait until the server answers HTTP (any status will do).
deadline=$((SECONDS + STARTUP_TIMEOUT))
until "$PYTHON" - "$URL" <<'EOF' 2>/dev/null
import sys
import urllib.error
import urllib.request

try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass  # an HTTP error status is still an answer
EOF
do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "conformance: the server exited before answering" >&2
        show_server_log
        exit 2
    fi
    if ((SECONDS >= deadline)); then
        echo "conformance: the server did not answer on $URL within ${STARTUP_TIMEOUT}s" >&2
        show_server_log
        exit 2
    fi
    sleep 0.2
done

echo "conformance: auditing $URL"
audit_status=0
node .ci/audit/audit.mjs "$URL" || audit_status=$?
if ((audit_status != 0)); then
    show_server_log
fi
exit "$audit_status"
