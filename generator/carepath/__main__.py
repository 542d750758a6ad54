from __future__ import annotations

from carepath.cli.entry import run

run()
