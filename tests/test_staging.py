"""Staging, ops.quarantine and ops.reconciliation, built for real with dbt.

One warehouse per module: the real exports (when ../shared is there), a small generated
landing folder (ror.generate, with bad rows) and hand-planted files whose every line has a
known fate, all landed by the loader into a real DuckDB file; then one
`dbt build --select +staging +ops`. The tests read what dbt built. The last test damages a
copy of the warehouse and shows the reconciliation tests fail.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ror.generate import generate
from ror.loader import load_landing
from tests.conftest import REAL_POSTS, REAL_TWEETS, REPO, require_real_data

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("staging")]

REAL_TWEETS_BATCH = "2017-10-31"
REAL_POSTS_BATCH = "2014-12-31"
GENERATED_DAYS = 4
STAGING_MODELS = {
    "twitter_tweets": "stg_twitter__tweets",
    "facebook_post_insights": "stg_facebook__post_insights",
    "engagement_events": "stg_events__engagement_events",
    "crm_customers": "stg_crm__customers",
    "crm_identities": "stg_crm__identities",
    "orders": "stg_crm__orders",
}
PROFILE = """\
ror:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('ROR_WAREHOUSE') }}"
      schema: main
      threads: 2
"""

# -- planted files: every line's expected fate -----------------------------------------------
# A fate is "staged", "duplicate" or the quarantine rule; keyed by (file, line number).

STAGED, DUPLICATE = "staged", "duplicate"
GOOD_TS = "Mon Jun 02 10:00:00 +0000 2025"
TWEET_HEADER = [
    "", "tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
    "in_response_to_tweet_id",
]  # fmt: skip
PLANTED_TWEETS_0 = [
    (["0", "9000005", "brandx", "False", GOOD_TS, "first version", "", ""], STAGED),
]
PLANTED_TWEETS_1 = [
    (["0", "9000001", "1234", "True", GOOD_TS, "@brandx hi", "9000002, 9000003", "9000000.0"],
     STAGED),
    (["1", "9000001", "1234", "True", GOOD_TS, "@brandx hi", "9000002, 9000003", "9000000.0"],
     DUPLICATE),
    (["2", "9000001", "1234", "True", GOOD_TS, "@brandx hi, edited", "", ""],
     "duplicate_id_conflict"),
    (["3", "", "1234", "True", GOOD_TS, "no id", "", ""], "missing_tweet_id"),
    (["4", "abc", "1234", "True", GOOD_TS, "bad id", "", ""], "unparseable_tweet_id"),
    (["5", "9000006", "1234", "True", "yesterday", "when?", "", ""], "unparseable_created_at"),
    (["6", "9000007", "1234", "True", "Thu Jan 01 00:00:00 +0000 2099", "later", "", ""],
     "created_at_in_future"),
    (["7", "9000008", "1234", "True", "Sat Dec 31 23:00:00 +0000 2005", "early", "", ""],
     "created_at_before_2006"),
    (["8", "9000009", "1234", "maybe", GOOD_TS, "who?", "", ""], "unparseable_inbound"),
    (["9", "9000010", "1234", "True", GOOD_TS, " ", "", ""], "missing_text"),
    (["10", "9000005", "brandx", "False", GOOD_TS, "second version", "", ""],
     "duplicate_id_conflict"),
    (["11", "9000002.0", "brandx", "False", GOOD_TS, "@1234 hello", "", "9000001.0"], STAGED),
    (["12", "1", "2", "3", "4", "5", "6", "7", "8", "9"], "malformed_line"),
    (["13", "9000003", "brandx", "False", GOOD_TS, "@1234 more", "", "9000001"], STAGED),
]  # fmt: skip

FACEBOOK_HEADER = [
    "Page total likes", "Type", "Category", "Post Month", "Post Weekday", "Post Hour", "Paid",
    "Lifetime Post Total Reach", "Lifetime Post Total Impressions", "Lifetime Engaged Users",
    "Lifetime Post Consumers", "Lifetime Post Consumptions",
    "Lifetime Post Impressions by people who have liked your Page",
    "Lifetime Post reach by people who like your Page",
    "Lifetime People who have liked your Page and engaged with your post",
    "comment", "like", "share", "Total Interactions", "Post ID", "Page ID", "Posted",
]  # fmt: skip


def post(post_id: str, posted: str = "2025-06-01T10:00:00+02:00", **cells: str) -> list[str]:
    values = ["1000", "Photo", "2", "6", "1", "8", "0"] + ["10"] * 12
    row = dict(zip(FACEBOOK_HEADER[: len(values)], values, strict=True))
    row.update({"Post ID": post_id, "Page ID": "brandx", "Posted": posted})
    row.update({k.replace("_", " "): v for k, v in cells.items()})
    return [row[c] for c in FACEBOOK_HEADER]


PLANTED_POSTS = [
    (post("P1"), STAGED),
    (post("P1"), DUPLICATE),
    (post("P1", like="11"), "duplicate_id_conflict"),
    (post("P2", like="-5"), "negative_count"),
    (post("P3", posted="soon"), "unparseable_posted_at"),
    (post("P4", share=""), STAGED),
    (post("P5", Paid="yes"), "unparseable_paid"),
    (post("P6", posted="2099-01-01T00:00:00Z"), "posted_at_in_future"),
    (post("P7", like="many"), "unparseable_count"),
    (post("", posted=""), STAGED),
]


def event(event_id: str | None, event_type: str = "like", **fields: object) -> dict:
    record: dict = {
        "event_id": event_id,
        "occurred_at": "2025-06-01T12:00:00+02:00",
        "channel": "instagram",
        "event_type": event_type,
        "actor": "brand" if event_type.startswith("brand_") else "person",
        "brand_id": "brandx",
        "person": {"channel_user_id": "ig-1", "handle": "@one"},
        "properties": {"device": "ios"},
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def line(record: dict) -> str:
    return json.dumps(record, separators=(",", ":"))


PLANTED_EVENTS = [
    (line(event("ev-1", text="love it")), STAGED),
    (line(event("ev-1", text="love it")), DUPLICATE),
    (line(event("ev-1", text="love it!!")), "duplicate_id_conflict"),
    (line(event("ev-2", "brand_reply", in_reply_to="ev-1", text="thanks")), STAGED),
    (line(event("ev-3", "purchase", channel="store", amount=12.5, currency="EUR")), STAGED),
    (line(event("ev-4", "review", channel="reviews", rating=7)), "rating_out_of_range"),
    (line(event("ev-5", "purchase", channel="store", amount=3, currency="ZZZ")),
     "unknown_currency"),
    (line(event("ev-6", actor="robot")), "invalid_actor"),
    (line(event(None)), "missing_event_id"),
    (line(event("ev-8", occurred_at="2099-01-01T00:00:00Z")), "occurred_at_in_future"),
    (line(event("ev-9", "poke")), STAGED),
    (line(event("ev-10", person=None)), "missing_person"),
    ('{"event_id": "ev-11", "occurred_at": ', "malformed_line"),
    ("[1, 2]", "malformed_line"),
    (line(event("ev-12", occurred_at="2004-02-29T10:00:00-05:00")), "occurred_at_before_2006"),
    (line(event("ev-13", actor="brand")), "invalid_actor"),
]  # fmt: skip

CUSTOMER_HEADER = ["customer_id", "brand_id", "email", "created_at", "country", "first_name"]
PLANTED_CUSTOMERS = [
    (["c-1", "brandx", "one@example.com", "2025-05-01T09:00:00Z", "us", "Ann"], STAGED),
    (["", "brandx", "nobody@example.com", "2025-05-01T09:00:00Z", "US", ""], "missing_customer_id"),
    (["c-2", "brandx", "two@example.com", "x", "GB", ""], "unparseable_created_at"),
    (["c-1", "brandx", "one@example.com", "2025-05-01T09:00:00Z", "us", "Ann"], DUPLICATE),
    (["c-1", "brandx", "ann@example.com", "2025-05-01T09:00:00Z", "us", "Ann"],
     "duplicate_id_conflict"),
    (["c-3", "brandx", "three@example.com", "2099-05-01T09:00:00Z", "DE", ""],
     "created_at_in_future"),
    (["c-4", "", "four@example.com", "2025-05-01T09:00:00Z", "DE", ""], "missing_brand_id"),
]  # fmt: skip
IDENTITY_HEADER = ["customer_id", "channel", "channel_user_id"]
PLANTED_IDENTITIES = [
    (["c-1", "twitter", "1234"], STAGED),
    (["c-1", "twitter", ""], "missing_channel_user_id"),
    (["c-1", "twitter", "1234"], DUPLICATE),
    (["c-2", "twitter", "1234"], STAGED),  # one handle, two customers: a finding, not bad input
]
ORDER_HEADER = [
    "order_id", "customer_id", "brand_id", "ordered_at", "amount", "currency", "status",
    "referrer_customer_id",
]  # fmt: skip
PLANTED_ORDERS = [
    (["o-1", "c-1", "brandx", "2025-05-02T10:00:00+01:00", "25.00", "USD", "completed", ""],
     STAGED),
    (["o-1-R", "c-1", "brandx", "2025-05-09T10:00:00Z", "-25.00", "USD", "refunded", ""], STAGED),
    (["o-2", "c-1", "brandx", "2025-05-02T10:00:00Z", "10", "EURO", "completed", ""],
     "unknown_currency"),
    (["o-3", "c-1", "brandx", "2025-05-02T10:00:00Z", "ten", "USD", "completed", ""],
     "unparseable_amount"),
    (["o-4", "c-1", "brandx", "2025-05-02T10:00:00Z", "10", "USD", "shipped", ""],
     "invalid_status"),
    (["o-1", "c-1", "brandx", "2025-05-02T10:00:00+01:00", "26.00", "USD", "completed", ""],
     "duplicate_id_conflict"),
    (["", "c-1", "brandx", "2025-05-02T10:00:00Z", "10", "USD", "completed", ""],
     "missing_order_id"),
    (["o-5", "c-1", "brandx", "2099-05-02T10:00:00Z", "10", "USD", "completed", ""],
     "ordered_at_in_future"),
]  # fmt: skip


def csv_text(
    header: list[str], rows: list[list[str]], delimiter: str = ",", eol: str = "\n"
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=eol)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write(landing: Path, relative: str, text: str) -> str:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return relative


def plant(landing: Path) -> dict[tuple[str, str], dict[int, str]]:
    """Write the planted files; return {(source, file): {line number: fate}}."""
    planted: dict[tuple[str, str], dict[int, str]] = {}

    def csv_file(source: str, batch: str, name: str, header: list[str], rows: list, **kw: str):
        relative = f"{source}/{batch}/{name}"
        write(landing, relative, csv_text(header, [r for r, _ in rows], **kw))
        planted[(source, relative)] = {i + 2: fate for i, (_, fate) in enumerate(rows)}

    csv_file("twitter_tweets", "planted-0", "tweets.csv", TWEET_HEADER, PLANTED_TWEETS_0)
    csv_file("twitter_tweets", "planted-1", "tweets.csv", TWEET_HEADER, PLANTED_TWEETS_1)
    csv_file(
        "facebook_post_insights", "planted-1", "insights.csv", FACEBOOK_HEADER, PLANTED_POSTS,
        delimiter=";", eol="\r\n",
    )  # fmt: skip
    csv_file("crm_customers", "planted-1", "customers.csv", CUSTOMER_HEADER, PLANTED_CUSTOMERS)
    csv_file("crm_identities", "planted-1", "identities.csv", IDENTITY_HEADER, PLANTED_IDENTITIES)
    csv_file("orders", "planted-1", "orders.csv", ORDER_HEADER, PLANTED_ORDERS)
    csv_file("orders", "planted-2", "empty.csv", ORDER_HEADER, [])
    relative = "engagement_events/planted-1/events.jsonl"
    write(landing, relative, "".join(text + "\n" for text, _ in PLANTED_EVENTS))
    planted[("engagement_events", relative)] = {
        i + 1: fate for i, (_, fate) in enumerate(PLANTED_EVENTS)
    }
    return planted


# -- the warehouse --------------------------------------------------------------------------


@dataclass
class Built:
    warehouse: Path
    home: Path
    planted: dict[tuple[str, str], dict[int, str]]
    generated: dict[str, int]
    generated_batches: list[str]
    real: bool

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def dbt(home: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run dbt on `warehouse` with this module's own profile, target and log folders."""
    (home / "profiles.yml").write_text(PROFILE)
    env = dict(os.environ, ROR_WAREHOUSE=str(warehouse), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    env["DBT_USE_COLORS"] = "false"
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            *args,
            "--project-dir", str(REPO),
            "--profiles-dir", str(home),
            "--target-path", str(home / "target"),
            "--log-path", str(home / "logs"),
        ],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    home = tmp_path_factory.mktemp("staging")
    landing = home / "landing"
    real = REAL_TWEETS.exists() and REAL_POSTS.exists()
    if real:
        for source, batch, path in (
            ("twitter_tweets", REAL_TWEETS_BATCH, REAL_TWEETS),
            ("facebook_post_insights", REAL_POSTS_BATCH, REAL_POSTS),
        ):
            (landing / source / batch).mkdir(parents=True)
            (landing / source / batch / path.name).symlink_to(path)
    # Generated batches end a few days ago, so that their good rows are in the past and
    # their "future" bad rows (30+ days after their batch) are beyond the tolerance.
    start = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=GENERATED_DAYS + 3)
    generated = generate(
        home / "generated", persons=800, brands=4, days=GENERATED_DAYS, start=start, seed=7,
        bad_rows=0.15,
    )  # fmt: skip
    batches = sorted({p.name for p in (home / "generated").glob("*/*") if p.is_dir()})
    shutil.copytree(home / "generated", landing, dirs_exist_ok=True)
    planted = plant(landing)
    warehouse = home / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        report = load_landing(con, landing, "test-staging")
    assert not report.refusals, report.refusals
    result = dbt(
        home, warehouse, "build", "--select", "+staging", "+ops", "--indirect-selection", "cautious"
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    yield Built(warehouse, home, planted, generated, batches, real)


def fates(built: Built, source: str, file: str) -> dict[int, str]:
    """{line: fate} of a landed file, read from the staging model and ops.quarantine."""
    model = STAGING_MODELS[source]
    found = dict(
        built.rows(
            f"""select _line_number,
                       case when is_staged then 'staged' when is_duplicate then 'duplicate'
                            else quarantine_rule end
                from staging.{model} where _file = ?""",
            [file],
        )
    )
    for line_number, rule in built.rows(
        "select line_number, rule from ops.quarantine "
        "where quarantine_kind = 'rejected_line' and file = ?",
        [file],
    ):
        assert line_number not in found
        found[line_number] = rule
    return found


# -- the tests ------------------------------------------------------------------------------


def test_planted_rows_are_staged_quarantined_or_collapsed_as_expected(built: Built) -> None:
    for (source, file), expected in built.planted.items():
        assert fates(built, source, file) == expected, file


def test_every_quarantined_row_is_listed_with_its_rule(built: Built) -> None:
    for source, model in STAGING_MODELS.items():
        flagged = set(
            built.rows(
                f"select _file, _line_number, quarantine_rule, quarantine_detail "
                f"from staging.{model} where quarantine_rule is not null"
            )
        )
        listed = set(
            built.rows(
                "select file, line_number, rule, detail from ops.quarantine "
                "where source = ? and quarantine_kind = 'flagged_row'",
                [source],
            )
        )
        assert flagged == listed, source
    rejected = built.rows(
        "select count(*), count(*) filter (where rule = 'malformed_line') from ops.quarantine "
        "where quarantine_kind = 'rejected_line'"
    )[0]
    assert rejected[0] == rejected[1] == built.rows("select count(*) from raw.rejected_lines")[0][0]


def test_planted_values_are_parsed(built: Built) -> None:
    tweets = dict(
        (row[0], row[1:])
        for row in built.rows(
            "select tweet_id, response_tweet_ids, response_tweet_count, in_response_to_tweet_id, "
            "created_at, is_inbound from staging.stg_twitter__tweets "
            "where _batch = 'planted-1' and is_staged"
        )
    )
    assert tweets[9000001] == ([9000002, 9000003], 2, 9000000, dt.datetime(2025, 6, 2, 10), True)
    assert tweets[9000002][2] == 9000001  # both written as floats: "9000002.0", "9000001.0"
    detail = built.rows(
        "select quarantine_detail from staging.stg_twitter__tweets "
        "where _batch = 'planted-1' and _line_number = 12"
    )
    assert detail == [("tweet_id kept at twitter_tweets/planted-0/tweets.csv:2",)]
    events = dict(
        (row[0], row[1:])
        for row in built.rows(
            "select event_id, occurred_at, is_known_event_type, amount, currency "
            "from staging.stg_events__engagement_events where _batch = 'planted-1' and is_staged"
        )
    )
    assert events["ev-1"][:2] == (dt.datetime(2025, 6, 1, 10), True)
    assert events["ev-9"][1] is False  # an unknown event type is staged and flagged
    assert (float(events["ev-3"][2]), events["ev-3"][3]) == (12.5, "EUR")
    posts = built.rows(
        "select post_id, is_post_id_derived, posted_at, is_posted_at_approximate, share_count "
        "from staging.stg_facebook__post_insights where _batch = 'planted-1' and is_staged "
        "order by _line_number"
    )
    assert posts[0] == ("P1", False, dt.datetime(2025, 6, 1, 8), False, 10)
    assert posts[1][0] == "P4" and posts[1][4] is None  # an empty metric is staged as null
    derived = posts[2]
    assert derived[0].startswith("derived-") and derived[1] and derived[3]
    # Post Month 6, Post Weekday 1 (a Sunday), Post Hour 8, in var facebook_default_year.
    assert derived[2] == dt.datetime(2014, 6, 1, 8)


def test_reconciliation_holds_for_every_source_and_batch(built: Built) -> None:
    landed = {
        (source, batch): rows
        for source, batch, rows in built.rows(
            "select source, batch, sum(rows_landed) from ops.load_manifest group by all"
        )
    }
    # Counted independently of the loader's manifest: the raw tables and rejected lines.
    for source, batch in landed:
        raw = built.rows(f"select count(*) from raw.{source} where _batch = ?", [batch])[0][0]
        rejected = built.rows(
            "select count(*) from raw.rejected_lines where source = ? and _batch = ?",
            [source, batch],
        )[0][0]
        assert landed[(source, batch)] == raw + rejected, (source, batch)
    recon = {
        (r[0], r[1]): r[2:]
        for r in built.rows(
            "select source, batch, rows_landed, rows_staged, rows_quarantined, rows_duplicate, "
            "is_reconciled from ops.reconciliation"
        )
    }
    assert set(recon) == set(landed)
    assert {source for source, _ in recon} == set(STAGING_MODELS)
    for key, (rows_landed, staged, quarantined, duplicate, ok) in recon.items():
        assert rows_landed == landed[key] == staged + quarantined + duplicate, key
        assert ok is True
        listed = built.rows(
            "select count(*) from ops.quarantine where source = ? and batch = ?", list(key)
        )[0][0]
        assert quarantined == listed, key
    assert recon[("orders", "planted-2")] == (0, 0, 0, 0, True)  # a header-only file
    planted_twitter = recon[("twitter_tweets", "planted-1")]
    assert planted_twitter[:4] == (14, 3, 10, 1)


def test_generated_bad_rows_are_all_quarantined_or_collapsed(built: Built) -> None:
    """ror generate's bad rows, by kind: exact duplicates are collapsed, the rest quarantined,
    and no good generated row is quarantined.

    Except in this mixed warehouse: the generator numbers tweets from 1 as twcs.csv does, so
    a generated tweet whose id the real export (landed first) already holds is rightly a
    duplicate_id_conflict, one per such id (a generated duplicate_id row of that tweet has
    the same id and is one of the generator's bad rows already)."""
    assert built.generated["bad_rows"] > 50
    batches = built.generated_batches
    placeholders = ", ".join("?" for _ in batches)
    good_tweets_clashing_with_real = built.rows(
        f"select count(distinct tweet_id) from staging.stg_twitter__tweets "
        f"where _batch in ({placeholders}) and quarantine_rule = 'duplicate_id_conflict' "
        "and quarantine_detail like ?",
        [*batches, f"tweet_id kept at twitter_tweets/{REAL_TWEETS_BATCH}/%"],
    )[0][0]
    for source in STAGING_MODELS:
        kinds = {
            key.split(":")[2]: count
            for key, count in built.generated.items()
            if key.startswith(f"bad:{source}:")
        }
        quarantined, duplicate = built.rows(
            f"select sum(rows_quarantined), sum(rows_duplicate) from ops.reconciliation "
            f"where source = ? and batch in ({placeholders})",
            [source, *batches],
        )[0]
        assert duplicate == kinds.pop("exact_duplicate"), source
        clashes = good_tweets_clashing_with_real if source == "twitter_tweets" else 0
        assert quarantined - clashes == sum(kinds.values()), (source, kinds)


def real_tweet_ids() -> list[int]:
    data = REAL_TWEETS.read_bytes().decode("utf-8")
    # The export holds bare CRs inside an unquoted field (tweet 3399): not record ends.
    text = data.replace("\r\n", "\n").replace("\r", " ")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0][1] == "tweet_id"
    return [int(r[1]) for r in records[1:]]


def test_real_tweets_are_all_staged_or_quarantined(built: Built) -> None:
    require_real_data()
    expected = real_tweet_ids()
    assert len(expected) == len(set(expected)) == 5000
    rows = built.rows(
        "select tweet_id, is_staged, quarantine_rule, is_duplicate "
        "from staging.stg_twitter__tweets where _batch = ?",
        [REAL_TWEETS_BATCH],
    )
    rejected = built.rows(
        "select count(*) from ops.quarantine where source = 'twitter_tweets' and batch = ? "
        "and quarantine_kind = 'rejected_line'",
        [REAL_TWEETS_BATCH],
    )[0][0]
    assert not any(dup for *_, dup in rows)
    assert all(staged or rule for _, staged, rule, _ in rows)
    assert len(rows) + rejected == 5000
    if not rejected:  # every tweet reached staging: the ids are exactly the file's
        assert sorted(r[0] for r in rows) == sorted(expected)
    staged = sum(1 for r in rows if r[1])
    assert staged == 5000 - rejected - sum(1 for r in rows if r[2])
    (landed, recon_staged, recon_quarantined, dup) = built.rows(
        "select rows_landed, rows_staged, rows_quarantined, rows_duplicate "
        "from ops.reconciliation where source = 'twitter_tweets' and batch = ?",
        [REAL_TWEETS_BATCH],
    )[0]
    assert (landed, dup) == (5000, 0)
    assert recon_staged + recon_quarantined == 5000


def test_real_posts_are_all_staged_or_quarantined(built: Built) -> None:
    require_real_data()
    with REAL_POSTS.open(newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle, delimiter=";"))[1:]
    assert len(records) == 500
    with_empty_cells = {i + 2 for i, r in enumerate(records) if "" in r}
    assert with_empty_cells  # the real file has 6 empty cells
    rows = built.rows(
        "select _line_number, is_staged, quarantine_rule, is_duplicate, is_paid, like_count, "
        "share_count from staging.stg_facebook__post_insights where _batch = ?",
        [REAL_POSTS_BATCH],
    )
    assert len(rows) == 500
    assert all((staged or rule) and not dup for _, staged, rule, dup, *_ in rows)
    by_line = {r[0]: r for r in rows}
    for line_number in with_empty_cells:  # empty metrics are staged as nulls
        assert by_line[line_number][1] is True, by_line[line_number]
        assert None in by_line[line_number][4:]
    assert sum(1 for r in rows for v in r[4:] if v is None) == 6


def test_reconciliation_tests_fail_when_a_row_goes_missing(built: Built) -> None:
    """Damage a copy: lose a staged tweet, add an event nobody landed, give an order two
    outcomes. The reconciles_with_landing test of exactly those three sources fails."""
    scratch = built.home / "damaged"
    scratch.mkdir()
    copy = scratch / "wh.duckdb"
    shutil.copy(built.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "delete from staging.stg_twitter__tweets where tweet_row_id = "
            "(select min(tweet_row_id) from staging.stg_twitter__tweets where is_staged)"
        )
        con.execute(
            "insert into staging.stg_events__engagement_events "
            "select * replace ('extra-' || event_row_id as event_row_id) "
            "from staging.stg_events__engagement_events where is_staged limit 1"
        )
        con.execute(
            "update staging.stg_crm__orders set is_duplicate = true where order_row_id = "
            "(select min(order_row_id) from staging.stg_crm__orders where is_staged)"
        )
    result = dbt(scratch, copy, "test", "--select", "test_name:reconciles_with_landing")
    assert result.returncode != 0, result.stdout[-3000:]
    outcomes = {
        r["unique_id"].split(".")[2]: r["status"]
        for r in json.loads((scratch / "target" / "run_results.json").read_text())["results"]
        if r["unique_id"].startswith("test.")  # not the on-run-start hook
    }
    failing = {name for name, status in outcomes.items() if status == "fail"}
    assert len(outcomes) == 6
    assert failing == {
        "reconciles_with_landing_stg_twitter__tweets_twitter_tweets",
        "reconciles_with_landing_stg_events__engagement_events_engagement_events",
        "reconciles_with_landing_stg_crm__orders_orders",
    }, outcomes
