"""Mail over TLS against a real SMTP server (aiosmtpd on loopback) with a self-signed
certificate made for the test by ``openssl req``: STARTTLS the server requires, TLS from
the first byte (``security = "ssl"``), and a certificate the client does not trust."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.mail import MailWorker, Outbox, RetryPolicy, SmtpTransport
from frontdesk.adapters.mail.outbox import QueuedMail
from frontdesk.adapters.mail.transport import transport_from_settings
from frontdesk.config.settings import MailSettings
from frontdesk.engine.errors import ConfigError
from tests.mail.smtp_server import SmtpServer
from tests.mail.test_outbox_worker import FROM, Outcomes, a_message


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return Certificate(cert, key)


@pytest.fixture
def starttls_server(certificate: Certificate) -> Iterator[SmtpServer]:
    server = SmtpServer(tls_context=certificate.server_context(), require_starttls=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ssl_server(certificate: Certificate) -> Iterator[SmtpServer]:
    server = SmtpServer(ssl_context=certificate.server_context())
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def send_one(tmp_path: Path, transport: SmtpTransport, policy: RetryPolicy
                   ) -> tuple[Outcomes, Outbox, MailWorker]:
    outbox = Outbox(tmp_path / "accounts.sqlite3")
    worker = MailWorker(outbox, transport, policy)
    outcomes = Outcomes()
    worker.on_outcome("test", outcomes)
    outbox.enqueue("test", "d-tls", a_message(), sender=FROM, now=worker.now())
    return outcomes, outbox, worker


async def run_until_outcome(worker: MailWorker, outcomes: Outcomes) -> None:
    with trio.fail_after(15):
        async with trio.open_nursery() as nursery:
            await nursery.start(worker.run)
            await outcomes.event.wait()
            nursery.cancel_scope.cancel()


async def test_starttls_required_by_the_server_and_the_message_arrives(
        tmp_path: Path, starttls_server: SmtpServer, certificate: Certificate) -> None:
    mail = MailSettings(host="127.0.0.1", port=starttls_server.port, security="starttls",
                        ca_file=str(certificate.cert), timeout_s=5.0)
    transport = transport_from_settings(mail, tmp_path)
    assert isinstance(transport, SmtpTransport)
    outcomes, outbox, worker = await send_one(tmp_path, transport, RetryPolicy(2, 0.05, 0.1))
    await run_until_outcome(worker, outcomes)
    assert [(o.status, o.attempts, o.error) for o in outcomes.got] == [("sent", 1, "")]
    (got,) = await starttls_server.inbox.wait_for(1)
    assert got.recipients == ["visitor@example.com"] and got.sender == FROM
    assert got.message["Auto-Submitted"] == "auto-generated"
    outbox.close()


async def test_plain_smtp_to_a_server_requiring_starttls_is_a_reported_refusal(
        tmp_path: Path, starttls_server: SmtpServer) -> None:
    plain = SmtpTransport("127.0.0.1", starttls_server.port, "none", timeout_s=5.0)
    outcomes, outbox, worker = await send_one(tmp_path, plain, RetryPolicy(1, 0.01, 0.02))
    await run_until_outcome(worker, outcomes)
    (outcome,) = outcomes.got
    assert outcome.status == "failed" and "STARTTLS" in outcome.error
    assert starttls_server.inbox.received == []
    outbox.close()


async def test_implicit_ssl_and_the_message_arrives(
        tmp_path: Path, ssl_server: SmtpServer, certificate: Certificate) -> None:
    transport = SmtpTransport("127.0.0.1", ssl_server.port, "ssl",
                              ca_file=str(certificate.cert), timeout_s=5.0)
    outcomes, outbox, worker = await send_one(tmp_path, transport, RetryPolicy(2, 0.05, 0.1))
    await run_until_outcome(worker, outcomes)
    assert [(o.status, o.attempts) for o in outcomes.got] == [("sent", 1)]
    (got,) = await ssl_server.inbox.wait_for(1)
    assert got.message.get_body(("plain",)) is not None
    assert got.message.get_body(("html",)) is not None
    outbox.close()


@pytest.mark.parametrize("security", ["starttls", "ssl"])
async def test_an_untrusted_certificate_is_reported_retried_and_nothing_is_lost(
        tmp_path: Path, certificate: Certificate, security: str) -> None:
    tls = ({"ssl_context": certificate.server_context()} if security == "ssl" else
           {"tls_context": certificate.server_context(), "require_starttls": True})
    server = SmtpServer(**tls)
    server.start()
    untrusted = SmtpTransport("127.0.0.1", server.port, security, timeout_s=5.0)  # system CAs
    outcomes, outbox, worker = await send_one(tmp_path, untrusted, RetryPolicy(5, 0.05, 0.1))
    errors: list[str] = []

    def tried(mail: QueuedMail, n: int, error: str) -> None:
        errors.append(error)
        if n == 2:  # the operator fixes mail.ca_file: the same queued mail then goes
            worker.transport = SmtpTransport("127.0.0.1", server.port, security,
                                             ca_file=str(certificate.cert), timeout_s=5.0)

    worker.tried = tried
    try:
        await run_until_outcome(worker, outcomes)
        (got,) = await server.inbox.wait_for(1)
    finally:
        server.stop()
    assert len(errors) == 3 and errors[2] == ""
    for error in errors[:2]:
        assert f"127.0.0.1:{server.port}" in error and "certificate" in error, error
        assert "mail.ca_file" in error, error
    assert [(o.status, o.attempts) for o in outcomes.got] == [("sent", 3)]
    assert got.message["To"] == "visitor@example.com"
    outbox.close()


def test_a_missing_ca_file_is_a_clear_send_error(tmp_path: Path) -> None:
    transport = SmtpTransport("127.0.0.1", 1, "ssl", ca_file=str(tmp_path / "none.pem"))
    with pytest.raises(Exception, match=r"mail.ca_file: cannot read .*none\.pem"):
        transport.send(1, FROM, "visitor@example.com", b"Subject: x\r\n\r\nx\r\n")


def test_a_ca_file_that_is_not_there_refuses_the_start(tmp_path: Path) -> None:
    mail = MailSettings(host="127.0.0.1", ca_file=str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigError, match=r"^mail\.ca_file: expected a PEM file of CA "
                                          r"certificates, got .*missing\.pem \(no such file\)"):
        transport_from_settings(mail, tmp_path)
