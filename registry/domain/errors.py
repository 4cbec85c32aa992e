"""Domain errors raised by the service layer and the stores.

Each error carries a message fit to show a person; the web layer maps the class to
an HTTP status (see ``registry.errors``) and the CLI prints the message on one line.
"""


class DomainError(Exception):
    """Base class for every error the registry reports to a user."""

    status = 400

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self):
        body = {"error": self.message}
        body.update({k: v for k, v in self.details.items() if v is not None})
        return body


class ValidationError(DomainError):
    """Input is malformed or breaks a rule of meaning. ``field`` names the culprit."""

    status = 400

    def __init__(self, message, field=None, errors=None):
        super().__init__(message, field=field, errors=errors)
        self.field = field
        self.errors = errors or ({field: [message]} if field else {})


class NotFound(DomainError):
    """The object asked for does not exist."""

    status = 404


class Conflict(DomainError):
    """A write was made against a stale version, or a key is already taken."""

    status = 409


class Referenced(Conflict):
    """A delete was refused because other objects still point at the target."""

    def __init__(self, message, referrers):
        super().__init__(message, referrers=referrers)
        self.referrers = referrers


class Forbidden(DomainError):
    """The user lacks the role the action needs."""

    status = 403


class RateLimited(DomainError):
    """Too many requests from one client or for one address."""

    status = 429


class StoreUnavailable(DomainError):
    """The backing database cannot be reached; the request may succeed later."""

    status = 503


class StoreBusy(StoreUnavailable):
    """The database gave up on a transaction for a transient reason (a deadlock, a
    leader switch); running the whole unit of work again may succeed."""


class StoreLimit(StoreUnavailable):
    """The database refused a transaction for outgrowing a memory limit of its settings;
    running it again fails the same way until the limit is raised or the work is smaller."""
