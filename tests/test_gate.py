"""The quality gate (ror/gate.py) on real DuckDB files loaded by the real loader, real GX.

Every expectation kind: one defect planted in an otherwise clean batch makes exactly that
expectation fail, with the right count; the clean batches pass with nothing failing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from ror import gate
from ror.expectations import SUITES
from ror.gate import (
    DEFAULT_POLICY,
    QUARANTINE_SHARE,
    GateOutcome,
    PolicyError,
    load_policy,
    run_gate,
)
from ror.loader import ensure_tables, load_landing
from ror.sources import FACEBOOK_METRICS, SOURCES

REPO = Path(__file__).resolve().parent.parent
BATCH = "2024-06-01"
N = 40  # rows of a clean batch

# -- clean batches ----------------------------------------------------------------------------

Row = dict[str, Any]


def tweet_rows(n: int = N) -> list[Row]:
    return [
        {
            "tweet_id": str(1000 + i),
            "author_id": "NorthwindCare" if i % 2 else str(500 + i),
            "inbound": "False" if i % 2 else "True",
            "created_at": f"Sat Jun 01 10:{i % 60:02d}:00 +0000 2024",
            "text": f"@NorthwindCare my router {i} keeps dropping",
            "response_tweet_id": str(1001 + i) if i % 2 == 0 else "",
            "in_response_to_tweet_id": f"{999 + i}.0" if i % 2 else "",
        }
        for i in range(n)
    ]


def post_rows(n: int = N) -> list[Row]:
    rows = []
    for i in range(n):
        row = {c: str(10 + i) for c in FACEBOOK_METRICS}
        row.update(
            {
                "Page total likes": "139441",
                "Type": ("Photo", "Status", "Link", "Video")[i % 4],
                "Category": str(1 + i % 3),
                "Post Month": str(1 + i % 12),
                "Post Weekday": str(1 + i % 7),
                "Post Hour": str(i % 24),
                "Paid": str(i % 2),
            }
        )
        rows.append(row)
    return rows


def event_rows(n: int = N) -> list[Row]:
    rows = []
    for i in range(n):
        event: Row = {
            "event_id": f"ev-{i}",
            "occurred_at": f"2024-06-01T10:{i % 60:02d}:00+02:00",
            "channel": ("instagram", "web", "reviews", "store")[i % 4],
            "event_type": ("like", "page_view", "review", "purchase")[i % 4],
            "actor": "person",
            "brand_id": "NorthwindCare",
            "person": {"channel_user_id": f"u{i}", "handle": f"@u{i}"},
            "properties": {"campaign": "summer"},
        }
        if i % 4 == 2:
            event.update(rating=1 + i % 5, text="great service")
        if i % 4 == 3:
            event.update(amount=12.5 + i, currency="usd" if i % 8 == 3 else "EUR")
        rows.append(event)
    return rows


def customer_rows(n: int = N) -> list[Row]:
    return [
        {
            "customer_id": f"c{i}",
            "brand_id": "NorthwindCare",
            "email": f"person{i}@example.com",
            "created_at": "2024-05-01T09:30:00Z",
            "country": ("US", "gb", "DE")[i % 3],
            "first_name": "maria",
        }
        for i in range(n)
    ]


def identity_rows(n: int = N) -> list[Row]:
    return [
        {"customer_id": f"c{i}", "channel": ("instagram", "Web")[i % 2], "channel_user_id": f"u{i}"}
        for i in range(n)
    ]


def order_rows(n: int = N) -> list[Row]:
    return [
        {
            "order_id": f"o{i}",
            "customer_id": f"c{i % 7}",
            "brand_id": "NorthwindCare",
            "ordered_at": f"2024-06-01 1{i % 10}:00:00",
            "amount": "-5.00" if i % 10 == 9 else f"{10 + i}.50",
            "currency": ("USD", "eur", "GBP")[i % 3],
            "status": ("completed", "Refunded", "cancelled")[i % 3],
            "referrer_customer_id": "",
        }
        for i in range(n)
    ]


CLEAN: dict[str, Callable[..., list[Row]]] = {
    "twitter_tweets": tweet_rows,
    "facebook_post_insights": post_rows,
    "engagement_events": event_rows,
    "crm_customers": customer_rows,
    "crm_identities": identity_rows,
    "orders": order_rows,
}


def render(source: str, rows: list[Row]) -> str:
    spec = SOURCES[source]
    if spec.kind == "jsonl":
        return "".join(json.dumps(r) + "\n" for r in rows)
    out = io.StringIO()
    columns = [c for c in spec.columns if any(c in r for r in rows)]
    writer = csv.DictWriter(out, columns, delimiter=spec.delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def file_name(source: str) -> str:
    return f"{source}.jsonl" if SOURCES[source].kind == "jsonl" else f"{source}.csv"


# -- running the gate -------------------------------------------------------------------------


class Warehouse:
    """A real warehouse file in tmp_path, loaded by the real loader."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.landing = root / "landing"
        self.docs = root / "warehouse" / "data_docs"
        self.con = duckdb.connect(str(root / "ror.duckdb"))
        self.loads = 0

    def land(self, source: str, rows: list[Row] | str, batch: str = BATCH, name: str = "") -> str:
        path = self.landing / source / batch / (name or file_name(source))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rows if isinstance(rows, str) else render(source, rows), encoding="utf-8")
        return path.relative_to(self.landing).as_posix()

    def load(self) -> list[tuple[str, str, str]]:
        self.loads += 1
        report = load_landing(self.con, self.landing, f"load{self.loads}")
        assert not report.refusals, report.refusals
        return [(f.source, f.batch, f.file_hash) for f in report.loaded]

    def gate(self, new_files: list[tuple[str, str, str]], **kwargs: Any) -> GateOutcome:
        return run_gate(self.con, new_files, f"run{self.loads}", self.docs, **kwargs)

    def results(self, run_id: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """ops.dq_results of a run (the last by default), by (source, expectation)."""
        cursor = self.con.execute(
            "select * from ops.dq_results where run_id = ?", [run_id or f"run{self.loads}"]
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        return {(r["source"], r["expectation"]): r for r in rows}


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    warehouse = Warehouse(tmp_path)
    yield warehouse
    warehouse.con.close()


def not_passing(results: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: r for (_, name), r in results.items() if r["outcome"] != "pass"}


# -- clean batches pass -----------------------------------------------------------------------


def test_clean_batches_of_every_source_pass(wh: Warehouse) -> None:
    for source, rows in CLEAN.items():
        wh.land(source, rows())
    outcome = wh.gate(wh.load())

    assert not outcome.blocked
    assert outcome.failures == [] and outcome.warnings == []
    results = wh.results()
    assert not_passing(results) == {}
    assert all(r["success"] for r in results.values())
    # every check of every suite ran (the optional columns exist in raw: the loader makes
    # them), plus the quarantine share, on all N rows
    for source, suite in SUITES.items():
        names = {name for (s, name) in results if s == source}
        assert names == {*suite.names, QUARANTINE_SHARE}, source
        assert results[(source, QUARANTINE_SHARE)]["element_count"] == N
    assert outcome.results_written == len(results)
    assert outcome.docs_index == wh.docs / "index.html" and outcome.docs_index.is_file()
    pages = {p.name for p in (wh.docs / "validations").rglob("*.html")}
    assert pages == {f"{source}.{BATCH}.html" for source in SUITES}
    assert {p.stem for p in (wh.docs / "expectations").glob("*.html")} == set(SUITES)


# -- one defect per expectation kind ----------------------------------------------------------


def mutate(rows: list[Row], index: int, **changes: Any) -> list[Row]:
    rows[index].update(changes)
    return rows


# (source, rows with one defect, the expectation that must fail, failing rows, outcome)
DEFECTS = [
    # not_null (a key)
    ("twitter_tweets", lambda: mutate(tweet_rows(), 5, tweet_id=""), "tweet_id_not_null", 1,
     "warn"),
    # not_null on a Facebook metric: "any metric may be empty", a warning
    ("facebook_post_insights", lambda: mutate(post_rows(), 3, like=""), "like_not_null", 1,
     "warn"),
    # parseable
    ("twitter_tweets", lambda: mutate(tweet_rows(), 7, created_at="yesterday"),
     "created_at_parseable", 1, "warn"),
    ("facebook_post_insights", lambda: mutate(post_rows(), 2, share="2.5"), "share_parseable", 1,
     "warn"),
    ("orders", lambda: mutate(order_rows(), 4, amount="12,50"), "amount_parseable", 1, "warn"),
    # in_set (allowed values)
    ("twitter_tweets", lambda: mutate(tweet_rows(), 1, inbound="maybe"),
     "inbound_true_or_false", 1, "warn"),
    ("engagement_events", lambda: mutate(event_rows(), 3, currency="EURO"),
     "currency_iso_4217", 1, "warn"),
    ("engagement_events", lambda: mutate(event_rows(), 0, actor="robot"),
     "actor_person_or_brand", 1, "warn"),
    ("engagement_events", lambda: mutate(event_rows(), 0, event_type="teleport"),
     "event_type_known", 1, "warn"),
    ("facebook_post_insights", lambda: mutate(post_rows(), 0, Type="Reel"), "type_allowed", 1,
     "warn"),
    ("orders", lambda: mutate(order_rows(), 0, status="lost"), "status_allowed", 1, "warn"),
    # matches
    ("crm_customers", lambda: mutate(customer_rows(), 9, email="not-an-email"),
     "email_well_formed", 1, "warn"),
    # between: ratings, counts, calendar, timestamps (too early, in the future)
    ("engagement_events", lambda: mutate(event_rows(), 2, rating=9), "rating_1_to_5", 1, "warn"),
    ("facebook_post_insights", lambda: mutate(post_rows(), 1, share="-3"), "share_not_negative",
     1, "warn"),
    ("facebook_post_insights", lambda: mutate(post_rows(), 1, **{"Post Hour": "24"}),
     "post_hour_in_range", 1, "warn"),
    ("orders", lambda: mutate(order_rows(), 6, ordered_at="2003-02-01T00:00:00Z"),
     "ordered_at_in_range", 1, "warn"),
    ("engagement_events", lambda: mutate(event_rows(), 6, occurred_at="2999-01-01T00:00:00Z"),
     "occurred_at_in_range", 1, "warn"),
    # unique_in_batch: a key reused with other content (both rows count)
    ("orders", lambda: mutate(order_rows(), 8, order_id="o3"), "order_id_unique_in_batch", 2,
     "warn"),
    ("crm_identities",
     lambda: mutate(identity_rows(), 4, channel_user_id="u2", channel="instagram"),
     "channel_user_id_one_customer", 2, "warn"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "rows", "expectation", "failing", "outcome"),
    DEFECTS,
    ids=[f"{d[0]}-{d[2]}" for d in DEFECTS],
)
def test_one_defect_fails_exactly_its_expectation(
    wh: Warehouse, source: str, rows: Callable[[], list[Row]], expectation: str, failing: int,
    outcome: str,
) -> None:  # fmt: skip
    file = wh.land(source, rows())
    result = wh.gate(wh.load())

    results = wh.results()
    failed = not_passing(results)
    assert set(failed) - {QUARANTINE_SHARE} == {expectation}
    got = failed[expectation]
    assert got["outcome"] == outcome
    assert got["unexpected_count"] == failing
    assert got["element_count"] == N
    row_ids = json.loads(got["sample_row_ids"])
    assert len(row_ids) == failing and all(r.startswith(f"{file}:") for r in row_ids)
    assert len(json.loads(got["sample_values"])) == failing
    # the aggregate counts the row when the expectation is one staging quarantines for
    share = results[(source, QUARANTINE_SHARE)]
    assert share["unexpected_count"] in (0, failing)
    assert share["outcome"] == ("pass" if share["unexpected_count"] == 0 else "warn")
    assert not result.blocked and result.failures == []
    line = (
        f"warning: landing file {file}: expectation {expectation} failed for {failing} of {N} rows"
    )
    assert line in result.warnings


def test_a_failing_value_is_named_by_its_file_and_line(wh: Warehouse) -> None:
    rows = mutate(tweet_rows(), 7, created_at="yesterday")
    file = wh.land("twitter_tweets", rows)
    wh.gate(wh.load())
    got = wh.results()[("twitter_tweets", "created_at_parseable")]
    # row 7 of the data is line 9 of the file (the header is line 1)
    assert json.loads(got["sample_row_ids"]) == [f"{file}:9"]
    assert json.loads(got["sample_values"]) == ["yesterday"]


def test_personal_values_are_redacted_in_results_and_docs(wh: Warehouse) -> None:
    secret = "maria.smith-at-example.com"
    wh.land("crm_customers", mutate(customer_rows(), 3, email=secret))
    wh.gate(wh.load())
    got = wh.results()[("crm_customers", "email_well_formed")]
    assert got["unexpected_count"] == 1
    assert json.loads(got["sample_values"]) == ["<redacted>"]
    assert json.loads(got["sample_row_ids"]) == ["crm_customers/2024-06-01/crm_customers.csv:5"]
    dump = wh.con.execute("select * from ops.dq_results").fetchall()
    assert secret not in repr(dump)
    pages = list(wh.docs.rglob("*.html"))
    assert pages and not any(secret in p.read_text(encoding="utf-8") for p in pages)


def test_exact_repeats_are_not_key_conflicts(wh: Warehouse) -> None:
    rows = event_rows()
    rows.append(dict(rows[5]))  # a re-sent event: the same line twice
    wh.land("engagement_events", rows)
    outcome = wh.gate(wh.load())
    assert outcome.warnings == [] and outcome.failures == []
    assert not_passing(wh.results()) == {}


# share 1.0: the second batch's keys are matched against the table (a nightly's query);
# 0.0: every key of the table is grouped (a first load's). Both must find the same key.
@pytest.mark.parametrize("share", [1.0, 0.0], ids=["new-files-keys", "whole-table"])
def test_a_key_already_loaded_from_another_file_warns(
    wh: Warehouse, share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gate, "NEW_ROWS_SHARE_FOR_PREPARE", share)
    wh.land("orders", order_rows(), batch="2024-06-01")
    wh.gate(wh.load())
    later = order_rows(10)
    for i, row in enumerate(later):
        row["order_id"] = f"p{i}"
    later[3]["order_id"] = "o17"  # an order of the first batch, again
    file = wh.land("orders", later, batch="2024-06-02")
    outcome = wh.gate(wh.load())

    failed = not_passing(wh.results())
    assert set(failed) == {"order_id_not_loaded_before"}
    assert failed["order_id_not_loaded_before"]["unexpected_count"] == 1
    assert json.loads(failed["order_id_not_loaded_before"]["sample_values"]) == ["o17"]
    assert outcome.warnings == [
        f"warning: landing file {file}: expectation order_id_not_loaded_before failed for 1 of "
        f"10 rows"
    ]


def test_a_required_column_missing_from_raw_blocks(wh: Warehouse) -> None:
    wh.land("twitter_tweets", tweet_rows())
    new = wh.load()
    # The loader refuses a file without a required column, so only a raw table built
    # otherwise can lack one: drop it to see the gate's own schema check.
    wh.con.execute("alter table raw.twitter_tweets drop column author_id")
    outcome = wh.gate(new)

    failed = not_passing(wh.results())
    assert set(failed) == {"required_columns_present"}
    got = failed["required_columns_present"]
    assert (got["outcome"], got["unexpected_count"], got["element_count"]) == ("block", 1, 5)
    assert json.loads(got["sample_values"]) == ["author_id"]
    assert outcome.blocked
    assert outcome.failures == [
        "refused: landing file twitter_tweets/2024-06-01/twitter_tweets.csv: expectation "
        "required_columns_present failed: missing column(s) author_id"
    ]
    # the checks of the missing column were skipped, not failed
    assert ("twitter_tweets", "author_id_not_null") not in wh.results()


def test_a_file_whose_every_line_was_rejected_blocks(wh: Warehouse) -> None:
    wh.land("crm_identities", identity_rows(), name="good.csv")
    bad = "customer_id,channel,channel_user_id\n" + "c1,web,u1,extra,fields\n" * 3
    bad_file = wh.land("crm_identities", bad, name="bad.csv")
    outcome = wh.gate(wh.load())

    failed = not_passing(wh.results())
    assert set(failed) == {"rows_per_nonempty_file"}
    got = failed["rows_per_nonempty_file"]
    assert (got["outcome"], got["unexpected_count"], got["element_count"]) == ("block", 1, 2)
    assert outcome.failures == [
        f"refused: landing file {bad_file}: expectation rows_per_nonempty_file failed: none of "
        f"its lines landed as a row (all were rejected)"
    ]


def test_an_empty_file_is_not_a_failure(wh: Warehouse) -> None:
    wh.land("orders", render("orders", order_rows(0)))
    outcome = wh.gate(wh.load())
    assert not outcome.blocked and outcome.warnings == []
    results = wh.results()
    assert results[("orders", "rows_per_nonempty_file")]["outcome"] == "pass"
    assert results[("orders", QUARANTINE_SHARE)]["element_count"] == 0


# -- thresholds: when a failure blocks --------------------------------------------------------


def test_key_nulls_above_the_share_block_with_a_one_line_reason(wh: Warehouse) -> None:
    rows = tweet_rows()
    for i in range(0, 40, 4):  # 10 of 40 rows: 25% > 5%, and more than 3 rows
        rows[i]["tweet_id"] = ""
    file = wh.land("twitter_tweets", rows, name="tweets.csv")
    outcome = wh.gate(wh.load())

    assert outcome.blocked
    assert outcome.failures[0] == (
        f"refused: landing file {file}: expectation tweet_id_not_null failed for 10 of 40 rows "
        f"(25.0% of the values, more than the 5.0% allowed)"
    )
    got = wh.results()[("twitter_tweets", "tweet_id_not_null")]
    assert (got["severity"], got["success"], got["outcome"]) == ("block", False, "block")
    assert got["unexpected_share"] == pytest.approx(0.25)
    # the same rows also make the batch's quarantine share 25%: at the limit, not over it
    assert wh.results()[("twitter_tweets", QUARANTINE_SHARE)]["outcome"] == "warn"


def test_a_small_batch_tolerates_a_few_failing_rows(wh: Warehouse) -> None:
    rows = order_rows(9)  # a 9-row daily file; 2 bad rows are 22% but only 2 rows
    rows[1]["currency"] = "ZZZ"
    rows[2]["currency"] = "QQQ"
    wh.land("orders", rows)
    outcome = wh.gate(wh.load())
    assert not outcome.blocked
    got = wh.results()[("orders", "currency_iso_4217")]
    assert (got["success"], got["outcome"], got["unexpected_count"]) == (True, "warn", 2)


def test_many_small_problems_block_through_the_quarantine_share(wh: Warehouse) -> None:
    rows = event_rows()
    for i in (0, 4, 8):
        rows[i]["occurred_at"] = "soon"  # unparseable
    for i in (1, 5, 9):
        rows[i]["actor"] = "robot"
    for i in (12, 16, 20):
        rows[i]["brand_id"] = ""
    for i in (3, 7, 11):  # purchases
        rows[i]["currency"] = "ZZZ"
    file = wh.land("engagement_events", rows)
    outcome = wh.gate(wh.load())

    results = wh.results()
    names = ("occurred_at_parseable", "actor_person_or_brand", "brand_id_not_null",
             "currency_iso_4217")  # fmt: skip
    for name in names:
        assert results[("engagement_events", name)]["outcome"] == "warn"  # 3 rows each
    assert set(not_passing(results)) == {*names, QUARANTINE_SHARE}
    share = results[("engagement_events", QUARANTINE_SHARE)]
    assert (share["outcome"], share["unexpected_count"]) == ("block", 12)
    assert outcome.blocked
    assert outcome.failures == [
        f"refused: landing file {file}: expectation quarantine_share failed for 12 of 40 rows "
        f"(30.0% of the values, more than the 25.0% allowed)"
    ]


def write_policy(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    doc = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    edit(doc)
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_the_policy_decides_block_or_warn(wh: Warehouse, tmp_path: Path) -> None:
    rows = mutate(tweet_rows(), 5, tweet_id="")
    wh.land("twitter_tweets", rows)
    new = wh.load()

    def strict(doc: dict[str, Any]) -> None:
        doc["sources"]["twitter_tweets"] = {
            "expectations": {"tweet_id_not_null": {"severity": "block", "block_above": None}}
        }

    outcome = wh.gate(new, policy_path=write_policy(tmp_path, strict))
    assert outcome.blocked
    assert outcome.failures[0].startswith("refused: landing file twitter_tweets/")
    assert "tweet_id_not_null failed for 1 of 40 rows" in outcome.failures[0]


def test_batches_are_validated_in_groups_of_at_most_max_rows(wh: Warehouse, tmp_path: Path) -> None:
    """Whole batches per validation, at most max_rows_per_validation rows (memory bound), and
    a defect is still found and named in whichever group holds it."""
    for day in ("2026-10-01", "2026-10-02", "2026-10-03"):
        rows = [{**row, "text": f"{row['text']} ({day})"} for row in tweet_rows()]
        rows = mutate(rows, 5, tweet_id="") if day == "2026-10-03" else rows
        wh.land("twitter_tweets", rows, batch=day)
    new = wh.load()

    def small(doc: dict[str, Any]) -> None:
        doc["settings"]["max_rows_per_validation"] = 50  # 40 rows per batch: one batch each
        doc["sources"]["twitter_tweets"] = {
            "expectations": {"tweet_id_not_null": {"severity": "block", "block_above": None}}
        }

    outcome = wh.gate(new, policy_path=write_policy(tmp_path, small))
    labels = {
        row[0]
        for row in wh.con.execute(
            "select distinct batch from ops.dq_results where run_id = ?", [f"run{wh.loads}"]
        ).fetchall()
    }
    assert labels == {"2026-10-01", "2026-10-02", "2026-10-03"}
    assert outcome.blocked
    assert len(outcome.failures) == 1
    assert "twitter_tweets/2026-10-03/" in outcome.failures[0]

    def bad(doc: dict[str, Any]) -> None:
        doc["settings"]["max_rows_per_validation"] = 0

    with pytest.raises(PolicyError, match="max_rows_per_validation"):
        load_policy(write_policy(tmp_path, bad))


def test_worker_processes_decide_exactly_as_this_process(tmp_path: Path) -> None:
    """Groups validated in spawned worker processes give the same ops.dq_results rows, the
    same lines and the same Data Docs pages as validated here, defects and keys already
    loaded from another group's file included."""
    decided = {}
    for workers in (1, 2):
        (tmp_path / f"workers{workers}").mkdir()
        wh = Warehouse(tmp_path / f"workers{workers}")
        for day in ("2026-10-01", "2026-10-02", "2026-10-03"):
            orders = order_rows()
            for i, row in enumerate(orders):
                row["order_id"] = f"{day}-{i}"
            orders[7]["order_id"] = "2026-10-01-7"  # every day re-sends one order of the first
            if day == "2026-10-02":
                orders = mutate(orders, 3, currency="ZZZ", ordered_at="soon")
            wh.land("orders", orders, batch=day)
            events = mutate(event_rows(), 2, rating="9") if day == "2026-10-03" else event_rows()
            for row in events:
                row["event_id"] = f"{day}-{row['event_id']}"
            wh.land("engagement_events", events, batch=day)
        new = wh.load()
        policy = write_policy(
            wh.root, lambda doc: doc["settings"].update(max_rows_per_validation=50)
        )
        outcome = wh.gate(new, policy_path=policy, workers=workers)
        results = wh.con.execute(
            "select * exclude (run_id, validated_at) from ops.dq_results "
            "order by source, batch, expectation"
        ).fetchall()
        pages = sorted(p.name for p in (wh.docs / "validations").rglob("*.html"))
        decided[workers] = (outcome.workers, outcome.blocked, outcome.failures,
                            outcome.warnings, results, pages)  # fmt: skip
        wh.con.close()

    assert decided[1][0] == 1 and decided[2][0] == 2
    assert decided[2][1:] == decided[1][1:]
    _, _, _, warnings, results, pages = decided[1]
    assert len(pages) == 6  # orders and events, one validation per day
    loaded_before = [r for r in results if r[3] == "order_id_not_loaded_before"]
    assert [r[10] for r in loaded_before] == [1, 1, 1]  # unexpected_count: each day has it
    assert any("currency_iso_4217 failed for 1 of 40 rows" in w for w in warnings)
    assert any("rating_1_to_5 failed for 1 of 40 rows" in w for w in warnings)


def test_policy_mistakes_are_reported(tmp_path: Path) -> None:
    def typo(doc: dict[str, Any]) -> None:
        doc["sources"]["orders"] = {"expectations": {"order_id_nto_null": {"severity": "warn"}}}

    with pytest.raises(PolicyError, match="order_id_nto_null"):
        load_policy(write_policy(tmp_path, typo))

    def bad_share(doc: dict[str, Any]) -> None:
        doc["defaults"]["not_null"]["block_above"] = 5

    with pytest.raises(PolicyError, match="block_above"):
        load_policy(write_policy(tmp_path, bad_share))


def test_policy_timestamps_match_the_dbt_vars() -> None:
    dbt_vars = yaml.safe_load((REPO / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    policy = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))["settings"]
    assert str(policy["earliest_valid_at"]) == str(dbt_vars["earliest_valid_at"])
    assert policy["future_tolerance_hours"] == dbt_vars["future_tolerance_hours"]


def test_value_sets_come_from_the_seeds_or_a_stated_fallback(tmp_path: Path) -> None:
    policy = load_policy()
    values, notes = policy.resolve_value_sets()
    seeds = REPO / "seeds"
    for name, seed, column in (
        ("currency", "currencies.csv", "currency_code"),
        ("channel", "channels.csv", "channel"),
        ("event_type", "event_types.csv", "event_type"),
    ):
        if (seeds / seed).exists():
            with (seeds / seed).open(encoding="utf-8") as handle:
                expected = sorted({r[column] for r in csv.DictReader(handle)})
            assert values[name] == expected
    assert len(notes) == sum(not (seeds / s).exists() for s in ("currencies.csv", "channels.csv",
                                                                 "event_types.csv"))  # fmt: skip
    elsewhere = load_policy(project_dir=tmp_path)  # no seeds there
    values, notes = elsewhere.resolve_value_sets()
    assert "USD" in values["currency"] and len(notes) == 3
    assert all("fallback" in note for note in notes)


# -- the real exports -------------------------------------------------------------------------


@pytest.mark.real_data
def test_real_exports_pass_the_blocking_expectations(tmp_path: Path, real_landing: Path) -> None:
    con = duckdb.connect(str(tmp_path / "ror.duckdb"))
    report = load_landing(con, real_landing, "real")
    new = [(f.source, f.batch, f.file_hash) for f in report.loaded]
    outcome = run_gate(con, new, "real", tmp_path / "docs")

    assert not outcome.blocked, outcome.failures
    posts = "facebook_post_insights/2014-12-31/dataset_Facebook.csv"
    # the six empty cells of the Facebook export: Paid x1, like x1, share x4
    assert sorted(outcome.warnings) == sorted(
        f"warning: landing file {posts}: expectation {name} failed for {n} of 500 rows"
        for name, n in (("paid_not_null", 1), ("like_not_null", 1), ("share_not_null", 4))
    )
    rows = con.execute(
        "select expectation, unexpected_count, sample_row_ids from ops.dq_results "
        "where outcome <> 'pass' order by expectation"
    ).fetchall()
    assert [(e, n) for e, n, _ in rows] == [
        ("like_not_null", 1), ("paid_not_null", 1), ("share_not_null", 4)
    ]  # fmt: skip
    lines = {e: [int(r.rsplit(":", 1)[1]) for r in json.loads(ids)] for e, _, ids in rows}
    raw = (real_landing / posts).read_text(encoding="utf-8").splitlines()
    for name, column in (("like_not_null", "like"), ("share_not_null", "share"),
                         ("paid_not_null", "Paid")):  # fmt: skip
        index = raw[0].split(";").index(column)
        for line in lines[name]:
            assert raw[line - 1].split(";")[index] == ""
    tweets = con.execute(
        "select count(*), bool_and(success) from ops.dq_results where source = 'twitter_tweets'"
    ).fetchone()
    assert tweets == (len(SUITES["twitter_tweets"].checks) + 1, True)
    con.close()


# -- quiet, and nothing written where it should not be ----------------------------------------


def test_gx_writes_only_the_docs_dir_and_prints_no_progress_bars(
    wh: Warehouse, capfd: pytest.CaptureFixture[str]
) -> None:
    wh.land("orders", order_rows())
    new = wh.load()
    capfd.readouterr()
    wh.gate(new)
    out, err = capfd.readouterr()
    assert "Calculating Metrics" not in out + err and "%|" not in out + err
    assert not re.search(r"\d+it/s|\bit \[", out + err)
    # no GX project folder anywhere; everything GX wrote is under docs_dir
    for folder in {REPO, Path.cwd()}:
        for name in ("gx", "great_expectations", "great_expectations.yml", "uncommitted"):
            assert not (folder / name).exists(), folder / name
    written = sorted(p.name for p in wh.root.iterdir() if p.suffix != ".wal")
    assert written == ["landing", "ror.duckdb", "warehouse"]
    assert sorted(p.name for p in (wh.root / "warehouse").iterdir()) == ["data_docs"]
    assert (wh.docs / "index.html").is_file()


# -- a large batch ----------------------------------------------------------------------------

BIG = int(os.environ.get("ROR_GATE_BENCH_ROWS", "200000"))


def test_gate_time_on_a_large_event_batch(
    tmp_path: Path, record_property: Callable[[str, Any], None]
) -> None:
    """BIG raw event rows (1M: ROR_GATE_BENCH_ROWS=1000000) inserted with DuckDB SQL in a
    scratch file, with 1 in 1000 ratings out of range and 1 in 1000 currencies unknown."""
    con = duckdb.connect(str(tmp_path / "big.duckdb"))
    ensure_tables(con)
    events = "engagement_events/2024-06-01/events.jsonl"
    con.execute(
        f"""insert into raw.engagement_events by name
        select
            'ev-' || i as event_id,
            strftime(timestamp '2024-06-01' + to_seconds(i % 86400), '%Y-%m-%dT%H:%M:%S')
                || '+00:00' as occurred_at,
            (['instagram', 'facebook', 'web', 'store', 'reviews'])[1 + i % 5] as channel,
            case i % 5 when 3 then 'purchase' when 4 then 'review' else 'like' end as event_type,
            'person' as actor,
            'Brand' || (i % 4) as brand_id,
            'u' || (i % 50000) as person_channel_user_id,
            case when i % 5 = 4 then 'great product ' || i end as text,
            case when i % 5 = 4 then
                case when i % 1000 = 4 then '9' else cast(1 + i % 5 as varchar) end
            end as rating,
            case when i % 5 = 3 then cast(round((i % 10000) / 100.0, 2) as varchar) end as amount,
            case when i % 5 = 3 then case when i % 1000 = 3 then 'ZZZ' else 'USD' end end
                as currency,
            '{{"event_id":"ev-' || i || '"}}' as _record,
            '2024-06-01' as _batch, '{events}' as _file, 'big' as _file_hash,
            i + 2 as _line_number, timestamp '2024-06-02' as _loaded_at, 'big' as _load_id
        from range({BIG}) t(i)"""
    )
    con.execute(
        "insert into ops.load_manifest values ('big', 'engagement_events', '2024-06-01', ?, 0, "
        "?, 0, ?, null, timestamp '2024-06-02', 'big', null, null)",
        [events, BIG, BIG],
    )
    outcome = run_gate(con, [("engagement_events", "2024-06-01", "big")], "big", tmp_path / "d")

    record_property("gate_seconds", round(outcome.seconds, 2))
    print(f"\ngate on {BIG} raw event rows: {outcome.seconds:.1f} s")
    bad = BIG // 1000
    assert not outcome.blocked
    assert sorted(outcome.warnings) == sorted(
        f"warning: landing file {events}: expectation {name} failed for {n} of {BIG} rows"
        for name, n in (
            ("currency_iso_4217", bad),
            ("rating_1_to_5", bad),
            (QUARANTINE_SHARE, 2 * bad),
        )  # fmt: skip
    )
    results = con.execute(
        "select count(*), sum(element_count) filter (where expectation = 'event_id_not_null') "
        "from ops.dq_results"
    ).fetchone()
    assert results == (len(SUITES["engagement_events"].checks) + 1, BIG)
    # generous: the gate takes about 13 s per million rows on 2 shared cores
    assert outcome.seconds < 60 + 120 * BIG / 1_000_000
    con.close()
