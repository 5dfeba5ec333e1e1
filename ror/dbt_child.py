"""The dbt process of `ror refresh`, started before its command is known (ror.dbt.PreparedDbt).

It imports dbt and the DuckDB adapter (about 1.6 s here) while the refresh's gate runs, then
reads its command from stdin, one JSON line ``{"args": [...], "env": {...}}``, and runs it
as the `dbt` executable does (``dbt.cli.main.cli``: the same output and exit codes). Its
input ending before a command means the refresh stopped first: it exits 0, having run
nothing. PreparedDbt runs it as ``python -m ror.dbt_child`` with its own pid in
``ROR_PARENT_PID`` (ror.child.orphan_check); started any other way, it exits 1.
"""

from __future__ import annotations

import json
import os
import sys

from ror.child import PARENT_PID, orphan_check


def main() -> None:
    # The kernel ends this process when the refresh dies (an orphaned dbt would keep the
    # warehouse locked); if it died before this line, end now.
    orphan_check(int(os.environ.get(PARENT_PID) or -1))
    import dbt.adapters.duckdb  # noqa: F401 - the adapter of the profile: imported ahead too
    from dbt.cli.main import cli

    line = sys.stdin.readline()
    if not line.strip():
        sys.exit(0)
    command = json.loads(line)
    os.environ.update(command["env"])
    # dbt reads sys.argv itself too (the command it logs, deprecated flags).
    sys.argv = ["dbt", *command["args"]]
    cli.main(args=command["args"], prog_name="dbt")  # exits with dbt's code


if __name__ == "__main__":
    main()
