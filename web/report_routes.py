"""Reports over HTTP (``docs/protocol.md``, "Reports").

``GET /api/reports?from=YYYY-MM-DD&to=YYYY-MM-DD[&tz=ZONE][&format=json|csv]``, managers
only (a session or HTTP Basic, as ``/api/inspect``): the figures of ``frontdesk.engine.reports``
for the days ``from`` to ``to`` inclusive (``to`` defaults to ``from``), each day from
midnight in ``tz`` (default the configured ``server.time_zone``). The engine's read model
answers (``frontdesk.engine.journal_views``): it folds only the records appended since the
last question, on a worker thread, one fold at a time (``ServerContext.views_limiter``).
"""

from __future__ import annotations

import csv
import io
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import trio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from frontdesk.config.validation import is_time_zone
from frontdesk.engine import reports
from frontdesk.web.context import ServerContext
from frontdesk.web.http_routes import api_error, manager_refusal

MAX_DAYS = 92
FIRST_DAY, LAST_DAY = date(1970, 1, 2), date(9999, 12, 30)  # a day after either: no overflow
PARAMS = ("from", "to", "tz", "format")
FORMATS = ("json", "csv")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def routes(ctx: ServerContext) -> list[BaseRoute]:
    return [Route("/api/reports", ReportRoutes(ctx).report, methods=["GET"])]


class BadQueryError(Exception):
    """A query parameter that is not what a report expects (the message says which)."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    zone: str

    def bounds(self) -> tuple[float, float]:
        """[start, end) in wall-clock seconds: midnight of ``first`` to midnight after ``last``."""
        tz = zoneinfo.ZoneInfo(self.zone)
        start = datetime.combine(self.first, time(0), tzinfo=tz)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=tz)
        return start.timestamp(), end.timestamp()


def parse_date(name: str, raw: str | None) -> date:
    if raw is None:
        raise BadQueryError(f"{name}: expected a date YYYY-MM-DD, got none")
    shown = raw[:40]
    if not _DATE.fullmatch(raw):
        raise BadQueryError(f"{name}: expected a date YYYY-MM-DD, got {shown!r}")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadQueryError(f"{name}: expected a date YYYY-MM-DD, got {shown!r}, "
                            "which is no day of the calendar") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadQueryError(f"{name}: expected a date from {FIRST_DAY.isoformat()} to "
                            f"{LAST_DAY.isoformat()}, got {shown!r}")
    return day


def parse_period(params: dict[str, str], default_zone: str) -> Period:
    """The period asked by ``params`` (or ``BadQueryError`` naming the parameter)."""
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise BadQueryError(f"{unknown[0][:40]}: expected only the parameters "
                            f"{', '.join(PARAMS)}, got an unknown one")
    first = parse_date("from", params.get("from"))
    last = parse_date("to", params["to"]) if "to" in params else first
    if last < first:
        raise BadQueryError(f"to: expected a day on or after from ({first.isoformat()}), "
                            f"got {last.isoformat()}")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise BadQueryError(f"to: expected a range of at most {MAX_DAYS} days, "
                            f"got {days} ({first.isoformat()} to {last.isoformat()})")
    zone = params.get("tz", default_zone)
    if zone.upper() == "UTC":
        zone = "UTC"
    elif not is_time_zone(zone):
        raise BadQueryError(f'tz: expected an IANA time zone name like "Europe/Paris" or '
                            f'"UTC", got {zone[:40]!r}')
    return Period(first, last, zone)


def csv_text(r: reports.Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in reports.csv_rows(r):
        writer.writerow([_safe_cell(cell) for cell in row])
    return out.getvalue()


def _safe_cell(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (an operator's name is theirs to choose)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


class ReportRoutes:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    async def report(self, request: Request) -> Response:
        refused = await manager_refusal(self.ctx, request)
        if refused is not None:
            return refused
        params = dict(request.query_params)
        fmt = params.get("format", "json")
        try:
            if fmt not in FORMATS:
                raise BadQueryError(f"format: expected one of {', '.join(FORMATS)}, "
                                    f"got {fmt[:40]!r}")
            period = parse_period(params, self.ctx.options.time_zone)
        except BadQueryError as exc:
            return api_error(400, "bad_query", str(exc))
        if not self.ctx.node.ready:
            return api_error(503, "unavailable", f"this node is {self.ctx.node.role}, not serving")
        start, end = period.bounds()
        now = self.ctx.clock.now()
        made = await trio.to_thread.run_sync(self.ctx.engine.report, start, end, now,
                                             limiter=self.ctx.views_limiter)
        if fmt == "csv":
            name = f"report-{period.first.isoformat()}-{period.last.isoformat()}.csv"
            return Response(csv_text(made), media_type="text/csv; charset=utf-8",
                            headers={"content-disposition": f'attachment; filename="{name}"'})
        body: dict[str, Any] = {"from": period.first.isoformat(), "to": period.last.isoformat(),
                                "time_zone": period.zone, "at": now, **made.to_json()}
        return JSONResponse(body)
