"""``python -m bench.loadgen SPEC_JSON``: one load generator process (see scenarios.py)."""

from __future__ import annotations

import json
import sys

import trio

from bench.loadgen.scenarios import main

if __name__ == "__main__":
    trio.run(main, json.loads(sys.argv[1]))
