"""Email subscriptions to a publisher's list, with double opt-in.

A request stores an unconfirmed Subscription and emits ``SubscriptionRequested``; after
commit the app's handlers mail a link carrying a signed, time-limited token (salted for
confirmation); following the link confirms. Each later change entry of that publisher
is mailed to its confirmed subscribers (``ListChanged`` events). Every mail carries an
unsubscribe link with a token of its own (salted differently, no expiry, so old mails
keep working); unsubscribing deletes the record. This module holds no mail text and no
web routes: the handlers render both.

Flooding: an address may be sent at most SUBSCRIBE_ADDRESS_LIMIT confirmation
requests (default 3) per SUBSCRIBE_ADDRESS_WINDOW seconds (default 3600), across all
publishers. The count is durable (each request is an audited write of the address's
Subscription record) and is checked and written in one transaction holding a lock
per address, so concurrent requests cannot all pass it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email

from .. import clock
from ..domain.errors import NotFound, RateLimited, ValidationError
from ..domain.model import Subscription
from ..settings import DEFAULTS
from ..store.base import retrying
from .events import SubscriptionRequested
from .public_view import find_publisher
from .tokens import make_token, read_token

CONFIRM_SALT = "registry.subscription.confirm"
UNSUBSCRIBE_SALT = "registry.subscription.unsubscribe"
CONFIRM_MAX_AGE = 3 * 24 * 3600
ACTOR = "public"


def normalise_email(value: str, field: str = "email") -> str:
    """The address in canonical form (domain lower-cased); ValidationError on ``field`` if malformed."""
    try:
        result = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(f"that is not an email address we can use: {exc}", field=field) from None
    return result.normalized.lower()


def subscription_key(publisher_key: str, email: str) -> str:
    """The one record key for ``email`` on ``publisher_key``'s list (no address in the key)."""
    return "sub-" + hashlib.sha256(f"{publisher_key}\n{email}".encode()).hexdigest()[:24]


def confirm_token(config: Mapping, subscription: Subscription) -> str:
    """The token of the link that confirms ``subscription``."""
    return make_token(config, CONFIRM_SALT, subscription.key, subscription.email)


def unsubscribe_token(config: Mapping, subscription: Subscription) -> str:
    """The token of the link that deletes ``subscription``."""
    return make_token(config, UNSUBSCRIBE_SALT, subscription.key, subscription.email)


def _check_address_limit(store, email: str, config: Mapping) -> None:
    limit = int(config.get("SUBSCRIBE_ADDRESS_LIMIT", DEFAULTS["SUBSCRIBE_ADDRESS_LIMIT"]))
    window = int(config.get("SUBSCRIBE_ADDRESS_WINDOW", DEFAULTS["SUBSCRIBE_ADDRESS_WINDOW"]))
    cutoff = (clock.now() - timedelta(seconds=window)).isoformat()
    count = 0
    for sub in store.list("subscription", filters={"email": email}):
        for rec in store.audit_log(kind="subscription", key=sub.key, limit=limit + 1):
            if rec.at >= cutoff and rec.action in ("create", "update") and not (rec.after or {}).get("confirmed"):
                count += 1
    if count >= limit:
        minutes = max(window // 60, 1)
        raise RateLimited(f"too many subscription requests for this address: at most {limit} in {minutes} "
                          "minutes. Please try again later.", field="email")


@retrying
def request_subscription(store, config: Mapping, publisher_key: str, email: str) -> Subscription | None:
    """Store an unconfirmed subscription and emit ``SubscriptionRequested`` (the handlers mail
    the confirmation link); returns it, or None for an address already confirmed (no mail:
    the caller answers exactly as for a new one, so the form does not reveal who subscribes).
    """
    email = normalise_email(email)
    with store.unit_of_work(ACTOR) as uow:
        uow.lock("subscription-address:" + email)
        publisher = find_publisher(uow.store, publisher_key)
        _check_address_limit(uow.store, email, config)
        key = subscription_key(publisher.key, email)
        existing = uow.store.find("subscription", key)
        if existing is not None and existing.confirmed:
            return None
        if existing is None:
            uow.add(Subscription(key=key, publisher=publisher.key, email=email, created_at=clock.now_iso()).validate())
        else:
            existing.created_at = clock.now_iso()
            uow.update(existing, existing.version)
        uow.emit(SubscriptionRequested(subscription=key, publisher=publisher.key, email=email))
        return uow.commit()[0]


@retrying
def confirm(store, config: Mapping, token: str) -> Subscription:
    """Confirm the subscription named by a confirmation ``token``; returns it."""
    key, email = read_token(config, CONFIRM_SALT, token, max_age=CONFIRM_MAX_AGE,
                            expired="this link has expired: subscribe again to get a new one")
    with store.unit_of_work(ACTOR) as uow:
        subscription = uow.store.find("subscription", key)
        if subscription is None or subscription.email != email:
            raise NotFound("this subscription no longer exists (it may have been withdrawn): subscribe again")
        if subscription.confirmed:
            return subscription
        subscription.confirmed = True
        subscription.confirmed_at = clock.now_iso()
        uow.update(subscription, subscription.version)
        return uow.commit()[0]


def peek(store, config: Mapping, salt: str, token: str, max_age: int | None = None) -> Subscription | None:
    """The subscription a token names (checking the token), or None if it is gone."""
    key, email = read_token(config, salt, token, max_age=max_age,
                            expired="this link has expired: subscribe again to get a new one")
    subscription = store.find("subscription", key)
    return subscription if subscription is not None and subscription.email == email else None


@retrying
def unsubscribe(store, config: Mapping, token: str) -> Subscription | None:
    """Delete the subscription named by an unsubscribe ``token``; returns it, or None if already gone."""
    key, email = read_token(config, UNSUBSCRIBE_SALT, token)
    with store.unit_of_work(ACTOR) as uow:
        subscription = uow.store.find("subscription", key)
        if subscription is None or subscription.email != email:
            return None
        uow.delete("subscription", key)
        uow.commit()
    return subscription


def confirmed_subscribers(store, publisher_key: str) -> list[Subscription]:
    """The confirmed subscriptions to ``publisher_key``'s list."""
    return store.list("subscription", filters={"publisher": publisher_key, "confirmed": True})
