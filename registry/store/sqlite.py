"""The embedded store: one SQLite file, no server.

Objects are JSON documents in ``entities``; ``refs`` indexes every reference so that
referential checks and the traversal are plain indexed SQL. Schema changes are
numbered migrations recorded in ``schema_version``.
"""

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from ..domain.errors import Referenced, StoreUnavailable
from ..domain.model import kind_class, list_fields
from ..domain.records import AuditRecord, User
from . import sqlite_traversal
from .base import Store, check_write, dangling, referenced_message, user_audit, utcnow
from .sqlite_auth import SQLiteAuth
from .sqlite_pages import SQLitePages

MIGRATIONS = [
    # 1: documents, their references, the audit trail, users.
    """
    CREATE TABLE entities (
        kind TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL,
        name TEXT NOT NULL DEFAULT '', data TEXT NOT NULL,
        PRIMARY KEY (kind, key));
    CREATE TABLE refs (
        src_kind TEXT NOT NULL, src_key TEXT NOT NULL, field TEXT NOT NULL,
        dst_kind TEXT NOT NULL, dst_key TEXT NOT NULL);
    CREATE INDEX refs_src ON refs (src_kind, src_key);
    CREATE INDEX refs_dst ON refs (dst_kind, dst_key);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
        action TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
        before TEXT, after TEXT);
    CREATE INDEX audit_object ON audit (kind, key);
    CREATE TABLE users (
        username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL);
    """,
    # 2: the traversal filters engagements by exporter; index the JSON field it reads.
    """
    CREATE INDEX entities_exporter ON entities (kind, json_extract(data, '$.exporter'));
    """,
    # 3: sign-in session keys, API tokens (hashed) and rate-limit counters (see sqlite_auth).
    """
    CREATE TABLE user_sessions (username TEXT PRIMARY KEY, session_key TEXT NOT NULL);
    CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY, username TEXT NOT NULL, name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
    CREATE TABLE rate_counters (name TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, hits INTEGER NOT NULL);
    """,
    # 4: the traversal finds engagements that record no categories (they are part of every answer).
    sqlite_traversal.UNCATEGORISED_INDEX,
    # 5: a random identity, so that a process's flow index (flow_index) never mistakes a
    # database made again at the same path for the one it indexed.
    """
    CREATE TABLE database_identity (id TEXT NOT NULL);
    INSERT INTO database_identity VALUES (lower(hex(randomblob(16))));
    """,
]


class SQLiteStore(SQLitePages, SQLiteAuth, Store):
    """A Store over the SQLite file at ``path``; the connection opens on first use."""

    def __init__(self, path):
        self.path = str(path)
        self._conn = None

    @property
    def conn(self):
        if self._conn is None:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            except (OSError, sqlite3.Error) as exc:
                raise StoreUnavailable(f"the registry database cannot be opened: {exc}") from None
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- schema -------------------------------------------------------------
    def schema_version(self):
        """The number of migrations applied."""
        self.conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = self.conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return row[0] or 0

    def init_schema(self):
        current = self.schema_version()
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            statements = [s for s in script.split(";") if s.strip()]
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    self.conn.execute(statement)
                self.conn.execute("INSERT INTO schema_version VALUES (?)", (number,))
                self.conn.execute("COMMIT")
            except Exception:
                self.conn.execute("ROLLBACK")
                raise

    # -- reads ----------------------------------------------------------------
    def last_change_id(self) -> int:
        """The id of the newest audit record (0 when there is none): changes whenever anything is written."""
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()[0]

    def _load(self, kind, data, version):
        obj = kind_class(kind)(**json.loads(data))
        obj.version = version
        return obj

    def find(self, kind, key):
        row = self.conn.execute("SELECT data, version FROM entities WHERE kind = ? AND key = ?",
                                (kind, key)).fetchone()
        return self._load(kind, row["data"], row["version"]) if row else None

    def _find_many(self, kind, keys):
        rows = self.conn.execute(
            "SELECT data, version FROM entities WHERE kind = ? AND key IN (SELECT value FROM json_each(?)) "
            "ORDER BY key", (kind, json.dumps(sorted(set(keys))))).fetchall()
        return [self._load(kind, r["data"], r["version"]) for r in rows]

    def list(self, kind, query="", filters=None, limit=None):
        cls = kind_class(kind)
        sql = ["SELECT data, version FROM entities WHERE kind = ?"]
        args = [kind]
        if query:
            sql.append("AND (instr(lower(key), ?) > 0 OR instr(lower(name), ?) > 0)")
            args += [query.lower(), query.lower()]
        many = list_fields(cls)
        for name, value in (filters or {}).items():
            path = "$." + name
            if name in many:
                sql.append("AND EXISTS (SELECT 1 FROM json_each(data, ?) WHERE value = ?)")
            else:
                sql.append("AND json_extract(data, ?) IS ?")
                value = int(value) if isinstance(value, bool) else value  # json_extract gives 1/0
            args += [path, value]
        sql.append("ORDER BY key")
        if limit:
            sql.append("LIMIT ?")
            args.append(int(limit))
        return [self._load(kind, r["data"], r["version"]) for r in self.conn.execute(" ".join(sql), args)]

    def count(self, kind):
        return self.conn.execute("SELECT count(*) FROM entities WHERE kind = ?", (kind,)).fetchone()[0]

    def referrers(self, kind, key):
        rows = self.conn.execute(
            "SELECT DISTINCT src_kind, src_key, field FROM refs WHERE dst_kind = ? AND dst_key = ? "
            "ORDER BY src_kind, src_key", (kind, key)).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def audit_log(self, kind=None, key=None, actor=None, limit=100, offset=0):
        sql, args = ["SELECT * FROM audit WHERE 1 = 1"], []
        for column, value in (("kind", kind), ("key", key), ("actor", actor)):
            if value:
                sql.append(f"AND {column} = ?")  # column names come from the tuple above
                args.append(value)
        sql.append("ORDER BY id DESC LIMIT ? OFFSET ?")
        args += [int(limit), int(offset)]
        return [AuditRecord(id=r["id"], at=r["at"], actor=r["actor"], action=r["action"], kind=r["kind"],
                            key=r["key"], before=json.loads(r["before"]) if r["before"] else None,
                            after=json.loads(r["after"]) if r["after"] else None)
                for r in self.conn.execute(" ".join(sql), args)]

    # -- transactions -----------------------------------------------------------
    # BEGIN IMMEDIATE takes the database's write lock at the start, so a unit of work's
    # reads and checks cannot interleave with another writer's: SQLite serialises them.
    def _begin(self):
        self.conn.execute("BEGIN IMMEDIATE")

    def _commit(self):
        self.conn.execute("COMMIT")

    def _rollback(self):
        if self._conn is not None and self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _lock(self, name):
        """Nothing to do: the unit of work already holds the database's write lock."""

    @contextmanager
    def _transaction(self):
        """The open unit of work's transaction, or one of its own for a single call."""
        if self.in_transaction:
            yield self.conn
            return
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # -- writes ---------------------------------------------------------------
    def apply(self, writes, actor):
        with self._transaction() as conn:
            written = [self._apply_one(conn, w, actor) for w in writes]
            self._check_integrity(conn, writes)
        return [obj for obj in written if obj is not None]

    def _apply_one(self, conn, write, actor):
        row = conn.execute("SELECT data, version FROM entities WHERE kind = ? AND key = ?",
                           (write.kind, write.key)).fetchone()
        check_write(write, row["version"] if row else None)
        before = json.loads(row["data"]) if row else None
        conn.execute("DELETE FROM refs WHERE src_kind = ? AND src_key = ?", (write.kind, write.key))
        if write.action == "delete":
            conn.execute("DELETE FROM entities WHERE kind = ? AND key = ?", (write.kind, write.key))
            after, obj = None, None
        else:
            obj = write.obj
            after = obj.to_dict()
            obj.version = 1 if row is None else row["version"] + 1
            conn.execute("INSERT OR REPLACE INTO entities (kind, key, version, name, data) VALUES (?, ?, ?, ?, ?)",
                         (write.kind, write.key, obj.version, obj.label, json.dumps(after)))
            conn.executemany("INSERT INTO refs VALUES (?, ?, ?, ?, ?)",
                             [(write.kind, write.key, f, k, key) for f, k, key in obj.references()])
        conn.execute("INSERT INTO audit (at, actor, action, kind, key, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (utcnow(), actor, write.action, write.kind, write.key,
                      json.dumps(before) if before is not None else None,
                      json.dumps(after) if after is not None else None))
        return obj

    def _check_integrity(self, conn, writes):
        """After all writes: no reference dangles, whichever write caused it."""
        for write in writes:
            if write.action == "delete":
                left = self.referrers(write.kind, write.key)
                if left:
                    raise Referenced(referenced_message(write.kind, write.key, left), referrers=left)
            else:
                for field_name, kind, key in write.obj.references():
                    hit = conn.execute("SELECT 1 FROM entities WHERE kind = ? AND key = ?", (kind, key)).fetchone()
                    if not hit:
                        raise dangling(field_name, kind, key)

    # -- traversal --------------------------------------------------------------
    def _reach_by_queries(self, category, on, start, subject_groups, include_planned, max_depth):
        return sqlite_traversal.reach(self, category, on, start, subject_groups, include_planned, max_depth)

    def index_version(self):
        return sqlite_traversal.index_version(self.conn)

    def index_changes(self, since, newest):
        return sqlite_traversal.index_changes(self.conn, since, newest)

    def index_load(self, kind, keys):
        return sqlite_traversal.index_load(self.conn, kind, keys)

    # -- users ----------------------------------------------------------------
    def get_user(self, username):
        row = self.conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return User(row["username"], row["password_hash"], row["role"]) if row else None

    def save_user(self, user, actor="system"):
        with self._transaction() as conn:
            action, before, after = user_audit(self.get_user(user.username), user)
            conn.execute("INSERT OR REPLACE INTO users VALUES (?, ?, ?)",
                         (user.username, user.password_hash, user.role))
            conn.execute("INSERT INTO audit (at, actor, action, kind, key, before, after) "
                         "VALUES (?, ?, ?, 'user', ?, ?, ?)",
                         (utcnow(), actor, action, user.username,
                          json.dumps(before) if before else None, json.dumps(after)))

    def list_users(self):
        return [User(r["username"], r["password_hash"], r["role"])
                for r in self.conn.execute("SELECT * FROM users ORDER BY username")]

