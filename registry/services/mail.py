"""Outgoing mail over SMTP (smtplib), configured by the app's MAIL_* settings.

MAIL_HOST, MAIL_PORT, MAIL_SENDER, MAIL_USE_TLS (STARTTLS), MAIL_USERNAME and
MAIL_PASSWORD come from configuration (``instance/config.py`` or ``REGISTRY_MAIL_*``
environment variables), never from the repository. ``send`` never raises for a
delivery problem: it logs it and reports it, because a failed mail must not undo
the write that caused it.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

log = logging.getLogger(__name__)
TIMEOUT = 15  # seconds for the connection and each SMTP command


@dataclass
class Mail:
    """One message to one recipient. ``headers`` adds headers such as List-Unsubscribe."""

    to: str
    subject: str
    body: str
    headers: dict = field(default_factory=dict)


@dataclass
class Delivery:
    """What ``send`` managed: the addresses sent to, those that failed, and why."""

    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    error: str = ""

    @property
    def ok(self):
        return not self.failed


def compose(config, mail):
    """The EmailMessage for ``mail`` from the configured sender."""
    msg = EmailMessage()
    sender = config.get("MAIL_SENDER") or "registry@localhost"
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers.items():
        msg[name] = value
    msg.set_content(mail.body)
    return msg


def _connect(config):
    host = config.get("MAIL_HOST") or "127.0.0.1"
    port = int(config.get("MAIL_PORT") or 25)
    smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(config, mails):
    """Send ``mails`` over one SMTP connection; returns a Delivery, logging every failure."""
    delivery = Delivery()
    mails = list(mails)
    if not mails:
        return delivery
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as exc:
        delivery.failed = [m.to for m in mails]
        delivery.error = f"the mail server could not be reached: {exc.__class__.__name__}"
        log.error("SMTP connection to %s:%s failed; %d mail(s) not sent: %s", config.get("MAIL_HOST"),
                  config.get("MAIL_PORT"), len(mails), exc)
        return delivery
    try:
        for mail in mails:
            try:
                smtp.send_message(compose(config, mail))
                delivery.sent.append(mail.to)
            except (OSError, smtplib.SMTPException) as exc:
                delivery.failed.append(mail.to)
                delivery.error = f"the mail server refused a message: {exc.__class__.__name__}"
                log.error("SMTP send of %r failed: %s", mail.subject, exc)
                if isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
                    rest = mails[len(delivery.sent) + len(delivery.failed):]
                    delivery.failed += [m.to for m in rest]
                    break
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return delivery
