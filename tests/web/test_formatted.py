"""Formatted answers and linkified text over real websockets (docs/protocol.md "Formatted text")."""

from __future__ import annotations

import pytest

from frontdesk.adapters.client import OperatorClient, RefusedError, VisitorClient
from frontdesk.adapters.text import LINK_REL
from frontdesk.engine.commands import OperatorSay
from frontdesk.engine.notices import Notice
from tests.web.nodes import Node

ANSWER = "Hi **Vera**, see [the guide](https://example.com/guide) or *call* us:\n- `1234`"
ANSWER_HTML = (
    '<p>Hi <strong>Vera</strong>, see <a href="https://example.com/guide" target="_blank" '
    f'rel="{LINK_REL}">the guide</a> or <em>call</em> us:</p><ul><li><code>1234</code></li>'
    "</ul>"
)
ANSWER_TEXT = "Hi Vera, see the guide (https://example.com/guide) or call us:\n\n- 1234"


async def talking(node: Node) -> tuple[OperatorClient, VisitorClient, str, str]:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    ack = await vera.open("Vera")
    await ann.expect({"type": "operator.dialog_added", "dialog": ack["dialog"]})
    await vera.expect("dialog.assigned")
    return ann, vera, ack["dialog"], ack["data"]["token"]


def formed(frame: dict[str, object]) -> tuple[object, ...]:
    return frame["format"], frame["source"], frame["html"], frame["text"]


async def test_a_formatted_answer_arrives_rendered_on_both_sides_and_after_a_resume(
    node: Node,
) -> None:
    ann, vera, dialog, token = await talking(node)
    echo = await ann.say(dialog, ANSWER, format="markdown")
    expected = ("markdown", ANSWER, ANSWER_HTML, ANSWER_TEXT)
    assert formed(echo) == expected
    heard = await vera.expect({"type": "dialog.message", "author": "operator"})
    assert formed(heard) == expected and heard["seq"] == echo["seq"]

    # a page reloaded: the replay carries the same rendering (it is kept with the entry)
    again = await node.visitor()
    await again.resume(dialog, token, after_seq=0)
    replayed = await again.expect({"type": "dialog.message", "seq": echo["seq"]})
    assert formed(replayed) == expected
    console = await node.operator("ann")
    await console.send({"type": "resume", "dialogs": {dialog: 0}})
    replayed = await console.expect({"type": "dialog.message", "seq": echo["seq"]})
    assert formed(replayed) == expected
    maria = await node.manager()
    await maria.send({"type": "monitor", "dialog": dialog, "ref": "mo-1"})
    watched = await maria.expect({"type": "dialog.message", "seq": echo["seq"]})
    assert formed(watched) == expected


async def test_visitor_text_stays_plain_but_its_urls_are_links(node: Node) -> None:
    ann, vera, dialog, _ = await talking(node)
    said = await vera.say("<b>x</b> **y** https://example.com/a?b=1")
    heard = await ann.expect({"type": "dialog.message", "seq": said["seq"]})
    assert heard["format"] == "plain" and heard["text"] == heard["source"] == (
        "<b>x</b> **y** https://example.com/a?b=1")
    assert heard["html"] == (
        '&lt;b&gt;x&lt;/b&gt; **y** <a href="https://example.com/a?b=1" target="_blank" '
        f'rel="{LINK_REL}">https://example.com/a?b=1</a>')
    plain = await ann.say(dialog, "no **markdown** here")  # an operator's say without format
    assert formed(plain) == ("plain", "no **markdown** here", "no **markdown** here",
                             "no **markdown** here")


async def test_an_entry_journaled_without_its_rendering_is_rendered_when_read(
    node: Node,
) -> None:
    _, vera, dialog, _ = await talking(node)
    answers: list[Notice] = []
    # what a journal of before formatting holds: the source and its format, no html
    command = OperatorSay("ann", dialog, ANSWER, "markdown", ref="m-old-1")
    node.ctx.engine.submit(command, answers.append)
    heard = await vera.expect({"type": "dialog.message", "author": "operator"})
    assert formed(heard) == ("markdown", ANSWER, ANSWER_HTML, ANSWER_TEXT)
    assert heard["ref"] == "m-old-1"


@pytest.mark.parametrize(
    ("endpoint", "frame", "expected"),
    [
        ("operator", {"format": "html"}, 'say.format: expected one of plain, markdown, got "html"'),
        ("visitor", {"format": "markdown"}, 'say.format: expected one of plain, got "markdown"'),
        ("operator", {"text": "x" * 4001}, "say.text: expected at most 4000 characters, got 4001"),
        ("operator", {"format": None, "text": "**"}, None),
    ],
)
async def test_bad_formatted_says_are_bad_fields(
    node: Node, endpoint: str, frame: dict[str, object], expected: str | None
) -> None:
    ann, vera, dialog, _ = await talking(node)
    client: OperatorClient | VisitorClient = ann if endpoint == "operator" else vera
    say = {"type": "say", "dialog": dialog, "text": "hello", "ref": "m-bad-1", **frame}
    if expected is None:  # null is the default (plain), and a lone marker is just text
        echo = await client.request(say)
        assert echo["format"] == "plain" and echo["html"] == "**"
        return
    with pytest.raises(RefusedError) as refused:
        await client.request(say)
    assert refused.value.code == "bad_field"
    assert refused.value.frame["message"] == expected
    # nothing of the dialog is lost: the next say goes through
    assert (await client.request({**say, "format": "plain", "text": "ok",
                                  "ref": "m-bad-2"}))["text"] == "ok"


async def test_a_javascript_link_is_not_a_link_and_nothing_is_lost(node: Node) -> None:
    ann, vera, dialog, _ = await talking(node)
    echo = await ann.say(dialog, "[click](javascript:alert(1)) <img src=x onerror=alert(1)>",
                         format="markdown")
    heard = await vera.expect({"type": "dialog.message", "seq": echo["seq"]})
    assert "<a" not in heard["html"] and "<img" not in heard["html"]
    assert heard["html"] == (
        "<p>[click](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;</p>")
    after = await ann.say(dialog, "**still here**", format="markdown")
    assert after["seq"] == echo["seq"] + 1 and after["html"] == (
        "<p><strong>still here</strong></p>")
