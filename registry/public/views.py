"""The public pages and their forms: the list of publishers, a publisher's page,
subscribing (with confirmation and unsubscribing), and objecting to a planned vendor.

Form posts answer with the page itself (no redirect: a redirect-after-post would need
a cookie to carry the message), or with JSON for clients that ask for it.
"""

from flask import abort, current_app, render_template, request

from ..db import get_store
from ..domain.errors import Conflict, NotFound, RateLimited, ValidationError
from ..services import objections, publication, subscriptions
from . import bp, external_url, handlers, wants_json_reply
from .cache import rendered_once
from .forms import ObjectionForm, SubscribeForm
from .guard import InvalidFormToken, check_token, issue_token, rate_limit


@bp.get("/")
def index():
    publishers = get_store().list("organisation", filters={"publisher": True})
    return render_template("public/index.html", publishers=publishers)


@bp.get("/<org>/subprocessors")
@rendered_once(with_forms=True)
def page(org):
    return _page(org)


def _page(org, status=200, message=None, kind="ok", subscribe_form=None, objection_form=None):
    """Render ``org``'s page; ``message`` goes at the top, a posted form keeps its values and errors."""
    listing = publication.public_listing(get_store(), org)
    subscribe_form = subscribe_form or SubscribeForm()
    subscribe_form.form_token.data = issue_token("subscribe", listing.key)
    forms = {}
    for item in listing.planned:
        if not item.objections_open:
            continue
        form = objection_form if objection_form is not None and objection_form.ref.data == item.ref \
            else ObjectionForm(ref=item.ref)
        form.ref.data = item.ref
        form.form_token.data = issue_token("object", listing.key, item.ref)
        forms[item.ref] = form
    open_ref = objection_form.ref.data if objection_form is not None else None
    return render_template("public/publisher.html", listing=listing, message=message, kind=kind,
                           subscribe_form=subscribe_form, objection_forms=forms, open_ref=open_ref,
                           page_url=external_url("public.page", org=listing.key)), status


def _reply(org, status, message, **forms):
    """The answer to a form post: JSON for JSON clients, else the page with ``message``."""
    if wants_json_reply():
        body = {"message": message, "status": status} if status < 400 else {"error": message, "status": status}
        return current_app.response_class(current_app.json.dumps(body), status=status, mimetype="application/json")
    kind = "ok" if status < 400 else "error"
    return current_app.make_response(_page(org, status, message, kind, **forms))


def _refusal(org, exc, **forms):
    """The reply for a refused post; 429 answers carry Retry-After."""
    response = _reply(org, exc.status, _sentence(exc.message), **forms)
    if isinstance(exc, RateLimited) and exc.details.get("retry_after"):
        response.headers["Retry-After"] = str(exc.details["retry_after"])
    return response


def _sentence(text):
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


@bp.post("/<org>/subscribe")
def subscribe(org):
    store = get_store()
    publication.find_publisher(store, org)
    form = SubscribeForm(request.form)
    try:
        rate_limit("form")
        check_token(form.form_token.data, "subscribe", org)
    except (InvalidFormToken, RateLimited) as exc:
        return _refusal(org, exc, subscribe_form=form)
    if not form.validate():
        return _reply(org, 400, "Please correct the form below.", subscribe_form=form)
    try:
        subscriptions.request_subscription(store, current_app.config, org, form.email.data)
    except (ValidationError, RateLimited) as exc:
        if isinstance(exc, ValidationError) and exc.field == "email":
            form.email.errors = list(form.email.errors) + [_sentence(exc.message)]
        return _refusal(org, exc, subscribe_form=form)
    if not all(d.ok for _, d in handlers.deliveries()):
        return _reply(org, 503, "Your request is saved, but the confirmation email could not be sent just now. "
                                "Please try again in a little while.")
    return _reply(org, 200, "Thank you. If this address is not yet subscribed, it will receive an email with a "
                            "link to confirm the subscription. Nothing is sent until you confirm.")


@bp.post("/<org>/objections")
def object_to(org):
    store = get_store()
    publication.find_publisher(store, org)
    form = ObjectionForm(request.form)
    try:
        rate_limit("form")
        check_token(form.form_token.data, "object", org, form.ref.data or "")
    except (InvalidFormToken, RateLimited) as exc:
        return _refusal(org, exc, objection_form=form)
    if not form.validate():
        return _reply(org, 400, "Please correct the objection form below.", objection_form=form)
    try:
        objection = objections.submit(store, org, form.ref.data, form.data)
    except (ValidationError, Conflict, NotFound) as exc:
        if isinstance(exc, ValidationError) and exc.field == "contact":
            form.contact.errors = list(form.contact.errors) + [_sentence(exc.message)]
        return _refusal(org, exc, objection_form=None if isinstance(exc, (Conflict, NotFound)) else form)
    if not all(d.ok for _, d in handlers.deliveries()):
        return _reply(org, 503, "Your objection is saved, but the email to confirm it could not be sent just now. "
                                "Please try again in a little while.")
    return _reply(org, 201, f"Your objection was received on {objection.created_at[:10]}. We have sent an email "
                            f"to {objection.contact}: open the link in it to confirm the objection. Only then is it "
                            "sent on, and you get a receipt.")


@bp.get("/objections/confirm/<token>")
def confirm_objection_page(token):
    objection = objections.peek(get_store(), current_app.config, token)
    if objection is None:
        raise NotFound("this objection no longer exists")
    if objection.status != "unconfirmed":
        return _message_page("Objection confirmed", "This objection is already confirmed.")
    return _message_page("Confirm your objection", "Press the button to confirm your objection and send it on.",
                         action=request.path, button="Confirm objection")


@bp.post("/objections/confirm/<token>")
def confirm_objection(token):
    objection = objections.confirm(get_store(), current_app.config, token)
    return _message_page("Objection confirmed", f"Thank you: your objection is confirmed and sent on. A receipt "
                                                f"goes to {objection.contact}. Reference: {objection.key}.")


# -- confirming and unsubscribing: the signed link token is the only credential ----------

def _message_page(title, message, status=200, action=None, button=None, publisher=None):
    if wants_json_reply():
        key = "message" if status < 400 else "error"
        return current_app.response_class(current_app.json.dumps({key: message, "status": status}),
                                          status=status, mimetype="application/json")
    return render_template("public/message.html", title=title, message=message, action=action, button=button,
                           publisher=publisher), status


def _publisher_of(store, subscription):
    org = store.find("organisation", subscription.publisher) if subscription else None
    return org if org is not None and org.publisher else None


@bp.get("/subscriptions/confirm/<token>")
def confirm_page(token):
    store = get_store()
    sub = subscriptions.peek(store, current_app.config, subscriptions.CONFIRM_SALT, token,
                             max_age=subscriptions.CONFIRM_MAX_AGE)
    if sub is None:
        raise NotFound("this subscription no longer exists (it may have been withdrawn): subscribe again")
    publisher = _publisher_of(store, sub)
    if sub.confirmed:
        return _message_page("Subscription confirmed", f"{sub.email} is already subscribed.", publisher=publisher)
    name = publisher.name if publisher else sub.publisher
    return _message_page("Confirm your subscription",
                         f"Press the button to receive an email at {sub.email} whenever {name} changes "
                         "its sub-processor list.", action=request.path, button="Confirm subscription",
                         publisher=publisher)


@bp.post("/subscriptions/confirm/<token>")
def confirm(token):
    store = get_store()
    sub = subscriptions.confirm(store, current_app.config, token)
    publisher = _publisher_of(store, sub)
    return _message_page("Subscription confirmed",
                         f"Thank you: {sub.email} will be told of every change to this list. Each email has a "
                         "link to unsubscribe.", publisher=publisher)


@bp.get("/subscriptions/unsubscribe/<token>")
def unsubscribe_page(token):
    store = get_store()
    sub = subscriptions.peek(store, current_app.config, subscriptions.UNSUBSCRIBE_SALT, token)
    if sub is None:
        return _message_page("Unsubscribed", "This address is not subscribed (any more).")
    publisher = _publisher_of(store, sub)
    name = publisher.name if publisher else sub.publisher
    return _message_page("Unsubscribe", f"Press the button to stop emails to {sub.email} about {name}'s "
                                        "sub-processor list.", action=request.path, button="Unsubscribe",
                         publisher=publisher)


@bp.post("/subscriptions/unsubscribe/<token>")
def unsubscribe(token):
    """Also the RFC 8058 one-click target (List-Unsubscribe-Post)."""
    store = get_store()
    sub = subscriptions.unsubscribe(store, current_app.config, token)
    publisher = _publisher_of(store, sub)
    if sub is None:
        return _message_page("Unsubscribed", "This address is not subscribed (any more).", publisher=publisher)
    return _message_page("Unsubscribed", f"{sub.email} will receive no more emails about this list; "
                                         "the subscription is deleted.", publisher=publisher)


@bp.route("/<path:rest>", methods=["GET", "POST", "HEAD", "PUT", "PATCH", "DELETE"])
def not_found(rest):
    """Unknown paths under /p/ get the public 404 (no admin layout)."""
    abort(404, "There is no such public page.")

