"""The survey templates' tests run on an SQLite file and on the suite's scratch PostgreSQL."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.adapters.storage.database import execute_sql, open_database, parse_database_url
from frontdesk.adapters.surveys import SurveyTemplates
from tests.adapters.conftest import scratch_postgres  # noqa: F401 (the session's PostgreSQL)

_VAR = "FRONTDESK_TEST_POSTGRES_URL"


def _drop(url: str) -> None:
    db = open_database(parse_database_url(url))
    execute_sql(db, "DROP TABLE IF EXISTS survey_template")
    db.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def surveys(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SurveyTemplates]:
    """A fresh, empty store of survey templates on each database."""
    if request.param == "sqlite":
        with SurveyTemplates(tmp_path / "accounts.sqlite3", now=lambda: 1000.0) as store:
            yield store
        return
    url = os.environ.get(_VAR, "")
    if not url or importlib.util.find_spec("psycopg2") is None:
        pytest.skip(f"PostgreSQL path not exercised: set {_VAR} and install the 'postgres' extra")
    _drop(url)
    with SurveyTemplates(url, now=lambda: 1000.0) as store:
        yield store
    _drop(url)
