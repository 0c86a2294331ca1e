"""A dialog's transcript as a mail: a subject, a plain-text body and an HTML body.

It is built from the dialog's history entries **as the visitor sees them** (each notice's
``for_audience("visitor")``): the transcript goes to the visitor (or to an address an
operator types), so nothing internal — help requests, transfer notes, the Important flag,
mail results — is in it. Every value from the dialog is escaped in the HTML part; an entry
that carries the server's own safe HTML (``html``, from ``adapters.text``: the allowlist of
``frontdesk.adapters.text.sanitize``) is used as it is; a message journaled without it is rendered
here the same way (``frontdesk.adapters.text.render`` is deterministic), and its plain form
(``text``) is the text part.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from frontdesk.adapters.text import FORMATS, TextError, render
from frontdesk.engine import notices as engine_notices

NOTE_MAX_CHARS = 2000


@dataclass(frozen=True)
class Transcript:
    subject: str
    text: str
    html: str


def visitor_entries(notices: Iterable[engine_notices.Notice]) -> list[dict[str, Any]]:
    """The history entries of ``notices`` the visitor may see, as wire frames, in seq order."""
    out: dict[int, dict[str, Any]] = {}
    for notice in notices:
        if not isinstance(notice, engine_notices.DialogNotice) or not notice.in_history:
            continue
        form = notice.for_audience("visitor")
        if form is not None:
            out[notice.seq] = form.to_wire()
    return [out[seq] for seq in sorted(out)]


def clock(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at))


def line_of(entry: Mapping[str, Any]) -> tuple[str, str] | None:
    """(who, what) of one entry for the transcript; None: not shown."""
    kind = entry.get("type")
    if kind == "dialog.message":
        return str(entry.get("name") or entry.get("author") or ""), str(
            entry.get("plain") or entry.get("text") or "")
    if kind == "dialog.opened":
        return "", f"{entry.get('visitor_name') or 'The visitor'} opened the chat."
    if kind == "dialog.assigned":
        return "", f"{entry.get('operator_name')} joined the chat."
    if kind == "dialog.transferred":
        return "", f"{entry.get('from_name')} handed the chat to {entry.get('to_name')}."
    if kind == "dialog.requeued":
        return "", "The chat went back to the queue."
    if kind == "dialog.closed":
        return "", "The chat was closed."
    if kind == "dialog.survey":
        return "", f"Survey \u201c{entry.get('title')}\u201d sent."
    if kind == "dialog.survey_answered":
        return "", "You answered the survey. Thank you!"
    return None


def build_transcript(dialog_id: str, entries: list[dict[str, Any]], *, note: str = "",
                     site: str = "frontdesk") -> Transcript:
    opened = next((e for e in entries if e.get("type") == "dialog.opened"), None)
    when = f" of {clock(float(opened['at']))}" if opened else ""
    subject = f"Transcript of your chat{when} ({dialog_id})"
    text_lines: list[str] = []
    rows: list[str] = []
    if note:
        text_lines += [note, "", "-" * 40, ""]
    for entry in entries:
        shown = line_of(entry)
        if shown is None:
            continue
        who, what = shown
        at = clock(float(entry.get("at", 0.0)))
        text_lines.append(f"[{at}] {who + ': ' if who else ''}{what}")
        body = _message_html(entry) if entry.get("type") == "dialog.message" else None
        body = body or _paragraphs(what)
        rows.append(
            f'<tr><td class="at">{html.escape(at)}</td>'
            f'<td class="who">{html.escape(who)}</td><td>{body}</td></tr>')
    text_lines += ["", f"-- {site} ({dialog_id})"]
    note_html = f"<div class=\"note\">{_paragraphs(note)}</div><hr>" if note else ""
    page = (
        "<!doctype html><html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(subject)}</title></head><body>"
        f"{note_html}<h1>{html.escape(subject)}</h1>"
        f"<table>{''.join(rows)}</table>"
        f"<p>— {html.escape(site)} ({html.escape(dialog_id)})</p></body></html>"
    )
    return Transcript(subject, "\n".join(text_lines) + "\n", page)


def _message_html(entry: Mapping[str, Any]) -> str:
    """A message's safe HTML: the server's own, or rendered now from its source."""
    safe = entry.get("html")
    if isinstance(safe, str) and safe:
        return safe
    source = str(entry.get("source") or entry.get("text") or "")
    format = entry.get("format")
    try:
        return render(source, format if format in FORMATS else "plain").html
    except TextError:
        return ""  # not text the wire would take: shown escaped as its plain form


def _paragraphs(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.splitlines()) or ""
