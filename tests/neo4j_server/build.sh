#!/usr/bin/env bash
# Builds the embedded Neo4j test server (tests/neo4j_server/target/{classes,lib}).
# Idempotent: does nothing when target/ is newer than pom.xml and the Java sources.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

classes="target/classes/registry/testing/Neo4jLauncher.class"
stamp="target/lib/.complete"

up_to_date() {
    [[ -f "$classes" && -f "$stamp" ]] || return 1
    # the stamp is written after a complete build; any input newer than it -> rebuild
    local newer
    newer="$(find pom.xml src -type f -newer "$stamp" -print -quit)"
    [[ -z "$newer" ]]
}

if up_to_date; then
    exit 0
fi

# Serialize concurrent builds (e.g. pytest-xdist workers); re-check once we hold the lock.
mkdir -p target
if command -v flock >/dev/null 2>&1; then
    exec 9>target/.build.lock
    flock 9
    if up_to_date; then
        exit 0
    fi
fi

if ! command -v java >/dev/null 2>&1; then
    echo "neo4j_server/build.sh: 'java' not found on PATH (Java 17+ required)" >&2
    exit 1
fi
if ! command -v mvn >/dev/null 2>&1; then
    echo "neo4j_server/build.sh: 'mvn' not found on PATH (Maven 3.8+ required)" >&2
    exit 1
fi

log="$(mktemp -t neo4j-server-build.XXXXXX.log)"
trap 'rm -f "$log"' EXIT

rm -rf target/lib
echo "neo4j_server/build.sh: building embedded Neo4j test server (first run downloads ~170 MB from Maven Central into ~/.m2)..." >&2
mvn_args=(-q -B -Dstyle.color=never package -DskipTests)
built=0
# Offline first (fast, no network when ~/.m2 already has everything) ...
if mvn -o "${mvn_args[@]}" >"$log" 2>&1; then
    built=1
# ... online only if offline failed for want of artifacts (not e.g. a compile error).
elif grep -qiE 'offline|could not resolve|cannot access|not been downloaded|could not find artifact' "$log"; then
    if mvn "${mvn_args[@]}" >"$log" 2>&1; then
        built=1
    fi
fi
if [[ $built -eq 0 ]]; then
    echo "neo4j_server/build.sh: Maven build FAILED. Last lines of output:" >&2
    tail -n 40 "$log" >&2
    exit 1
fi

if [[ ! -f "$classes" ]] || ! compgen -G "target/lib/neo4j-kernel-*.jar" >/dev/null; then
    echo "neo4j_server/build.sh: build finished but target/classes or target/lib is incomplete" >&2
    exit 1
fi
touch "$stamp"
echo "neo4j_server/build.sh: done" >&2
