"""The mail of a monitored dialog: the operator's first message and the person's link.

The link opens the widget on the configured site (``[monitored] link_base``, else the
server's demo page) on that very dialog: ``<base>#frontdesk-link=<dialog>.<token>``. The
token is in the fragment, so the host site's server never sees it in a request line or a
log; the widget exchanges it once for the dialog's visitor token
(``POST /api/monitored/link``, ``docs/protocol.md`` "Monitored dialogs").
"""

from __future__ import annotations

import html
import time

from frontdesk.adapters.mail.transcript import Transcript

FRAGMENT = "frontdesk-link"


def link_url(base: str, dialog: str, token: str) -> str:
    """The person's link: ``base`` (its own fragment dropped) with the dialog and token."""
    return f"{base.split('#', 1)[0]}#{FRAGMENT}={dialog}.{token}"


def build_invitation(*, dialog: str, person: str, operator: str, text: str, url: str,
                     expires_at: float, site: str = "frontdesk") -> Transcript:
    """Subject, text and HTML of the mail; every value from people is escaped."""
    until = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires_at))
    subject = f"{operator} wrote to you ({site})"
    lines = [f"Hello {person},", "", f"{operator} wrote:", "", text, "",
             "Answer in the chat (the link is for you only, works once, until "
             f"{until}):", url, "", f"-- {site} ({dialog})"]
    e = html.escape
    body = "<br>".join(e(line) for line in text.splitlines())
    page = (
        "<!doctype html><html><head><meta charset=\"utf-8\">"
        f"<title>{e(subject)}</title></head><body>"
        f"<p>Hello {e(person)},</p><p>{e(operator)} wrote:</p><blockquote>{body}</blockquote>"
        f"<p><a href=\"{e(url, quote=True)}\">Answer in the chat</a> (the link is for you "
        f"only, works once, until {e(until)}).</p>"
        f"<p>— {e(site)} ({e(dialog)})</p></body></html>"
    )
    return Transcript(subject, "\n".join(lines) + "\n", page)
