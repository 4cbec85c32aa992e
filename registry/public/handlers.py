"""What follows a committed write: mail rendered from ``templates/mail/*.txt``.

``init_app`` registers ``handle`` as the app's event handler; the store calls it with
the events of each unit of work after its transaction commits. Links in mails are
built with ``url_for(..., _external=True)`` on PUBLIC_BASE_URL (never on the Host header
of the request that happened to cause the mail). A handler that fails is logged and
never undoes the write; what could not be sent is recorded for the request
(``deliveries()``), and an editor in the admin area is told.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, has_request_context, render_template, request, url_for

from ..db import get_store
from ..services import objections, subscriptions
from ..services.changes import action_label
from ..services.events import (ListChanged, ObjectionConfirmed, ObjectionFiled, ObjectionStatusChanged,
                               SubscriptionRequested)
from ..services.mail import Delivery, Mail, send

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "http://localhost/"


def init_app(app: Flask) -> None:
    """Register the event handlers of this module on ``app``."""
    app.extensions["registry.event_handlers"] = handle


def handle(events: list) -> None:
    """Act on the events of one committed unit of work. Never raises."""
    changed = [e for e in events if isinstance(e, ListChanged)]
    work: list[tuple[str, Callable[[], list[Mail]]]] = []
    if changed:
        work.append(("change notifications", lambda: _change_mails(changed)))
    for event in events:
        handler = HANDLERS.get(type(event))
        if handler is not None:
            work.append((type(event).__name__, functools.partial(handler, event)))
    for what, make in work:
        try:
            delivery = send(current_app.config, make())
        except Exception:  # noqa: BLE001 - the write is committed whatever happens here
            log.exception("handling %s after commit failed", what)
            delivery = Delivery(failed=["?"], error="the mail could not be prepared")
        _record(what, delivery)


def _log() -> list:
    # per request when there is one (an app context may outlive many requests), else per app context
    if has_request_context():
        return request.environ.setdefault("registry.deliveries", [])
    return g.setdefault("registry_deliveries", [])


def deliveries() -> list[tuple[str, Delivery]]:
    """(what, Delivery) for every mail batch sent after commits in this request."""
    return list(_log())


def _record(what: str, delivery: Delivery) -> None:
    _log().append((what, delivery))
    if delivery.failed and what == "change notifications" and has_request_context() \
            and request.blueprint == "admin":
        flash(f"The change is saved and published, but {len(delivery.failed)} notification email(s) to "
              f"subscribers could not be sent ({delivery.error}). The failure is logged.", "error")


def public_url(endpoint: str, **values) -> str:
    """An absolute URL for ``endpoint`` on PUBLIC_BASE_URL (http://localhost/ when unset)."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if not configured and not current_app.testing:
        log.warning("PUBLIC_BASE_URL is not set: links in mails point to %s", DEFAULT_BASE_URL)
    base = urlsplit(configured or DEFAULT_BASE_URL)
    root = f"{base.scheme}://{base.netloc}{base.path.rstrip('/')}/"
    with current_app.test_request_context("/", base_url=root):
        return url_for(endpoint, _external=True, **values)


def _mail(template: str, to: str, headers: dict | None = None, **context) -> Mail:
    """A Mail rendered from ``mail/<template>``: its first line is the subject."""
    text = render_template(f"mail/{template}", **context)
    subject, _, body = text.lstrip().partition("\n")
    return Mail(to=to, subject=subject.removeprefix("Subject:").strip(), body=body.strip() + "\n",
                headers=headers or {})


def _unsubscribe_headers(url: str) -> dict:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _subscription_requested(event: SubscriptionRequested) -> list[Mail]:
    store = get_store()
    sub = store.find("subscription", event.subscription)
    publisher = store.find("organisation", event.publisher)
    if sub is None or publisher is None or sub.confirmed:
        return []
    config = current_app.config
    unsubscribe = public_url("public.unsubscribe_page", token=subscriptions.unsubscribe_token(config, sub))
    return [_mail("subscription_confirm.txt", sub.email, _unsubscribe_headers(unsubscribe), publisher=publisher,
                  confirm_url=public_url("public.confirm_page", token=subscriptions.confirm_token(config, sub)),
                  unsubscribe_url=unsubscribe, hours=subscriptions.CONFIRM_MAX_AGE // 3600)]


def _change_mails(events: list[ListChanged]) -> list[Mail]:
    """One mail per confirmed subscriber per publisher, listing that publisher's changes."""
    store = get_store()
    by_publisher: dict[str, list] = {}
    for event in events:
        by_publisher.setdefault(event.publisher, []).append(event.change)
    mails = []
    for publisher_key, entries in sorted(by_publisher.items()):
        publisher = store.find("organisation", publisher_key)
        if publisher is None or not publisher.publisher:
            continue
        page = public_url("public.page", org=publisher.key)
        for sub in subscriptions.confirmed_subscribers(store, publisher.key):
            unsubscribe = public_url("public.unsubscribe_page",
                                     token=subscriptions.unsubscribe_token(current_app.config, sub))
            mails.append(_mail("changes.txt", sub.email, _unsubscribe_headers(unsubscribe), publisher=publisher,
                               entries=entries, label=action_label, page_url=page, subscription=sub,
                               unsubscribe_url=unsubscribe))
    return mails


def _objection_context(key: str) -> dict | None:
    store = get_store()
    objection = store.find("objection", key)
    if objection is None:
        return None
    engagement = store.find("engagement", objection.engagement)
    publisher = store.find("organisation", engagement.exporter) if engagement else None
    change = store.find("change", objection.change) if objection.change else None
    if publisher is None:
        return None
    return {"objection": objection, "publisher": publisher, "change": change, "label": action_label,
            "page_url": public_url("public.page", org=publisher.key)}


def _objection_filed(event: ObjectionFiled) -> list[Mail]:
    context = _objection_context(event.objection)
    if context is None:
        return []
    objection = context["objection"]
    url = public_url("public.confirm_objection_page", token=objections.confirm_token(current_app.config, objection))
    return [_mail("objection_confirm.txt", objection.contact, confirm_url=url,
                  hours=objections.CONFIRM_MAX_AGE // 3600, **context)]


def _objection_confirmed(event: ObjectionConfirmed) -> list[Mail]:
    context = _objection_context(event.objection)
    if context is None:
        return []
    mails = [_mail("objection_receipt.txt", context["objection"].contact, **context)]
    contact = context["publisher"].privacy_contact
    if contact:
        mails.append(_mail("objection_to_publisher.txt", contact, {"Reply-To": context["objection"].contact},
                           **context))
    else:
        log.warning("objection %s confirmed, but %s has no privacy contact address to send it to",
                    event.objection, context["publisher"].key)
    return mails


def _objection_status(event: ObjectionStatusChanged) -> list[Mail]:
    context = _objection_context(event.objection)
    if context is None:
        return []
    return [_mail("objection_status.txt", context["objection"].contact, **context)]


HANDLERS: dict[type, Callable] = {
    SubscriptionRequested: _subscription_requested,
    ObjectionFiled: _objection_filed,
    ObjectionConfirmed: _objection_confirmed,
    ObjectionStatusChanged: _objection_status,
}
