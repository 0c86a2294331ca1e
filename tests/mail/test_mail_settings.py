"""``[mail]``: its values, its refusals, and the transport it makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.adapters.mail import EmlTransport, SmtpTransport, transport_from_settings
from frontdesk.config.loader import load_settings
from frontdesk.engine.errors import ConfigError


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "frontdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_mail_section_is_read_and_makes_an_smtp_transport(tmp_path: Path) -> None:
    path = toml(tmp_path, '[mail]\nhost = "smtp.example.com"\nport = 465\nsecurity = "ssl"\n'
                          'user = "desk"\npassword_env = "DESK_SMTP_PASSWORD"\n'
                          'from_address = "desk@example.com"\nreply_to = "team@example.com"\n')
    mail = load_settings(path, {}).mail
    assert (mail.host, mail.port, mail.security, mail.reply_to) == (
        "smtp.example.com", 465, "ssl", "team@example.com")
    transport = transport_from_settings(mail, tmp_path, {"DESK_SMTP_PASSWORD": "s3cret"})
    assert transport == SmtpTransport("smtp.example.com", 465, "ssl", "desk", "s3cret", 30.0)


def test_no_host_writes_eml_files_under_the_data_dir(tmp_path: Path) -> None:
    mail = load_settings(None, {}).mail
    assert mail.host == ""
    assert transport_from_settings(mail, tmp_path, {}) == EmlTransport(tmp_path / "mail")


def test_an_unset_password_variable_is_named(tmp_path: Path) -> None:
    path = toml(tmp_path, '[mail]\nhost = "smtp.example.com"\nuser = "desk"\n'
                          'password_env = "DESK_SMTP_PASSWORD"\n')
    with pytest.raises(ConfigError, match="environment variable DESK_SMTP_PASSWORD"):
        transport_from_settings(load_settings(path, {}).mail, tmp_path, {})


@pytest.mark.parametrize(("line", "message"), [
    ('security = "tls"', "mail.security: expected one of none, starttls, ssl, got \"tls\""),
    ('from_address = "nobody"', "mail.from_address: expected an e-mail address"),
    ('reply_to = "team at example"', "mail.reply_to: expected an e-mail address"),
    ('host = "smtp://x:25"', "mail.host: expected a host name or address without a scheme"),
    ("port = 0", "mail.port: expected an integer 1-65535, got 0"),
    ('user = "desk"', "mail.password_env: expected the name of the environment variable"),
    ("retry_initial_s = 10000.0", "mail.retry_initial_s: expected at most mail.retry_max_s"),
    ("max_attempts = 0", "mail.max_attempts: expected an integer 1-100, got 0"),
])
def test_a_bad_mail_setting_is_refused_naming_it(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ConfigError, match="^" + message.replace(".", r"\.")):
        load_settings(toml(tmp_path, f"[mail]\n{line}\n"), {})


def test_the_environment_sets_mail_too() -> None:
    mail = load_settings(None, {"FRONTDESK_MAIL__HOST": "127.0.0.1",
                                "FRONTDESK_MAIL__SECURITY": "none"}).mail
    assert (mail.host, mail.security) == ("127.0.0.1", "none")
