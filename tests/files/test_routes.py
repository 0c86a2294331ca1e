"""Uploads and downloads over HTTP on a real node: real sockets, the real SQLite file store."""

from __future__ import annotations

from typing import Any

import httpx

from tests.files import samples
from tests.mail.test_transcript_route import a_dialog, logged_in
from tests.web.nodes import Node


async def visitor_upload(node: Node, dialog: str, token: str, name: str, data: bytes, *,
                         claimed: str = "application/octet-stream") -> httpx.Response:
    async with httpx.AsyncClient(base_url=node.url, timeout=10.0) as http:
        return await http.post(f"/api/dialogs/{dialog}/files", data={"token": token},
                               files={"file": (name, data, claimed)})


def error_of(answer: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = answer.json()["error"]
    return body


async def test_a_visitor_sends_an_image_and_the_operator_gets_entry_and_bytes(
        file_node: Node) -> None:
    ann, vera, dialog, token = await a_dialog(file_node)
    image = samples.png(300, 200)
    answer = await visitor_upload(file_node, dialog, token, "../me/photo.png", image)
    assert answer.status_code == 201, answer.text
    sent = answer.json()
    assert (sent["name"], sent["mime"], sent["size"], sent["thumbnail"]) == (
        "photo.png", "image/png", len(image), True)
    entry = await ann.expect({"type": "dialog.file", "dialog": dialog, "file": sent["file"]})
    assert entry["seq"] == sent["seq"] and entry["author"] == "visitor"
    await vera.expect({"type": "dialog.file", "file": sent["file"]})
    async with logged_in(file_node, "ann") as http:
        got = await http.get(f"/api/files/{sent['file']}")
        assert got.status_code == 200 and got.content == image
        assert got.headers["content-type"] == "image/png"
        assert got.headers["content-disposition"].startswith("inline; filename=\"photo.png\"")
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-security-policy"] == "sandbox"
        thumb = await http.get(f"/api/files/{sent['file']}", params={"thumbnail": "1"})
        assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")
    async with logged_in(file_node, "maria") as manager:
        assert (await manager.get(f"/api/files/{sent['file']}")).content == image


async def test_an_operator_sends_a_pdf_served_as_an_attachment(file_node: Node) -> None:
    _ann, vera, dialog, token = await a_dialog(file_node)
    async with logged_in(file_node, "ann") as http:
        answer = await http.post(f"/api/dialogs/{dialog}/files",
                                 files={"file": ("Rechnung;M\u00e4rz.pdf", samples.pdf(), "x/y")})
        assert answer.status_code == 201, answer.text
        file_id = answer.json()["file"]
    entry = await vera.expect({"type": "dialog.file", "file": file_id})
    assert (entry["author"], entry["mime"], entry["thumbnail"]) == (
        "operator", "application/pdf", False)
    async with httpx.AsyncClient(base_url=file_node.url) as http:
        got = await http.get(f"/api/files/{file_id}", params={"token": token})
    assert got.status_code == 200 and got.content == samples.pdf()
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"Rechnung_M_rz.pdf\"; filename*=UTF-8''Rechnung%3BM%C3%A4rz.pdf")


async def test_bad_uploads_are_refused_as_json_and_the_dialog_goes_on(file_node: Node) -> None:
    ann, vera, dialog, token = await a_dialog(file_node)
    svg = await visitor_upload(file_node, dialog, token, "cat.png", samples.SVG_WITH_SCRIPT,
                               claimed="image/png")
    assert svg.status_code == 415 and "got image/svg+xml" in error_of(svg)["message"]
    html = await visitor_upload(file_node, dialog, token, "a.txt", samples.HTML_PAGE)
    assert html.status_code == 415 and "got text/html" in error_of(html)["message"]
    big = await visitor_upload(file_node, dialog, token, "big.txt", b"x" * 300_000)
    assert big.status_code == 413 and error_of(big)["code"] == "file_too_large"
    bomb = await visitor_upload(file_node, dialog, token, "bomb.png", samples.png_bomb())
    assert bomb.status_code == 413 and error_of(bomb)["code"] == "image_too_large"
    wrong = await visitor_upload(file_node, dialog, "not-the-token", "a.txt", b"hello\n")
    assert wrong.status_code == 403
    ok = await visitor_upload(file_node, dialog, token, "a.txt", b"hello\n")
    assert ok.status_code == 201, ok.text
    limited = await visitor_upload(file_node, dialog, token, "b.txt", b"again\n")
    assert limited.status_code == 429 and error_of(limited)["code"] == "too_many_uploads"
    await vera.say("still here")
    await ann.expect({"type": "dialog.message", "dialog": dialog, "text": "still here"})


async def test_a_file_of_another_dialog_is_forbidden(file_node: Node) -> None:
    _ann, _vera, dialog, token = await a_dialog(file_node)
    ok = await visitor_upload(file_node, dialog, token, "a.txt", b"mine\n")
    other = await file_node.visitor()
    ack = await other.open("Otto", {})
    async with httpx.AsyncClient(base_url=file_node.url) as http:
        got = await http.get(f"/api/files/{ok.json()['file']}",
                             params={"token": ack["data"]["token"]})
        assert got.status_code == 403 and error_of(got)["code"] == "forbidden"
        anon = await http.get(f"/api/files/{ok.json()['file']}")
        assert anon.status_code == 401
        unknown = await http.get("/api/files/nope", params={"token": token})
        assert unknown.status_code == 404


async def test_a_past_holder_still_downloads_and_a_stranger_does_not(file_node: Node) -> None:
    ann, _vera, dialog, token = await a_dialog(file_node)
    sent = await visitor_upload(file_node, dialog, token, "note.txt", b"before the transfer\n")
    assert sent.status_code == 201, sent.text
    bob = await file_node.operator("bob")
    await bob.set_status("on_break")  # bob gets no dialog from the queue, but transfers go
    await ann.wait_for(lambda f: f["type"] == "operators"
                       and {o["id"] for o in f["operators"]} == {"ann", "bob"})
    await ann.transfer(dialog, "bob", "yours now")
    await bob.expect({"type": "operator.dialog_added", "dialog": dialog})
    await ann.expect({"type": "operator.dialog_removed", "dialog": dialog})
    url = f"/api/files/{sent.json()['file']}"
    for login in ("ann", "bob"):  # its operators past and present
        async with logged_in(file_node, login) as http:
            got = await http.get(url)
            assert got.status_code == 200 and got.content == b"before the transfer\n", login
    async with logged_in(file_node, "cid") as stranger:  # never held it
        got = await stranger.get(url)
        assert got.status_code == 403 and error_of(got)["code"] == "forbidden"


async def test_an_upload_refused_by_the_dialog_leaves_no_file_behind(file_node: Node) -> None:
    _ann, vera, dialog, token = await a_dialog(file_node)
    await vera.close()
    late = await visitor_upload(file_node, dialog, token, "late.txt", b"too late\n")
    assert late.status_code == 409 and error_of(late)["code"] == "closed", late.text
    files = file_node.ctx.files
    assert files is not None
    assert files.of_dialog(dialog) == []


async def test_an_upload_preflight_is_answered_for_allowed_origins_only(file_node: Node) -> None:
    async with httpx.AsyncClient(base_url=file_node.url, timeout=10.0) as http:
        own = await http.options("/api/dialogs/d-1/files", headers={
            "origin": file_node.url, "access-control-request-method": "POST"})
        assert own.status_code == 204
        assert own.headers["access-control-allow-origin"] == file_node.url
        assert own.headers["access-control-allow-methods"] == "POST"
        foreign = await http.options("/api/dialogs/d-1/files", headers={
            "origin": "https://evil.example", "access-control-request-method": "POST"})
        assert foreign.status_code == 403
        assert "access-control-allow-origin" not in foreign.headers
        assert "https://evil.example" in error_of(foreign)["message"]
