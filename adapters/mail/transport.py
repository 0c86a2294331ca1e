"""How a queued mail leaves: over SMTP (``smtplib``, blocking: the worker runs it in a
thread) or, with no SMTP server configured, as an ``.eml`` file under the data directory.

A transport raises ``SendError`` with ``permanent`` set when trying again cannot help
(an SMTP 5xx for the sender, a recipient or the message); anything else is worth a retry.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from frontdesk.adapters.mail.message import MailError
from frontdesk.config.settings import MailSettings
from frontdesk.engine.errors import ConfigError


class SendError(MailError):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Transport(Protocol):
    def send(self, mail_id: int, sender: str, to: str, message: bytes) -> None:
        """Deliver ``message`` or raise ``SendError`` (blocking; run in a thread)."""
        ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    security: str = "starttls"  # none | starttls | ssl
    user: str = ""
    password: str = ""
    timeout_s: float = 30.0
    ca_file: str = ""  # the CAs the server's certificate is checked against; "" = system's

    def describe(self) -> str:
        return f"smtp {self.host}:{self.port} ({self.security})"

    def send(self, mail_id: int, sender: str, to: str, message: bytes) -> None:
        where = f"{self.host}:{self.port}"
        try:
            context = ssl.create_default_context(cafile=self.ca_file or None)
        except (OSError, ssl.SSLError) as exc:
            raise SendError(f"mail.ca_file: cannot read {self.ca_file} as PEM certificates: "
                            f"{getattr(exc, 'strerror', None) or exc}") from None
        try:
            smtp: smtplib.SMTP
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s,
                                        context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=context)
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.sendmail(sender, [to], message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise SendError(f"{where} refused {to}: {code} {_text(text)}",
                             permanent=code >= 500) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise SendError(f"{where} refused the mail: {exc.smtp_code} {_text(exc.smtp_error)}",
                             permanent=exc.smtp_code >= 500) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"{where} refused the login of {self.user!r}: {exc.smtp_code}"
                             ) from None
        except ssl.SSLCertVerificationError as exc:
            cas = self.ca_file or "the system's CAs"
            raise SendError(f"{where}: the server's certificate is not trusted "
                            f"({exc.verify_message}) by {cas} (mail.ca_file)") from None
        except smtplib.SMTPNotSupportedError:
            raise SendError(f"{where} does not offer STARTTLS (mail.security)") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"cannot reach {where}: {exc.__class__.__name__}: {exc}") from None


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


@dataclass(frozen=True)
class EmlTransport:
    """Writes each mail as ``<directory>/<mail id>.eml`` (atomically: a reader never sees
    half a file)."""

    directory: Path

    def describe(self) -> str:
        return f"eml files in {self.directory}"

    def path_of(self, mail_id: int) -> Path:
        return self.directory / f"mail-{mail_id:06d}.eml"

    def send(self, mail_id: int, sender: str, to: str, message: bytes) -> None:
        target = self.path_of(mail_id)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".eml.partial")
            partial.write_bytes(message)
            os.replace(partial, target)
        except OSError as exc:
            raise SendError(f"cannot write {target}: {exc.strerror or exc}") from None


def transport_from_settings(
    mail: MailSettings, data_dir: Path, environ: Mapping[str, str] = os.environ
) -> Transport:
    """The transport of ``[mail]``: SMTP if ``host`` is set, else ``.eml`` files under
    ``<data_dir>/mail``. The password is read from ``environ[mail.password_env]``."""
    if not mail.host:
        return EmlTransport(data_dir / "mail")
    if mail.ca_file and not Path(mail.ca_file).is_file():
        raise ConfigError(f"mail.ca_file: expected a PEM file of CA certificates, got "
                          f"{mail.ca_file} (no such file)")
    password = ""
    if mail.password_env:
        if mail.password_env not in environ:
            raise ConfigError(f"mail.password_env: expected the environment variable "
                              f"{mail.password_env} to hold the SMTP password, got it unset")
        password = environ[mail.password_env]
    return SmtpTransport(mail.host, mail.port, mail.security, mail.user, password, mail.timeout_s,
                         mail.ca_file)
