"""What the visitor types while the chat is still opening is said once it is open.

The chat shows as soon as the visitor starts it, before the server has answered the
``open``; Enter on a message then did nothing (the text sat in the box and a person who
typed on was never heard — a CI flake under load found it). The server's answer to the
``open`` is held back here (playwright's websocket route, between the page and the real
server) while the visitor types and sends two messages."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import WebSocketRoute, expect

from . import pages as ui
from .server import Server

pytestmark = pytest.mark.browser


def test_messages_sent_while_the_chat_opens_are_said_once_it_is_open(
    server: Server, new_page: ui.NewPage,
) -> None:
    ann = ui.operator(new_page, server, "ann")
    ui.set_status(ann, "connected")
    vera = new_page("visitor Vera")
    held: list[str] = []
    routes: list[WebSocketRoute] = []

    def between(page_side: WebSocketRoute) -> None:
        routes.append(page_side)
        server_side = page_side.connect_to_server()

        def from_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "ack" and str(frame.get("ref", "")).startswith("open"):
                held.append(str(message))  # the open's answer waits
            else:
                page_side.send(message)

        page_side.on_message(server_side.send)
        server_side.on_message(from_server)

    vera.route_web_socket("**/ws/visitor", between)
    vera.goto(server.url("/demo"))
    vera.get_by_test_id("fd-launcher").click()
    vera.get_by_test_id("fd-name").fill("Vera")
    vera.get_by_test_id("fd-start").click()
    expect(vera.get_by_test_id("fd-chat")).to_be_visible()
    for text in ("Hello?", "Anyone there?"):
        ui.widget_say(vera, text)
    box = vera.get_by_test_id("fd-input")
    expect(box).to_have_value("")
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(2)
    expect(ui.widget_texts(vera)).to_have_count(0)

    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:  # playwright runs the route's callbacks
        vera.wait_for_timeout(20)                     # only inside its own calls
    assert held, "the server never answered the open"
    routes[0].send(held.pop())  # the open is answered now
    expect(ui.widget_texts(vera)).to_have_text(["Hello?", "Anyone there?"])
    expect(vera.get_by_test_id("fd-msg-pending")).to_have_count(0)
    ui.tab(ann, "Vera").click()
    expect(ui.console_texts(ann)).to_have_text(["Hello?", "Anyone there?"])
