"""The embedded store: one SQLite file, no server.

Objects are JSON documents in ``entities``; ``refs`` indexes every reference so that
referential checks and the traversal are plain indexed SQL. Schema changes are
numbered migrations recorded in ``schema_version``.
"""

import json
import sqlite3
from pathlib import Path

from ..domain.errors import Conflict, NotFound, Referenced, StoreUnavailable, ValidationError
from ..domain.model import kind_class, list_fields
from ..domain.records import AuditRecord, User
from .base import Reach, Store, referenced_message, user_audit, utcnow

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
]

_IN_FORCE = """
    ((json_extract(e.data, '$.status') = 'planned' AND :planned)
     OR ((json_extract(e.data, '$.status') = 'active'
          OR (json_extract(e.data, '$.status') = 'ended' AND json_extract(e.data, '$.end_date') IS NOT NULL))
         AND coalesce(json_extract(e.data, '$.effective_date'), '') <= :on
         AND (json_extract(e.data, '$.end_date') IS NULL OR json_extract(e.data, '$.end_date') > :on)))
"""

# Categories matching the asked one: itself, its ancestors and its descendants. Driving
# the search from this small set uses the refs index instead of scanning engagements.
_MATCHING_CATEGORIES = """
  cats(key) AS (
    SELECT key FROM entities WHERE kind = 'category'
      AND (key = :cat OR :cat LIKE key || '.%' OR key LIKE :cat || '.%'))"""

# Engagements that could carry the category; the walk from the starts is done in Python
# over this candidate set (a recursive CTE joining it level by level was 30x slower).
_CANDIDATES_SQL = f"""
WITH {_MATCHING_CATEGORIES}
SELECT DISTINCT e.key, json_extract(e.data, '$.exporter'), json_extract(e.data, '$.importer')
FROM cats CROSS JOIN refs c  -- CROSS JOIN keeps this order: the few categories first
JOIN entities e ON e.kind = 'engagement' AND e.key = c.src_key
WHERE c.dst_kind = 'category' AND c.dst_key = cats.key
  AND c.src_kind = 'engagement' AND c.field = 'categories'
  AND {_IN_FORCE}
  AND (:groups IS NULL
       OR NOT EXISTS (SELECT 1 FROM refs r WHERE r.src_kind = 'engagement' AND r.src_key = e.key
                      AND r.field = 'subject_groups')
       OR EXISTS (SELECT 1 FROM refs r WHERE r.src_kind = 'engagement' AND r.src_key = e.key
                  AND r.field = 'subject_groups' AND r.dst_key IN (SELECT value FROM json_each(:groups))))
"""

_COLLECTIONS_SQL = f"""
WITH {_MATCHING_CATEGORIES}
SELECT DISTINCT e.key FROM entities e JOIN refs r
  ON r.src_kind = 'collection' AND r.src_key = e.key AND r.field = 'categories'
WHERE e.kind = 'collection' AND r.dst_key IN (SELECT key FROM cats)
  AND (:start IS NULL OR json_extract(e.data, '$.organisation') = :start)
  AND (:groups IS NULL OR json_extract(e.data, '$.subject_group') IN (SELECT value FROM json_each(:groups)))
"""


class SQLiteStore(Store):
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

    # -- writes ---------------------------------------------------------------
    def apply(self, writes, actor):
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            written = [self._apply_one(conn, w, actor) for w in writes]
            self._check_integrity(conn, writes)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return [obj for obj in written if obj is not None]

    def _apply_one(self, conn, write, actor):
        row = conn.execute("SELECT data, version FROM entities WHERE kind = ? AND key = ?",
                           (write.kind, write.key)).fetchone()
        label = write.kind.replace("_", " ")
        if write.action == "create" and row:
            raise Conflict(f"a {label} with key {write.key!r} already exists", field="key")
        if write.action != "create" and not row:
            raise NotFound(f"no {label} with key {write.key!r}")
        if write.action != "create" and write.expected_version is not None \
                and row["version"] != write.expected_version:
            raise Conflict(f"this {label} was changed by someone else since you opened it "
                           f"(now version {row['version']}, yours {write.expected_version}); "
                           "reload it and make your change again",
                           current_version=row["version"])
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
                        raise ValidationError(f"{field_name}: no {kind.replace('_', ' ')} with key {key!r}",
                                              field=field_name)

    # -- traversal --------------------------------------------------------------
    def reach(self, category, on, start=None, subject_groups=None, include_planned=False, max_depth=6):
        groups = json.dumps(list(subject_groups)) if subject_groups else None
        collection_keys = [r[0] for r in self.conn.execute(
            _COLLECTIONS_SQL, {"cat": category, "start": start, "groups": groups})]
        collections = self._find_many("collection", collection_keys)
        starts = [start] if start else sorted({c.organisation for c in collections})
        outgoing = {}
        for key, src, dst in self.conn.execute(_CANDIDATES_SQL, {
                "cat": category, "on": on, "planned": int(bool(include_planned)), "groups": groups}):
            outgoing.setdefault(src, []).append((key, dst))
        keys, seen, frontier = set(), set(starts), list(starts)
        for _ in range(int(max_depth)):  # breadth first; each organisation is expanded once
            following = []
            for org in frontier:
                for key, dst in outgoing.get(org, ()):
                    keys.add(key)
                    if dst not in seen:
                        seen.add(dst)
                        following.append(dst)
            frontier = following
        engagements = self._find_many("engagement", keys)
        org_keys = set(starts) | {e.exporter for e in engagements} | {e.importer for e in engagements}
        organisations = {o.key: o for o in self._find_many("organisation", org_keys)}
        return Reach(collections=collections, engagements=engagements, organisations=organisations)

    # -- users ----------------------------------------------------------------
    def get_user(self, username):
        row = self.conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return User(row["username"], row["password_hash"], row["role"]) if row else None

    def save_user(self, user, actor="system"):
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            action, before, after = user_audit(self.get_user(user.username), user)
            conn.execute("INSERT OR REPLACE INTO users VALUES (?, ?, ?)",
                         (user.username, user.password_hash, user.role))
            conn.execute("INSERT INTO audit (at, actor, action, kind, key, before, after) "
                         "VALUES (?, ?, ?, 'user', ?, ?, ?)",
                         (utcnow(), actor, action, user.username,
                          json.dumps(before) if before else None, json.dumps(after)))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def list_users(self):
        return [User(r["username"], r["password_hash"], r["role"])
                for r in self.conn.execute("SELECT * FROM users ORDER BY username")]

