"""The gallery on a real node: a manager fills it, an operator searches it and sends an item
into a dialog, where the visitor gets it as a ``dialog.file`` entry with its bytes."""

from __future__ import annotations

import httpx

from tests.files import samples
from tests.mail.test_transcript_route import a_dialog, logged_in
from tests.web.nodes import PASSWORD, Node


async def test_a_manager_fills_the_gallery_and_an_operator_sends_an_item(
        file_node: Node) -> None:
    _ann, vera, dialog, token = await a_dialog(file_node)
    async with logged_in(file_node, "maria") as manager:
        added = await manager.post("/api/gallery", data={"name": "Opening hours"},
                                   files={"file": ("hours.png", samples.png(200, 100))})
        assert added.status_code == 201, added.text
        item = added.json()
        assert (item["name"], item["mime"], item["thumbnail"]) == (
            "Opening hours", "image/png", True)
        other = await manager.post("/api/gallery", data={"name": "Returns form"},
                                   files={"file": ("returns.pdf", samples.pdf())})
        svg = await manager.post("/api/gallery", data={"name": "Logo"},
                                 files={"file": ("logo.svg", samples.SVG_WITH_SCRIPT)})
        assert svg.status_code == 415 and "image/svg+xml" in svg.json()["error"]["message"]
        renamed = await manager.patch(f"/api/gallery/{other.json()['item']}",
                                      json={"name": "Returns form (2026)"})
        assert renamed.json()["name"] == "Returns form (2026)"
        blank = await manager.patch(f"/api/gallery/{item['item']}", json={"name": "  "})
        assert blank.status_code == 400 and blank.json()["error"]["code"] == "bad_name"
    async with logged_in(file_node, "ann") as operator:
        refused = await operator.post("/api/gallery", data={"name": "x"},
                                      files={"file": ("a.txt", b"text\n")})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "wrong_role"
        found = await operator.get("/api/gallery", params={"q": "hours"})
        assert [i["name"] for i in found.json()["items"]] == ["Opening hours"]
        everything = await operator.get("/api/gallery")
        assert [i["name"] for i in everything.json()["items"]] == [
            "Opening hours", "Returns form (2026)"]
        thumb = await operator.get(f"/api/gallery/{item['item']}/content",
                                   params={"thumbnail": "1"})
        assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")
        sent = await operator.post(f"/api/dialogs/{dialog}/gallery", json={"item": item["item"]})
        assert sent.status_code == 201, sent.text
    entry = await vera.expect({"type": "dialog.file", "file": sent.json()["file"]})
    assert (entry["name"], entry["author"], entry["thumbnail"]) == ("hours.png", "operator", True)
    async with httpx.AsyncClient(base_url=file_node.url) as http:
        got = await http.get(f"/api/files/{entry['file']}", params={"token": token})
    assert got.content == samples.png(200, 100)
    async with logged_in(file_node, "maria") as manager:
        assert (await manager.delete(f"/api/gallery/{item['item']}")).status_code == 200
        gone = await manager.delete(f"/api/gallery/{item['item']}")
        assert gone.status_code == 404
    async with httpx.AsyncClient(base_url=file_node.url) as http:  # the dialog's copy stays
        again = await http.get(f"/api/files/{entry['file']}", params={"token": token})
    assert again.status_code == 200 and again.content == samples.png(200, 100)


async def test_an_account_that_is_operator_and_manager_fills_the_gallery(
        file_node: Node) -> None:
    file_node.accounts.create_user("sam", "Sam", ("operator", "manager"), PASSWORD)
    async with logged_in(file_node, "sam") as both:
        added = await both.post("/api/gallery", data={"name": "Map"},
                                files={"file": ("map.png", samples.png(50, 50))})
        assert added.status_code == 201, added.text
