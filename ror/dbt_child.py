"""The dbt process of `ror refresh`, started before its command is known (ror.dbt.PreparedDbt).

It imports dbt and the DuckDB adapter (about 1.6 s here) while the refresh's gate runs, then
reads its command from stdin, one JSON line ``{"args": [...], "env": {...}}``, and runs it
as the `dbt` executable does (``dbt.cli.main.cli``: the same output and exit codes). Its
input ending before a command means the refresh stopped first: it exits 0, having run
nothing. Run it as ``python -m ror.dbt_child``.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    import dbt.adapters.duckdb  # noqa: F401 - the adapter of the profile: imported ahead too
    from dbt.cli.main import cli

    line = sys.stdin.readline()
    if not line.strip():
        sys.exit(0)
    command = json.loads(line)
    os.environ.update(command["env"])
    cli.main(args=command["args"], prog_name="dbt")  # exits with dbt's code


if __name__ == "__main__":
    main()
