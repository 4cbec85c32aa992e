"""Email subscriptions to a publisher's list, with double opt-in.

A request stores an unconfirmed Subscription and mails a link carrying a signed,
time-limited token (itsdangerous, salted for confirmation); following the link
confirms. Each later change entry of that publisher is mailed to its confirmed
subscribers. Every mail carries an unsubscribe link with a signed token of its own
(salted differently, no expiry, so old mails keep working); unsubscribing deletes
the record.

Flooding: an address may be sent at most SUBSCRIBE_ADDRESS_LIMIT confirmation
requests (default 3) per SUBSCRIBE_ADDRESS_WINDOW seconds (default 3600), across all
publishers. The count is durable: each request is a write to the address's
Subscription record, and the store's audit log holds one timestamped record per
write, so the limit survives restarts and holds across processes.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..domain.errors import NotFound, RateLimited, ValidationError
from ..domain.model import Subscription
from ..store.base import utcnow
from . import publication
from .mail import Delivery, Mail, send

CONFIRM_SALT = "registry.subscription.confirm"
UNSUBSCRIBE_SALT = "registry.subscription.unsubscribe"
CONFIRM_MAX_AGE = 3 * 24 * 3600
CONFIRM_PATH = "/p/subscriptions/confirm/{token}"
UNSUBSCRIBE_PATH = "/p/subscriptions/unsubscribe/{token}"
PAGE_PATH = "/p/{publisher}/subprocessors"
ACTOR = "public"


@dataclass
class Outcome:
    """The result of a subscription request: the record (None if already confirmed) and the mail."""

    subscription: Subscription | None
    delivery: Delivery


def normalise_email(value):
    """The address in canonical form (domain lower-cased); ValidationError if malformed."""
    try:
        result = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(f"that is not an email address we can use: {exc}", field="email") from None
    return result.normalized.lower()


def subscription_key(publisher_key, email):
    """The one record key for ``email`` on ``publisher_key``'s list (no address in the key)."""
    return "sub-" + hashlib.sha256(f"{publisher_key}\n{email}".encode()).hexdigest()[:24]


def _serializer(config, salt):
    return URLSafeTimedSerializer(config["SECRET_KEY"], salt=salt)


def make_token(config, salt, subscription):
    """A signed token naming ``subscription`` (its key and address) for ``salt``'s purpose."""
    return _serializer(config, salt).dumps({"k": subscription.key, "e": subscription.email})


def read_token(config, salt, token, max_age=None):
    """(key, email) from a token made by ``make_token``; ValidationError if forged or expired."""
    try:
        data = _serializer(config, salt).loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise ValidationError("this link has expired: subscribe again to get a new one", field="token") from None
    except BadSignature:
        raise ValidationError("this link is not valid: copy the whole link from the email", field="token") from None
    if not isinstance(data, dict) or not data.get("k") or not data.get("e"):
        raise ValidationError("this link is not valid: copy the whole link from the email", field="token")
    return data["k"], data["e"]


def _base(config, base_url):
    return (config.get("PUBLIC_BASE_URL") or base_url or "http://localhost/").rstrip("/")


def _links(config, base, subscription):
    return (base + CONFIRM_PATH.format(token=make_token(config, CONFIRM_SALT, subscription)),
            base + UNSUBSCRIBE_PATH.format(token=make_token(config, UNSUBSCRIBE_SALT, subscription)))


def _unsubscribe_headers(url):
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _check_address_limit(store, email, config, now=None):
    limit = int(config.get("SUBSCRIBE_ADDRESS_LIMIT", 3))
    window = int(config.get("SUBSCRIBE_ADDRESS_WINDOW", 3600))
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    cutoff = (now - timedelta(seconds=window)).isoformat()
    count = 0
    for sub in store.list("subscription", filters={"email": email}):
        for rec in store.audit_log(kind="subscription", key=sub.key, limit=limit + 1):
            if rec.at >= cutoff and rec.action in ("create", "update") and not (rec.after or {}).get("confirmed"):
                count += 1
    if count >= limit:
        minutes = max(window // 60, 1)
        raise RateLimited(f"too many subscription requests for this address: at most {limit} in {minutes} "
                          "minutes. Please try again later.", field="email")


def request_subscription(store, config, publisher_key, email, base_url=None):
    """Store an unconfirmed subscription and mail its confirmation link; returns an Outcome.

    An address that is already confirmed gets no new mail (and the caller should answer
    exactly as for a new one, so that the form does not reveal who subscribes).
    """
    publisher = publication.find_publisher(store, publisher_key)
    email = normalise_email(email)
    _check_address_limit(store, email, config)
    key = subscription_key(publisher.key, email)
    existing = store.find("subscription", key)
    if existing is not None and existing.confirmed:
        return Outcome(None, Delivery())
    with store.unit_of_work(ACTOR) as uow:
        if existing is None:
            uow.add(Subscription(key=key, publisher=publisher.key, email=email, created_at=utcnow()).validate())
        else:
            existing.created_at = utcnow()
            uow.update(existing, existing.version)
        subscription = uow.commit()[0]
    base = _base(config, base_url)
    confirm_url, unsubscribe_url = _links(config, base, subscription)
    hours = CONFIRM_MAX_AGE // 3600
    body = (f"Someone, probably you, asked to receive changes to the sub-processor list of {publisher.name} "
            f"at this address.\n\nTo confirm, open this link within {hours} hours and press the button:\n"
            f"{confirm_url}\n\nIf you did not ask for this, ignore this email: nothing more will be sent "
            f"unless the subscription is confirmed.\n\nTo withdraw the request: {unsubscribe_url}\n")
    mail = Mail(to=email, subject=f"Confirm your subscription to {publisher.name}'s sub-processor changes",
                body=body, headers=_unsubscribe_headers(unsubscribe_url))
    return Outcome(subscription, send(config, [mail]))


def confirm(store, config, token):
    """Confirm the subscription named by a confirmation ``token``; returns it."""
    key, email = read_token(config, CONFIRM_SALT, token, max_age=CONFIRM_MAX_AGE)
    subscription = store.find("subscription", key)
    if subscription is None or subscription.email != email:
        raise NotFound("this subscription no longer exists (it may have been withdrawn): subscribe again")
    if not subscription.confirmed:
        subscription.confirmed = True
        subscription.confirmed_at = utcnow()
        with store.unit_of_work(ACTOR) as uow:
            uow.update(subscription, subscription.version)
            subscription = uow.commit()[0]
    return subscription


def peek(store, config, salt, token, max_age=None):
    """The subscription a token names (checking the token), or None if it is gone."""
    key, email = read_token(config, salt, token, max_age=max_age)
    subscription = store.find("subscription", key)
    return subscription if subscription is not None and subscription.email == email else None


def unsubscribe(store, config, token):
    """Delete the subscription named by an unsubscribe ``token``; returns it, or None if already gone."""
    key, email = read_token(config, UNSUBSCRIBE_SALT, token)
    subscription = store.find("subscription", key)
    if subscription is None or subscription.email != email:
        return None
    with store.unit_of_work(ACTOR) as uow:
        uow.delete("subscription", key)
        uow.commit()
    return subscription


def _change_lines(entries):
    lines = []
    for entry in entries:
        label = publication.ACTION_LABELS.get(entry.action, entry.action)
        lines.append(f"- {entry.date} · {label}: {entry.summary}")
        details = []
        if entry.effective_date:
            details.append(f"takes effect {entry.effective_date}")
        if entry.objection_deadline:
            details.append(f"objections until {entry.objection_deadline}")
        if details:
            lines.append("  (" + "; ".join(details) + ")")
    return "\n".join(lines)


def notify_changes(store, entries, config, base_url=None):
    """Mail every confirmed subscriber of each publisher named in ``entries`` (ChangeEntry objects).

    One mail per subscriber per call lists all of that publisher's entries. Call it after
    the write that created the entries has committed; returns a Delivery.
    """
    by_publisher = {}
    for entry in entries:
        by_publisher.setdefault(entry.publisher, []).append(entry)
    base = _base(config, base_url)
    mails = []
    for publisher_key, items in sorted(by_publisher.items()):
        publisher = store.find("organisation", publisher_key)
        if publisher is None or not publisher.publisher:
            continue
        page = base + PAGE_PATH.format(publisher=publisher.key)
        changes = _change_lines(items)
        for sub in store.list("subscription", filters={"publisher": publisher.key, "confirmed": True}):
            _, unsubscribe_url = _links(config, base, sub)
            body = (f"The sub-processor list of {publisher.name} has changed:\n\n{changes}\n\n"
                    f"The full list: {page}\n\n"
                    f"You receive this because {sub.email} subscribed to changes of this list.\n"
                    f"Unsubscribe: {unsubscribe_url}\n")
            mails.append(Mail(to=sub.email, subject=f"{publisher.name}: sub-processor list changed",
                              body=body, headers=_unsubscribe_headers(unsubscribe_url)))
    return send(config, mails)
