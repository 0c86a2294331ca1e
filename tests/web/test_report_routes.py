"""``GET /api/reports`` on a real node: the JSON and the CSV of a day's dialogs, managers
only, and bad dates, ranges, zones and formats refused with a clear error.

The node's ManualClock starts at 1_700_000_000 (2023-11-14 22:13:20 UTC)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from frontdesk.web.report_routes import MAX_DAYS
from tests.web.nodes import PASSWORD, Node

DAY = "2023-11-14"


@asynccontextmanager
async def logged_in(node: Node, login: str = "maria") -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=node.url, timeout=10) as client:
        response = await client.post("/api/login", json={"login": login, "password": PASSWORD})
        assert response.status_code == 200
        yield client


async def a_transfer(node: Node) -> None:
    """Ann takes Vera's dialog, answers after 20 s, transfers it to Bob after 60 s more;
    Bob answers after 5 s and closes after 100 s."""
    ann, bob = await node.operator("ann"), await node.operator("bob")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await node.advance(20)
    await ann.say(dialog, "hello")
    await node.advance(60)
    await ann.transfer(dialog, "bob")
    await bob.expect({"type": "operator.dialog_added", "dialog": dialog})
    await node.advance(5)
    await bob.say(dialog, "Bob here")
    await node.advance(100)
    await bob.close(dialog)
    await node.settle()


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in body["operators"]}


async def test_a_days_report_as_json_and_csv(node: Node) -> None:
    await a_transfer(node)
    async with logged_in(node) as client:
        response = await client.get("/api/reports", params={"from": DAY, "to": DAY})
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["from"], body["to"], body["time_zone"]) == (DAY, DAY, "UTC")
        assert body["opened"] == 1 and body["closed"] == 1
        ops = by_id(body)
        ann, bob = ops["ann"], ops["bob"]
        assert ann["dialogs"] == 1 and bob["dialogs"] == 1
        assert ann["first_response"]["mean_s"] == 20.0
        assert ann["handling"]["mean_s"] == 80.0
        assert bob["first_response"]["median_s"] == 5.0
        assert bob["handling"]["mean_s"] == 105.0
        assert (ann["transfers_out"], bob["transfers_in"]) == (1, 1)
        assert ann["status_s"]["connected"] == 185.0
        assert body["total"]["dialogs"] == 2 and body["total"]["transfers_out"] == 1

        exported = await client.get("/api/reports",
                                    params={"from": DAY, "to": DAY, "format": "csv"})
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        assert f'filename="report-{DAY}-{DAY}.csv"' in exported.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [r["operator"] for r in rows] == ["ann", "bob", "total"]
        assert rows[0]["first_response_mean_s"] == "20.0" and rows[0]["transfers_out"] == "1"
        assert rows[2]["dialogs"] == "2"


async def test_the_days_of_another_time_zone(node: Node) -> None:
    """22:13 UTC on the 14th is 11:13 on the 15th in Auckland."""
    await a_transfer(node)
    async with logged_in(node) as client:
        auckland = (await client.get("/api/reports", params={
            "from": "2023-11-15", "tz": "Pacific/Auckland"})).json()
        assert auckland["time_zone"] == "Pacific/Auckland"
        assert by_id(auckland)["ann"]["dialogs"] == 1
        utc = (await client.get("/api/reports", params={"from": "2023-11-15"})).json()
        assert utc["operators"] == [] and utc["total"]["dialogs"] == 0


@pytest.mark.parametrize("node_options", [{"time_zone": "Pacific/Auckland"}])
async def test_the_configured_zone_is_the_default(node: Node) -> None:
    async with logged_in(node) as client:
        body = (await client.get("/api/reports", params={"from": DAY})).json()
        assert body["time_zone"] == "Pacific/Auckland"
        assert (await client.get("/api/reports", params={"from": DAY, "tz": "utc"})).json()[
            "time_zone"] == "UTC"


@pytest.mark.parametrize(("params", "names"), [
    ({}, "from: expected a date YYYY-MM-DD, got none"),
    ({"from": "14/11/2023"}, "from: expected a date YYYY-MM-DD, got '14/11/2023'"),
    ({"from": "2023-02-30"}, "no day of the calendar"),
    ({"from": "9999-12-31"}, "from: expected a date from 1970-01-02 to 9999-12-30"),
    ({"from": "0001-01-01"}, "from: expected a date from 1970-01-02 to 9999-12-30"),
    ({"from": DAY, "to": "2023-11-13"}, "to: expected a day on or after from (2023-11-14)"),
    ({"from": "2023-01-01", "to": "2023-12-31"},
     f"expected a range of at most {MAX_DAYS} days, got 365"),
    ({"from": DAY, "tz": "Mars/Olympus"}, "tz: expected an IANA time zone name"),
    ({"from": DAY, "tz": "../../etc/passwd"}, "tz: expected an IANA time zone name"),
    ({"from": DAY, "format": "xml"}, "format: expected one of json, csv, got 'xml'"),
    ({"from": DAY, "days": "3"}, "days: expected only the parameters from, to, tz, format"),
])
async def test_bad_input_is_refused_naming_what_was_expected(
    node: Node, params: dict[str, str], names: str,
) -> None:
    async with logged_in(node) as client:
        response = await client.get("/api/reports", params=params)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "bad_query" and names in error["message"]


async def test_managers_only(node: Node) -> None:
    async with httpx.AsyncClient(base_url=node.url, timeout=10) as anonymous:
        assert (await anonymous.get("/api/reports", params={"from": DAY})).status_code == 401
    async with logged_in(node, "ann") as operator:
        refused = await operator.get("/api/reports", params={"from": DAY})
        assert refused.status_code == 401
        assert refused.json()["error"]["message"] == "manager credentials required"


async def test_a_report_asked_again_shows_what_happened_since(node: Node) -> None:
    """The second report folds only the records appended since the first (the engine's
    read model) and counts the dialog of between."""
    async with logged_in(node) as client:
        before = (await client.get("/api/reports", params={"from": DAY})).json()
        assert before["opened"] == 0 and before["operators"] == []
        assert node.engine.views.folded == node.journal.last()[1]
        await a_transfer(node)
        after = (await client.get("/api/reports", params={"from": DAY})).json()
        assert after["opened"] == after["closed"] == 1
        assert by_id(after)["bob"]["handling"]["mean_s"] == 105.0
        assert node.engine.views.folded == node.journal.last()[1]  # each record folded once
        assert node.engine.views.refolds == 0
