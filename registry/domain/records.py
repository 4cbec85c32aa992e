"""Records that are not registry objects: users and audit entries."""

from dataclasses import dataclass

ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class User:
    """A person who signs in to the admin area. ``role`` is one of ROLES."""

    username: str
    password_hash: str
    role: str = "viewer"

    def can(self, role):
        """True when this user's role is at least ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class AuditRecord:
    """One write: who made it, when, to which object, and the values before and after."""

    id: int
    at: str
    actor: str
    action: str  # create, update or delete
    kind: str
    key: str
    before: dict | None = None
    after: dict | None = None

    def changed_fields(self):
        """Names of the fields whose value differs between before and after."""
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


@dataclass(frozen=True)
class ApiToken:
    """A script's credential for the API, acting as ``username``.

    Only ``token_hash`` (SHA-256 of the secret) is kept; the token itself is shown once.
    """

    id: str
    username: str
    name: str
    token_hash: str
    created_at: str
