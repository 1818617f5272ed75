"""E-mail against a real SMTP server (aiosmtpd) on 127.0.0.1: STARTTLS, implicit TLS, AUTH."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from tests.integration.notify.conftest import message

from escalon.adapters.notify.email import EmailSender
from escalon.domain.policy.notifications import EmailChannel

USER, PASSWORD = "escalon", "s3cret"


class Mailbox:
    """Accepts mail, refusing recipients whose local part names an SMTP reply code."""

    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, Message]] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        local = address.split("@")[0]
        if local == "gone":
            return "550 5.1.1 mailbox unavailable"
        if local == "busy":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append((envelope, email.message_from_bytes(envelope.content)))
        return "250 OK"


def check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def run_server(mailbox: Mailbox, **options: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=check_login, **options
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def starttls_port(mailbox: Mailbox, certificate: tuple[Path, Path]) -> Iterator[int]:
    yield from run_server(mailbox, tls_context=server_context(certificate), require_starttls=True)


def sender(port: int, certificate: tuple[Path, Path] | None, **spec: Any) -> EmailSender:
    fields: dict[str, Any] = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "security": "starttls",
        "username": USER,
        "password_env": "ESCALON_SMTP_PASSWORD",
        "sender": "escalon@support.example.com",
        "to": ["l2-integrations@example.com"],
        "timeout": "5s",
    }
    channel = EmailChannel.model_validate(fields | spec)
    context = client_context(certificate) if certificate else None
    return EmailSender(channel, env={"ESCALON_SMTP_PASSWORD": PASSWORD}, ssl_context=context)


def test_starttls_with_auth_delivers_plain_and_html(
    mailbox: Mailbox, starttls_port: int, certificate: tuple[Path, Path]
) -> None:
    out = message()
    result = sender(starttls_port, certificate).send(out)
    assert (result.outcome, result.status_code) == ("delivered", 250)
    ((envelope, mail),) = mailbox.messages
    assert envelope.rcpt_tos == ["l2-integrations@example.com"]
    assert mail["Subject"] == "[escalon] P2 T-1001: P2 ticket T-1001 escalated from L1 to L2"
    assert mail["Message-ID"] == f"<{out.key}@support.example.com>"
    parts = {part.get_content_type(): part for part in mail.walk()}
    assert "Customer:   Acme <Corp>" in str(parts["text/plain"].get_payload(decode=True), "utf-8")
    html = str(parts["text/html"].get_payload(decode=True), "utf-8")
    assert "Acme &lt;Corp&gt;" in html


def test_route_target_overrides_the_default_list(
    mailbox: Mailbox, starttls_port: int, certificate: tuple[Path, Path]
) -> None:
    sender(starttls_port, certificate).send(message(target="vp-support@example.com"))
    assert mailbox.messages[0][0].rcpt_tos == ["vp-support@example.com"]


def test_implicit_tls(mailbox: Mailbox, certificate: tuple[Path, Path]) -> None:
    tls = server_context(certificate)
    for port in run_server(mailbox, ssl_context=tls, auth_require_tls=False):
        result = sender(port, certificate, security="tls").send(message())
        assert result.outcome == "delivered"
    assert len(mailbox.messages) == 1


@pytest.mark.parametrize(
    ("recipient", "outcome", "code"),
    [("gone@example.com", "rejected", 550), ("busy@example.com", "retry", 451)],
)
def test_smtp_reply_codes_decide_retry(
    starttls_port: int,
    certificate: tuple[Path, Path],
    recipient: str,
    outcome: str,
    code: int,
) -> None:
    result = sender(starttls_port, certificate).send(message(target=recipient))
    assert (result.outcome, result.status_code) == (outcome, code)


def test_wrong_password_is_permanent(starttls_port: int, certificate: tuple[Path, Path]) -> None:
    mail = sender(starttls_port, certificate)
    mail._password = "wrong"
    result = mail.send(message())
    assert (result.outcome, result.status_code) == ("rejected", 535)


def test_unreachable_server_is_retried() -> None:
    result = sender(free_port(), None, security="none", username=None).send(message())
    assert result.outcome == "retry" and result.error is not None


def test_no_recipient_is_rejected_without_connecting() -> None:
    result = sender(9, None, to=[]).send(message())
    assert result.outcome == "rejected"
