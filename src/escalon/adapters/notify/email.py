"""E-mail over SMTP: a plain-text part and an HTML alternative, STARTTLS or implicit TLS, AUTH.

The Message-ID is derived from the idempotency key, so a message re-sent after a crash carries the
same id and mail clients that thread or deduplicate by Message-ID show it once. SMTP replies in the
5xx range are permanent; 4xx replies, refused connections and timeouts are retried.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from escalon.adapters.notify.base import MAX_ERROR_CHARS
from escalon.adapters.notify.templates import Template, resolve_override
from escalon.domain.notify.delivery import SendResult
from escalon.domain.notify.message import OutboxMessage
from escalon.domain.policy.notifications import EmailChannel


def recipients(spec: EmailChannel, message: OutboxMessage) -> list[str]:
    """The route's target when it names one, else the channel's default list."""
    return [message.target] if message.target else list(spec.to)


class EmailSender:
    """Sends through one SMTP relay; one connection per message keeps failures independent."""

    def __init__(
        self,
        spec: EmailChannel,
        *,
        env: Mapping[str, str],
        base_dir: Path | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._spec = spec
        self._password = env.get(spec.password_env) if spec.password_env else None
        self._ssl = ssl_context or ssl.create_default_context()
        self.subject = Template(
            "email_subject.txt.j2", resolve_override(spec.subject_template, base_dir)
        )
        self.text = Template("email.txt.j2", resolve_override(spec.template, base_dir))
        self.html = Template("email.html.j2", resolve_override(spec.html_template, base_dir))

    def compose(self, message: OutboxMessage) -> EmailMessage:
        notification = message.notification
        mail = EmailMessage()
        mail["Subject"] = " ".join(self.subject.render(notification).split())
        mail["From"] = self._spec.sender
        mail["To"] = ", ".join(recipients(self._spec, message))
        mail["Date"] = format_datetime(notification.occurred_at)
        domain = self._spec.sender.rpartition("@")[2] or "escalon"
        mail["Message-ID"] = f"<{message.key}@{domain}>"
        mail["X-Escalon-Ticket"] = notification.ticket_id
        mail.set_content(self.text.render(notification))
        mail.add_alternative(self.html.render(notification), subtype="html")
        return mail

    def close(self) -> None:
        """Nothing to release: a connection lives only as long as one message."""

    def send(self, message: OutboxMessage) -> SendResult:
        if not recipients(self._spec, message):
            return SendResult(outcome="rejected", error="no recipient: set a route target or `to`")
        if self._spec.password_env and self._password is None:
            return SendResult(
                outcome="retry", error=f"environment variable {self._spec.password_env} is unset"
            )
        mail = self.compose(message)
        try:
            self._deliver(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            permanent = all(code >= 500 for code in codes)
            return SendResult(
                outcome="rejected" if permanent else "retry",
                status_code=max(codes),
                error=_text(exc),
            )
        except smtplib.SMTPResponseException as exc:
            return SendResult(
                outcome="rejected" if exc.smtp_code >= 500 else "retry",
                status_code=exc.smtp_code,
                error=_text(exc),
            )
        except smtplib.SMTPNotSupportedError as exc:  # e.g. no AUTH offered: configuration
            return SendResult(outcome="rejected", error=_text(exc))
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult(outcome="retry", error=_text(exc))
        return SendResult(outcome="delivered", status_code=250)

    def _deliver(self, mail: EmailMessage) -> None:
        spec = self._spec
        timeout = spec.timeout.as_timedelta.total_seconds() or 10.0
        smtp: smtplib.SMTP
        if spec.security == "tls":
            smtp = smtplib.SMTP_SSL(spec.host, spec.port, timeout=timeout, context=self._ssl)
        else:
            smtp = smtplib.SMTP(spec.host, spec.port, timeout=timeout)
        with smtp:
            if spec.security == "starttls":
                smtp.starttls(context=self._ssl)
            if spec.username:
                smtp.login(spec.username, self._password or "")
            smtp.send_message(mail)


def _text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
