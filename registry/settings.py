"""Every setting the registry reads, with its default and meaning: the one table.

``create_app`` loads the defaults, then ``instance/config.py``, then ``REGISTRY_*``
environment variables, then ``NEO4J_*`` ones. The README's configuration table lists
the same names (a test checks that the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One configuration key (without the ``REGISTRY_`` prefix of its environment variable)."""

    name: str
    default: Any
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("STORE", "sqlite", "`sqlite` (embedded, the default) or `neo4j`"),
    Setting("SQLITE_PATH", None, "the embedded database file (default: `registry.sqlite3` in the instance folder)"),
    Setting("NEO4J_URI", None, "`bolt://`, `neo4j://` or `neo4j+s://` address of the Neo4j server"),
    Setting("NEO4J_USER", "neo4j", "Neo4j user"),
    Setting("NEO4J_PASSWORD", None, "Neo4j password (no credentials are sent when unset)"),
    Setting("NEO4J_DATABASE", "neo4j", "Neo4j database name"),
    Setting("NEO4J_OUTAGE_SECONDS", 5.0, "after Neo4j could not be reached, requests in these seconds answer "
                                         "503 at once instead of each waiting for the driver's time-outs"),
    Setting("SECRET_KEY", None, "signs sessions, form and mail tokens (generated once into the instance folder when unset)"),
    Setting("PUBLIC_BASE_URL", None, "absolute address for links in mails, feeds and confirmation pages "
                                     "(never taken from the request's Host header)"),
    Setting("MAIL_HOST", "127.0.0.1", "SMTP server"),
    Setting("MAIL_PORT", 25, "SMTP port"),
    Setting("MAIL_SENDER", "registry@localhost", "From address of every mail"),
    Setting("MAIL_USE_TLS", False, "STARTTLS to the SMTP server"),
    Setting("MAIL_USERNAME", None, "SMTP user"),
    Setting("MAIL_PASSWORD", None, "SMTP password"),
    Setting("SUBSCRIBE_ADDRESS_LIMIT", 3, "confirmation mails one address may be sent per window"),
    Setting("SUBSCRIBE_ADDRESS_WINDOW", 3600, "that window, in seconds"),
    Setting("PUBLIC_READ_LIMIT", (300, 60), "public page reads per client: (count, seconds)"),
    Setting("PUBLIC_FORM_LIMIT", (10, 600), "public form posts (subscribe, object) per client: (count, seconds)"),
    Setting("PUBLIC_FORM_TOKEN_MAX_AGE", 2 * 3600, "seconds a public form's signed token stays valid"),
    Setting("LOGIN_ACCOUNT_LIMIT", 5, "failed sign-ins (form or HTTP Basic) per account per window before 429"),
    Setting("LOGIN_CLIENT_LIMIT", 20, "failed sign-ins per client address per window before 429"),
    Setting("LOGIN_WINDOW", 900, "that window, in seconds"),
    Setting("ADMIN_SURVEY", True, "compute the whole-registry findings for the dashboard and triage pages"),
    Setting("ADMIN_SURVEY_WAIT", None, "seconds a page waits for fresh findings before showing the previous "
                                       "ones (unset: 0.8, or until done when testing)"),
    Setting("ADMIN_SURVEY_PROCESS", None, "compute the findings in a child process (unset: yes, except when testing)"),
    Setting("ADMIN_SURVEY_KEEP", 600, "seconds that child process stays after its last survey, warm for the next"),
    Setting("RATELIMIT_STORAGE_URI", None, "shared storage for per-client rate limits under several workers "
                                           "(e.g. `redis://host:6379`); unset: the store itself"),
    Setting("MAX_CONTENT_LENGTH", 16 * 1024 * 1024, "largest request body in bytes"),
    Setting("WTF_CSRF_TIME_LIMIT", 3600 * 8, "seconds an admin form stays valid"),
    Setting("SESSION_COOKIE_HTTPONLY", True, "admin session cookie hidden from scripts"),
    Setting("SESSION_COOKIE_SAMESITE", "Lax", "admin session cookie's SameSite attribute"),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
