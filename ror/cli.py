"""The `ror` command: generate, refresh, status (contracts/operations.md)."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

from ror.settings import Paths


def _generate(args: argparse.Namespace) -> int:
    from ror.generate import generate

    counts = generate(
        Path(args.out),
        persons=args.persons,
        brands=args.brands,
        days=args.days,
        start=datetime.date.fromisoformat(args.start),
        seed=args.seed,
        bad_rows=args.bad_rows,
        progress=lambda message: print(message, file=sys.stderr, flush=True),
    )
    if args.json:
        print(json.dumps(counts, indent=2, sort_keys=True))
    else:
        print(
            f"wrote {counts['events']:,} rows in {counts['files']} files to {args.out} "
            f"({counts['persons']:,} persons, {counts['brands']} brands, "
            f"{counts['bad_rows']:,} planted bad rows)"
        )
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from ror.refresh import refresh
    from ror.summary import print_summary

    paths = Paths.from_args(args.landing, args.warehouse, args.bi)
    code = refresh(paths, full_refresh=args.full_refresh)
    if code == 0:
        print_summary(paths.bi)
    return code


def _report(args: argparse.Namespace) -> int:
    from ror.report import build_report, default_report_path

    bi = Paths.from_args(bi=args.bi).bi
    out = Path(args.out).resolve() if args.out else default_report_path(bi)
    print(build_report(bi, out))
    return 0


def _status(args: argparse.Namespace) -> int:
    from ror.runs import read_runs

    paths = Paths.from_args(warehouse=args.warehouse)
    runs = read_runs(paths.runs_log)[-args.last :]
    if args.json:
        print(json.dumps(runs, indent=2, default=str))
        return 0
    if not runs:
        print(f"no refresh has run for {paths.warehouse}")
        return 0
    print(
        f"{'run_id':<26} {'started_at':<20} {'secs':>7} {'status':<11} {'files':>5} "
        f"{'raw':>9} {'staged':>9} {'quarant.':>8} {'dupl.':>6}  message"
    )
    for run in runs:
        print(
            f"{run['run_id']:<26} {str(run['started_at'])[:19]:<20} "
            f"{run.get('total_seconds') or 0:>7.1f} {run['status']:<11} "
            f"{run.get('files_loaded') or 0:>5} {run.get('rows_raw') or 0:>9} "
            f"{run.get('rows_staged') or 0:>9} {run.get('rows_quarantined') or 0:>8} "
            f"{run.get('rows_duplicate') or 0:>6}  {(run.get('message') or '')[:80]}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ror", description="Return on Relationship warehouse")
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write a realistic landing folder")
    gen.add_argument("--out", required=True, help="landing folder to write")
    gen.add_argument("--persons", type=int, default=1000)
    gen.add_argument("--brands", type=int, default=3)
    gen.add_argument("--days", type=int, default=7)
    gen.add_argument("--start", default="2026-11-01", help="first batch date, YYYY-MM-DD")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--bad-rows", type=float, default=0.01, help="share of bad rows")
    gen.add_argument("--json", action="store_true", help="print the counts per source and kind")
    gen.set_defaults(handler=_generate)

    ref = commands.add_parser("refresh", help="load, gate, dbt build, publish")
    ref.add_argument("--landing", help="landing folder (env ROR_LANDING, default landing)")
    ref.add_argument("--warehouse", help="warehouse file (env ROR_WAREHOUSE)")
    ref.add_argument("--bi", help="published BI database (env ROR_BI)")
    ref.add_argument("--full-refresh", action="store_true", help="rebuild every model from raw")
    ref.set_defaults(handler=_refresh)

    rep = commands.add_parser("report", help="write the HTML ROR report of the BI database")
    rep.add_argument("--bi", help="published BI database (env ROR_BI)")
    rep.add_argument(
        "--out", help="HTML file (default: reports/ror_report_<run id>.html beside the BI database)"
    )
    rep.set_defaults(handler=_report)

    sta = commands.add_parser("status", help="the last refreshes")
    sta.add_argument("--warehouse", help="warehouse file (env ROR_WAREHOUSE)")
    sta.add_argument("--json", action="store_true")
    sta.add_argument("--last", type=int, default=10)
    sta.set_defaults(handler=_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("ror: interrupted", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - a one-line reason, never a traceback
        print(f"ror {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
