#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages, idempotently:
#   - Debian's Chromium, for the browser tests (skipped when already installed);
#   - the embedded Neo4j test server's jars, fetched by Maven (a no-op when built).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "tests/setup.sh: chromium is missing; install it with: sudo apt-get install chromium" >&2
        exit 1
    fi
fi

bash "$here/neo4j_server/build.sh"
