"""The ``cluster`` fixture of the process tests: a ``ProcCluster`` in the test's
temporary folder, every process it started stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from failover_procs import ProcCluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[ProcCluster]:
    procs = ProcCluster(tmp_path)
    try:
        yield procs
    finally:
        procs.stop_all()
