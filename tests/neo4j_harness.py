"""Pytest plugin: a real Neo4j 5.26 Community server for the tests, without Docker.

Register it once, in ``tests/conftest.py``::

    pytest_plugins = ["tests.neo4j_harness"]

Then use the session-scoped ``neo4j_server`` fixture (one server per pytest run)
and clear the database between tests yourself, e.g.::

    import pytest
    from neo4j import GraphDatabase
    from tests.neo4j_harness import reset_database

    @pytest.fixture
    def neo4j_driver(neo4j_server):
        driver = GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth)
        reset_database(driver, neo4j_server.database)   # nodes + constraints + indexes
        yield driver
        driver.close()

Where the server comes from:

* ``NEO4J_URI`` set: that server is used as is (``NEO4J_USER`` default ``neo4j``,
  ``NEO4J_PASSWORD``, ``NEO4J_DATABASE`` default ``neo4j``); nothing is started.
* otherwise ``tests/neo4j_server/build.sh`` builds (Maven, first run only) an embedded
  Neo4j Community launcher, which is started on a free 127.0.0.1 port with a temporary
  data directory, auth disabled, and stopped/removed at the end of the session.

If the server cannot be had, the tests that need it are skipped (with the reason and
the end of the server log) -- or fail, when ``REGISTRY_REQUIRE_NEO4J=1``.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, NoReturn

import pytest

SERVER_DIR = Path(__file__).resolve().parent / "neo4j_server"
BUILD_SCRIPT = SERVER_DIR / "build.sh"
LAUNCHER_CLASS = "registry.testing.Neo4jLauncher"

BUILD_TIMEOUT_S = 900
STARTUP_TIMEOUT_S = float(os.environ.get("NEO4J_STARTUP_TIMEOUT", "120"))
STOP_TIMEOUT_S = 30

JAVA_OPTS = [
    "-Xms512m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    # same opens the neo4j start script passes; avoids slower fallbacks in the page cache / netty
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
]

_NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    user: str
    password: str
    database: str

    @property
    def auth(self) -> tuple[str, str] | None:
        """Value for ``GraphDatabase.driver(..., auth=...)`` (None when no password is set)."""
        return (self.user, self.password) if self.password else None

    def driver(self, **kwargs):
        """A new ``neo4j.Driver`` for this server; the caller closes it."""
        from neo4j import GraphDatabase

        return GraphDatabase.driver(self.uri, auth=self.auth, **kwargs)


# --------------------------------------------------------------------------- helpers


def _quote_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"refusing to drop schema object with unexpected name {name!r}")
    return f"`{name}`"


def reset_database(driver, database: str = "neo4j") -> None:
    """Delete all nodes/relationships, then drop all constraints and indexes
    (except the built-in LOOKUP indexes) in ``database``."""
    with driver.session(database=database) as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
        names = [r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")]
        for name in names:
            session.run(f"DROP CONSTRAINT {_quote_name(name)} IF EXISTS").consume()
        names = [
            r["name"]
            for r in session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name")
        ]
        for name in names:
            session.run(f"DROP INDEX {_quote_name(name)} IF EXISTS").consume()


def wipe(server: Neo4jServer) -> None:
    """``reset_database`` with a short-lived driver for ``server``."""
    with server.driver() as driver:
        reset_database(driver, server.database)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("REGISTRY_REQUIRE_NEO4J") == "1":
        pytest.fail(f"Neo4j required (REGISTRY_REQUIRE_NEO4J=1) but unavailable: {reason}", pytrace=False)
    pytest.skip(f"Neo4j unavailable: {reason}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_bolt(server: Neo4jServer, proc: subprocess.Popen | None, deadline: float) -> str | None:
    """Return None when Bolt answers, else a reason string."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ClientError

    last_error = "no attempt"
    with GraphDatabase.driver(server.uri, auth=server.auth, connection_timeout=2.0) as driver:
        while True:
            if proc is not None and proc.poll() is not None:
                return f"Neo4j launcher exited early with code {proc.returncode}"
            try:
                driver.verify_connectivity()
                driver.execute_query("RETURN 1", database_=server.database)
                return None
            except (AuthError, ClientError) as e:  # server answered, but refuses us: no point waiting
                return f"{server.uri}: {e}"
            except Exception as e:  # ServiceUnavailable, OSError, ... -> not up yet
                last_error = f"{type(e).__name__}: {e}"
            if time.monotonic() >= deadline:
                return f"Bolt at {server.uri} did not answer within the deadline (last error: {last_error})"
            time.sleep(0.25)


class _Launcher:
    """One embedded Neo4j process plus its temporary directory."""

    def __init__(self, java_opts: tuple[str, ...] = ()) -> None:
        """``java_opts`` are added to JAVA_OPTS (the benchmarks size the server up with them)."""
        self.java_opts = java_opts
        self.tmp = Path(tempfile.mkdtemp(prefix="neo4j-test-"))
        self.log_path = self.tmp / "neo4j.log"
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self, port: int) -> None:
        home = self.tmp / f"home-{port}"
        classpath = os.pathsep.join([str(SERVER_DIR / "target" / "classes"), str(SERVER_DIR / "target" / "lib" / "*")])
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            ["java", *JAVA_OPTS, *self.java_opts, "-cp", classpath, LAUNCHER_CLASS, str(port), str(home)],
            stdin=subprocess.PIPE,  # kept open; the launcher exits when it sees EOF (i.e. we died)
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.tmp,
            start_new_session=True,  # Ctrl-C reaches pytest only; teardown stops the server in order
        )

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if proc is not None and proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _build() -> None:
    if shutil.which("java") is None:
        _unavailable("'java' not found on PATH (Java 17+ needed for the embedded Neo4j test server)")
    try:
        result = subprocess.run(
            ["bash", str(BUILD_SCRIPT)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        _unavailable(f"{BUILD_SCRIPT} took longer than {BUILD_TIMEOUT_S} s")
    except OSError as e:
        _unavailable(f"cannot run {BUILD_SCRIPT}: {e}")
    if result.returncode != 0:
        out = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        _unavailable(f"{BUILD_SCRIPT} failed (exit {result.returncode}):\n{out}")


# --------------------------------------------------------------------------- fixture


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer]:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        server = Neo4jServer(
            uri=uri,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        )
        problem = _wait_for_bolt(server, None, time.monotonic() + 10)
        if problem:
            _unavailable(f"NEO4J_URI={uri}: {problem}")
        yield server
        return

    _build()

    launcher = _Launcher()
    atexit.register(launcher.cleanup)  # in case the session ends without fixture teardown
    try:
        server = None
        problem = None
        for _attempt in range(2):  # retry once if the port got taken in between
            port = _free_port()
            launcher.start(port)
            server = Neo4jServer(uri=f"bolt://127.0.0.1:{port}", user="neo4j", password="", database="neo4j")
            problem = _wait_for_bolt(server, launcher.proc, time.monotonic() + STARTUP_TIMEOUT_S)
            if problem is None:
                break
            launcher.stop()
            if "Address already in use" not in _tail(launcher.log_path, 200):
                break
        if problem is not None:
            details = f"--- last lines of {launcher.log_path} ---\n{_tail(launcher.log_path)}"
            debug_logs = sorted(launcher.tmp.glob("home-*/logs/debug.log"))
            if debug_logs:
                details += f"\n--- last lines of {debug_logs[-1]} ---\n{_tail(debug_logs[-1], 15)}"
            _unavailable(f"{problem}\n{details}")
        yield server
    finally:
        launcher.cleanup()
        atexit.unregister(launcher.cleanup)
