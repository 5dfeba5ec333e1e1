"""The relationship facts and ROR marts, built for real: loader -> dbt build -> publish.

Two warehouses per module, each landed by the loader into a real DuckDB file, built by a
real `dbt build` (the Python UDFs registered by the plugin) and published into a BI file by
ror.publish:

- the real exports of ../shared (the Twitter sample and the UCI Facebook file);
- a small generated landing folder (ror.generate) plus two hand-made batches, loaded in two
  halves: the second `dbt build` runs the incremental models incrementally with a lookback
  of 0 days, so only the rows the new batches touch are rebuilt; a copy of that warehouse
  is then rebuilt with `--full-refresh` and both must hold the same rows.

The tests read the published BI file (what BI tools see) and, for internals, the warehouse.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import shutil
import statistics
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from python_udfs.scoring import FORMULA_VERSION, ror_score
from ror.dbt import dbt_executable
from ror.generate import generate
from ror.loader import load_landing
from ror.publish import publish
from ror.summary import brand_summaries, print_summary
from tests.conftest import REAL_POSTS, REAL_TWEETS, REPO, require_real_data, union_find_groups

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("marts")]

SALT = "test-marts-salt-5f0c2a9e"
MARTS = (
    "ror_relationships",
    "ror_relationship_history",
    "ror_brand_daily",
    "ror_content",
    "ror_conversations",
    "ror_advocates",
    "ror_value",
    "fct_interactions",
    "fct_relationship_daily",
    "dim_brands",
    "dim_persons",
)
GRAINS = {
    "ror_relationships": ("brand_id", "person_key"),
    "ror_relationship_history": ("brand_id", "person_key", "month_start"),
    "ror_brand_daily": ("brand_id", "channel", "activity_date"),
    "ror_content": ("content_id",),
    "ror_conversations": ("conversation_id",),
    "ror_advocates": ("brand_id", "person_key"),
    "ror_value": ("brand_id", "score_decile"),
    "fct_interactions": ("interaction_id",),
    "fct_relationship_daily": ("brand_id", "person_key", "channel", "activity_date"),
    "dim_brands": ("brand_id",),
    "dim_persons": ("person_key",),
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
      settings:
        preserve_insertion_order: false
      plugins:
        - module: python_udfs.plugin
"""
GENERATED_START = dt.date(2026, 11, 1)
GENERATED_DAYS = 6
FIRST_HALF_LAST_BATCH = "2026-11-03"
LATE_BRAND = "LateBrandCare"
LATE_CUSTOMER_TWEET = 990000001
TWEET_HEADER = (
    "", "tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
    "in_response_to_tweet_id",
)  # fmt: skip


@dataclass
class Built:
    warehouse: Path
    bi: Path
    dbt_dir: Path
    counts: dict[str, int]


def run_dbt(
    dbt_dir: Path,
    warehouse: Path,
    args: list[str],
    check: bool = True,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    dbt_dir.mkdir(parents=True, exist_ok=True)
    (dbt_dir / "profiles.yml").write_text(PROFILE)
    env = dict(
        os.environ,
        ROR_WAREHOUSE=str(warehouse),
        ROR_PSEUDONYM_SALT=SALT,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_USE_COLORS="false",
    ) | (extra_env or {})
    result = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(REPO),
            "--profiles-dir",
            str(dbt_dir),
            "--target-path",
            str(dbt_dir / "target"),
            "--log-path",
            str(dbt_dir / "logs"),
        ],  # fmt: skip
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    if check:
        assert result.returncode == 0, f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}"
    return result


def load(warehouse: Path, landing: Path, run_id: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        report = load_landing(con, landing, run_id)
        assert not report.refused, report.refusals
    finally:
        con.close()


def publish_bi(warehouse: Path, bi: Path, home: Path) -> None:
    run = {"run_id": "test-marts", "started_at": dt.datetime(2026, 1, 1), "status": "published"}
    publish(warehouse, bi, home / "runs.jsonl", run)


def link_tree(source: Path, target: Path, batches: set[str]) -> None:
    """Symlink the files of the given batches (landing/<source>/<batch>/...) into target."""
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.parent.name in batches:
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            if not destination.exists():
                destination.symlink_to(path)


def write_tweets(path: Path, rows: list[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TWEET_HEADER)
        for index, row in enumerate(rows):
            writer.writerow((str(index), *row))


@pytest.fixture(scope="module")
def real_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    require_real_data()
    home = tmp_path_factory.mktemp("marts_real")
    landing = home / "landing"
    for source, batch, real in (
        ("twitter_tweets", "2017-10-31", REAL_TWEETS),
        ("facebook_post_insights", "2014-12-31", REAL_POSTS),
    ):
        folder = landing / source / batch
        folder.mkdir(parents=True)
        (folder / real.name).symlink_to(real)
    warehouse = home / "ror.duckdb"
    load(warehouse, landing, "real-1")
    run_dbt(home / "dbt", warehouse, ["build"])
    bi = home / "ror_bi.duckdb"
    publish_bi(warehouse, bi, home)
    return Built(warehouse, bi, home / "dbt", {})


@pytest.fixture(scope="module")
def generated_built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    home = tmp_path_factory.mktemp("marts_generated")
    full_landing = home / "generated"
    counts = generate(
        full_landing,
        persons=400,
        brands=3,
        days=GENERATED_DAYS,
        start=GENERATED_START,
        seed=11,
        bad_rows=0.01,
    )
    # A customer tweet that mentions no brand lands first; a brand answers it two batches
    # later. The incremental run must rebuild the old tweet's row (its brand changes).
    write_tweets(
        full_landing / "twitter_tweets" / "2026-11-02-late" / "late-a.csv",
        [
            (str(LATE_CUSTOMER_TWEET), "late_customer_1", "True",
             "Mon Nov 02 09:00:00 +0000 2026", "hello, is anybody there?", "", ""),
        ],
    )  # fmt: skip
    write_tweets(
        full_landing / "twitter_tweets" / "2026-11-05-late" / "late-b.csv",
        [
            (str(LATE_CUSTOMER_TWEET + 1), LATE_BRAND, "False",
             "Mon Nov 02 09:30:00 +0000 2026", "@late_customer_1 We are here! How can we help?",
             "", f"{LATE_CUSTOMER_TWEET}.0"),
        ],
    )  # fmt: skip
    batches = sorted({p.parent.name for p in full_landing.rglob("*") if p.is_file()})
    first = {b for b in batches if b <= FIRST_HALF_LAST_BATCH + "~"}
    landing = home / "landing"
    warehouse = home / "ror.duckdb"
    dbt_dir = home / "dbt"
    incremental = ["build", "--vars", "{ror_incremental_lookback_days: 0}"]

    link_tree(full_landing, landing, first)
    load(warehouse, landing, "gen-1")
    run_dbt(dbt_dir, warehouse, incremental)

    link_tree(full_landing, landing, set(batches))
    load(warehouse, landing, "gen-2")
    run_dbt(dbt_dir, warehouse, incremental)

    full = home / "ror_full.duckdb"
    shutil.copyfile(warehouse, full)
    run_dbt(home / "dbt_full", full, ["run", "--full-refresh", "--select", "intermediate", "marts"])
    bi = home / "ror_bi.duckdb"
    publish_bi(warehouse, bi, home)
    return Built(warehouse, bi, dbt_dir, counts | {"full_refresh_copy": 1})


@pytest.fixture(scope="module", params=["real", "generated"])
def built(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(f"{request.param}_built")


def bi_connection(built: Built) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(built.bi), read_only=True)


# ------------------------------------------------------------------------------ real data


@dataclass(frozen=True)
class Tweet:
    tweet_id: int
    author_id: str
    inbound: bool
    created_at: dt.datetime
    parent_id: int | None


def read_real_tweets() -> dict[int, Tweet]:
    """twcs_head.csv with the csv module. Tweet 3399 holds bare CRs in an unquoted field:
    the csv module refuses a CR outside quotes, so the CRs (inside text only) become
    spaces; ids, authors and times are untouched."""
    with REAL_TWEETS.open(encoding="utf-8", newline="\n") as handle:
        text = handle.read()
    tweets: dict[int, Tweet] = {}
    for row in csv.DictReader(io.StringIO(text.replace("\r", " "), newline="")):
        parent = row["in_response_to_tweet_id"].strip()
        tweets[int(row["tweet_id"])] = Tweet(
            tweet_id=int(row["tweet_id"]),
            author_id=row["author_id"],
            inbound=row["inbound"] == "True",
            created_at=dt.datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y"),
            parent_id=int(float(parent)) if parent else None,
        )
    return tweets


def first_response_minutes_by_brand(tweets: dict[int, Tweet]) -> dict[str, list[float]]:
    """Plain Python: threads from in_response_to (the root is the first tweet up the chain
    whose parent is not in the file); a conversation opens with its first customer tweet;
    the brand's first response is its first brand tweet at or after that (ties by id);
    the minutes between them, grouped by the responding brand."""

    def root(tweet_id: int) -> int:
        seen = {tweet_id}
        while (parent := tweets[tweet_id].parent_id) in tweets and parent not in seen:
            seen.add(parent)
            tweet_id = parent
        return tweet_id

    threads: dict[int, list[Tweet]] = defaultdict(list)
    for tweet in tweets.values():
        threads[root(tweet.tweet_id)].append(tweet)
    minutes: dict[str, list[float]] = defaultdict(list)
    for members in threads.values():
        customer = [t for t in members if t.inbound]
        if not customer:
            continue
        opened = min(customer, key=lambda t: (t.created_at, f"twitter:{t.tweet_id}"))
        answers = sorted(
            (t for t in members if not t.inbound and t.created_at >= opened.created_at),
            key=lambda t: (t.created_at, f"twitter:{t.tweet_id}"),
        )
        if answers:
            seconds = (answers[0].created_at - opened.created_at).total_seconds()
            minutes[answers[0].author_id].append(seconds / 60)
    return minutes


def test_real_median_first_response_matches_the_csv(real_built: Built) -> None:
    tweets = read_real_tweets()
    expected = first_response_minutes_by_brand(tweets)
    con = bi_connection(real_built)
    try:
        staged = duckdb.connect(str(real_built.warehouse), read_only=True)
        try:
            staged_tweets = staged.execute(
                "select count(*) from staging.stg_twitter__tweets where is_staged"
            ).fetchone()[0]
        finally:
            staged.close()
        assert staged_tweets == len(tweets), "every real tweet is staged"
        rows = con.execute(
            """select brand_id, count(*), median(first_response_minutes)
            from marts.ror_conversations
            where channel = 'twitter' and is_answered
            group by brand_id"""
        ).fetchall()
    finally:
        con.close()
    mart = {brand: (count, median) for brand, count, median in rows}
    busiest = sorted(expected, key=lambda brand: (-len(expected[brand]), brand))[:6]
    assert len(busiest) == 6 and len(expected[busiest[-1]]) >= 10
    for brand in busiest:
        count, median = mart[brand]
        assert count == len(expected[brand]), brand
        assert median == pytest.approx(statistics.median(expected[brand]), abs=1e-9), brand
    assert set(mart) == set(expected)


def test_real_brand_ids_are_the_brand_handles(real_built: Built) -> None:
    handles = {t.author_id for t in read_real_tweets().values() if not t.inbound}
    con = bi_connection(real_built)
    try:
        brands = {
            row[0]
            for row in con.execute(
                "select distinct brand_id from marts.ror_conversations where channel = 'twitter'"
            ).fetchall()
        }
        relationship_brands = {
            row[0]
            for row in con.execute(
                "select distinct brand_id from marts.ror_relationships"
            ).fetchall()
        }
    finally:
        con.close()
    assert "AppleSupport" in brands and brands <= handles
    assert relationship_brands <= handles


def test_real_facebook_posts_are_content_with_kaushik_rates(real_built: Built) -> None:
    con = bi_connection(real_built)
    try:
        rows = con.execute(
            """select count(*), count(distinct brand_id), min(followers),
                sum(case when abs(conversation_rate - comments / followers) < 1e-12 then 1 end),
                sum(case when abs(amplification_rate - shares / followers) < 1e-12 then 1 end),
                sum(case when abs(applause_rate - likes / followers) < 1e-12 then 1 end),
                count(distinct paid_or_organic)
            from marts.ror_content where metrics_source = 'facebook_insights'"""
        ).fetchone()
    finally:
        con.close()
    posts, brands, followers, conversation, amplification, applause, paid_kinds = rows
    assert posts == 500 and brands == 1 and followers > 0
    # 1 post has an empty comment/like/share metric in the real file (null rates).
    assert conversation >= 495 and amplification >= 495 and applause >= 495
    assert paid_kinds == 2


# ----------------------------------------------------------------------------- both data sets


def test_mart_grains_are_unique_and_not_null(built: Built) -> None:
    con = bi_connection(built)
    try:
        tables = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert tables == set(MARTS)
        for mart, grain in GRAINS.items():
            columns = ", ".join(grain)
            total, distinct, nulls = con.execute(
                f"""select count(*), count(distinct ({columns})),
                    count(*) filter (where {" or ".join(f"{c} is null" for c in grain)})
                from marts.{mart}"""
            ).fetchone()
            assert total == distinct, f"{mart}: {total - distinct} repeated {grain}"
            assert nulls == 0, f"{mart}: null in {grain}"
            if mart != "dim_persons":
                sql = f"select count(*) from marts.{mart} where brand_id is null"
                assert con.execute(sql).fetchone()[0] == 0, f"{mart}: brand_id null"
        assert con.execute("select count(*) from marts.ror_relationships").fetchone()[0] > 0
    finally:
        con.close()


def identifying_values(warehouse: Path) -> tuple[set[str], set[str]]:
    """From raw: every person handle, user id, customer id, e-mail and message text (brand
    handles excluded: they are the public brand_id), and the e-mail addresses alone."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        queries = {
            "twitter_tweets": [
                "select author_id from raw.twitter_tweets where inbound = 'True'",
                "select text from raw.twitter_tweets",
            ],
            "engagement_events": [
                f"select {column} from raw.engagement_events"
                for column in (
                    "person_channel_user_id",
                    "person_handle",
                    "person_email",
                    "text",
                    "referred_channel_user_id",
                )
            ],  # fmt: skip
            "crm_customers": [
                "select customer_id from raw.crm_customers",
                "select email from raw.crm_customers",
            ],
            "crm_identities": ["select channel_user_id from raw.crm_identities"],
            "orders": [
                "select customer_id from raw.orders",
                "select referrer_customer_id from raw.orders",
            ],
        }
        values: set[str] = set()
        for table, selects in queries.items():
            if table in tables:
                for select in selects:
                    values.update(
                        v.strip() for (v,) in con.execute(select).fetchall() if v and v.strip()
                    )
        brands: set[str] = set()
        if "twitter_tweets" in tables:
            brands.update(
                v for (v,) in con.execute(
                    "select author_id from raw.twitter_tweets where inbound = 'False'"
                ).fetchall()
            )  # fmt: skip
        for table in ("engagement_events", "crm_customers", "orders"):
            if table in tables:
                brands.update(
                    v for (v,) in con.execute(f"select brand_id from raw.{table}").fetchall()
                )
    finally:
        con.close()
    values -= brands
    emails = {v.lower() for v in values if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v)}
    return values, emails


def test_bi_database_holds_no_handle_email_or_text(built: Built) -> None:
    values, emails = identifying_values(built.warehouse)
    assert len(values) > 100 and (built.counts == {} or emails)
    con = bi_connection(built)
    try:
        columns = con.execute(
            """select table_schema, table_name, column_name from information_schema.columns
            where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')
            order by 1, 2, 3"""
        ).fetchall()
        assert any(schema == "marts" for schema, _, _ in columns)
        scanned = 0
        for schema, table, column in columns:
            published = {
                value
                for (value,) in con.execute(
                    f'select distinct "{column}" from "{schema}"."{table}" '
                    f'where "{column}" is not null'
                ).fetchall()
            }
            scanned += len(published)
            leaked = published & values
            assert not leaked, f"{schema}.{table}.{column} publishes {sorted(leaked)[:3]}"
            lowered = " ".join(published).lower()
            assert not [e for e in emails if e in lowered], f"{schema}.{table}.{column} has e-mails"
        assert scanned > 0
    finally:
        con.close()


def test_person_keys_are_salted_sha256_of_the_person(built: Built) -> None:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        pairs = con.execute(
            """select relationships.person_key, scored.person_id
            from marts.ror_relationships as relationships
            inner join intermediate.int_relationships_scored as scored
                on relationships.brand_id = scored.brand_id
                and scored.snapshot_kind = 'month'
                and scored.snapshot_date = scored.as_of_date
            where relationships.person_key = sha256(? || scored.person_id)
            limit 1""",
            [SALT],
        ).fetchall()
        keys = con.execute("select person_key from marts.ror_relationships limit 20").fetchall()
    finally:
        con.close()
    assert pairs, "no person_key equals sha256(salt || person_id)"
    key, person_id = pairs[0]
    assert key == hashlib.sha256((SALT + person_id).encode()).hexdigest()
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for (k,) in keys)


def test_scores_carry_formula_version_and_components(built: Built) -> None:
    con = bi_connection(built)
    try:
        rows = con.execute(
            """select engagement_component, sentiment_component, reciprocity_component,
                listening_component, advocacy_component, continuity_component,
                realized_value_component, ror_score, ror_formula_version, ror_score_parameters
            from marts.ror_relationships"""
        ).fetchall()
    finally:
        con.close()
    assert rows
    for *components, score, version, parameters in rows:
        assert version == FORMULA_VERSION
        weights = json.loads(parameters)["weights"]
        expected = ror_score(*components, *(weights[name] for name in (
            "engagement", "sentiment", "reciprocity", "listening", "advocacy", "continuity",
            "realized_value",
        )))  # fmt: skip
        assert score == pytest.approx(expected, abs=1e-9)


def test_brand_daily_quartiles_are_those_of_the_day_s_scores(generated_built: Built) -> None:
    """p25, median and p75 of ror_brand_daily are the continuous quartiles of the month
    scores of the relationships active that day (one quantile aggregate returns all three,
    read by position), computed here by Python's statistics module."""
    con = duckdb.connect(str(generated_built.warehouse), read_only=True)
    try:
        scores = con.execute(
            """select daily.brand_id, daily.channel, daily.activity_date,
                list(scored.ror_score) filter (where scored.ror_score is not null)
            from intermediate.int_relationships_daily as daily
            left join intermediate.int_relationships_scored as scored
                on scored.snapshot_kind = 'month'
                and daily.person_id = scored.person_id
                and daily.brand_id = scored.brand_id
                and date_trunc('month', daily.activity_date) = scored.month_start
            where daily.person_interactions > 0
            group by all"""
        ).fetchall()
        mart = {
            (brand, channel, day): quartiles
            for brand, channel, day, *quartiles in con.execute(
                """select brand_id, channel, activity_date, p25_ror_score, median_ror_score,
                    p75_ror_score
                from marts.ror_brand_daily"""
            ).fetchall()
        }
    finally:
        con.close()
    spread = 0
    for brand, channel, day, values in scores:
        if not values:
            continue
        expected = (
            statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else values * 3
        )
        assert mart[(brand, channel, day)] == pytest.approx(expected, abs=1e-9), (brand, day)
        spread += expected[0] < expected[2]
    assert spread > 10  # days whose quartiles differ: a swapped pair would show


def test_ror_value_has_ten_deciles_per_brand(built: Built) -> None:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        eligible = {
            brand
            for brand, scored in con.execute(
                """select brand_id, count(ror_score) from intermediate.int_relationships_scored
                where snapshot_kind = 'value' group by brand_id"""
            ).fetchall()
            if scored >= 20
        }
        deciles = con.execute(
            """select brand_id, list(score_decile order by score_decile), sum(relationships),
                bool_and(window_days > 0)
            from marts.ror_value group by brand_id"""
        ).fetchall()
    finally:
        con.close()
    assert {brand for brand, *_ in deciles} == eligible
    for _brand, listed, _relationships, has_window in deciles:
        assert listed == list(range(1, 11))
        assert has_window
    if built.counts:
        assert len(eligible) == 3, "every generated brand has enough relationships"


# ---------------------------------------------------------------------------- generated


# When, by which run and with what a row was built, and what its earlier versions were: an
# incremental run keeps them from the runs before, a full refresh sets them afresh.
BOOKKEEPING_COLUMNS = (
    "_changed_at",
    "_build_hash",
    "_built_at",
    "_previous_activity_dates",
    "_previous_identity_keys",
    "_previous_thread_ids",
    "_previous_person_ids",
)


def test_incremental_runs_equal_a_full_refresh(generated_built: Built) -> None:
    full = generated_built.warehouse.with_name("ror_full.duckdb")
    con = duckdb.connect(str(generated_built.warehouse), read_only=True)
    try:
        con.execute(f"attach '{full}' as full_refresh (read_only)")
        tables = con.execute(
            """select table_schema, table_name from information_schema.tables
            where table_catalog = 'ror' and table_schema in ('intermediate', 'marts')
            order by 1, 2"""
        ).fetchall()
        assert ("intermediate", "int_interactions_unified") in tables
        for schema, table in tables:
            ours = f"ror.{schema}.{table}"
            theirs = f"full_refresh.{schema}.{table}"
            rows = con.execute(f"select count(*) from {ours}").fetchone()[0]
            columns = ", ".join(
                f'"{name}"'
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() where database_name = 'ror' "
                    "and schema_name = ? and table_name = ? order by column_index",
                    [schema, table],
                ).fetchall()
                if name not in BOOKKEEPING_COLUMNS
            )
            only_ours, only_theirs = con.execute(
                f"""select
                    (select count(*) from (
                        select {columns} from {ours} except all select {columns} from {theirs})),
                    (select count(*) from (
                        select {columns} from {theirs} except all select {columns} from {ours}))"""
            ).fetchone()
            assert (only_ours, only_theirs) == (0, 0), f"{schema}.{table} ({rows} rows) differs"
    finally:
        con.close()


def test_tests_of_the_latest_build_fail_a_new_row_repeating_an_old_one(
    generated_built: Built, tmp_path: Path
) -> None:
    """ROR_TEST_ROWS=latest_build (a nightly's, set by `ror refresh`): the unique and
    combination tests of an incremental model read the rows its latest build wrote, counted
    across every row, and so does a unique test with a `where` config (staged rows). A
    planted copy of an old row stamped with the latest build fails each; the same copy
    stamped as an old build is left to the tests of that build (which read every row: the
    default, and what fails it here)."""
    warehouse = tmp_path / "ror.duckdb"
    shutil.copyfile(generated_built.warehouse, warehouse)
    tests = {
        "unique_fct_interactions_interaction_id": "marts.fct_interactions",
        "ror_unique_combination_fct_relationship_daily": "marts.fct_relationship_daily",
        "unique_stg_events__engagement_events_event_id": "staging.stg_events__engagement_events",
    }
    copied = {"staging.stg_events__engagement_events": "is_staged"}  # the test's `where`

    def plant(as_latest_build: bool) -> None:
        """Insert a copy of one old row into each table, stamped as the latest build or
        as the old build that wrote it."""
        con = duckdb.connect(str(warehouse))
        try:
            for table in tests.values():
                latest = con.execute(f"select max(_built_at) from {table}").fetchone()[0]
                stamp = "cast($latest as timestamp)" if as_latest_build else "_built_at"
                where = copied.get(table, "true")
                planted = con.execute(
                    f"""insert into {table} by name
                    select * replace ({stamp} as _built_at)
                    from (select * from {table} where _built_at < $latest and {where} limit 1)""",
                    {"latest": latest},
                ).fetchone()[0]
                assert planted == 1, f"{table}: every row is of the latest build"
        finally:
            con.close()

    def statuses(rows: str = "all") -> dict[str, str]:
        dbt_dir = tmp_path / "dbt"
        results_file = dbt_dir / "target" / "run_results.json"
        results_file.unlink(missing_ok=True)  # never read the last run's
        select = ["test", "--select", *(table.split(".")[1] for table in tests.values())]
        run_dbt(dbt_dir, warehouse, select, check=False, extra_env={"ROR_TEST_ROWS": rows})
        results = json.loads(results_file.read_text())["results"]
        found = {
            name: result["status"]
            for result in results
            for name in tests
            if result["unique_id"].split(".")[2].startswith(name)
        }
        assert set(found) == set(tests), found
        return found

    assert set(statuses("latest_build").values()) == {"pass"}
    plant(as_latest_build=False)
    assert set(statuses("latest_build").values()) == {"pass"}
    assert set(statuses().values()) == {"fail"}
    plant(as_latest_build=True)
    assert set(statuses("latest_build").values()) == {"fail"}


EXACT_SUMS = """
with

aggregated as (
    select
        g,
        {{ ror_exact_sum('x') }} as exact_sum,
        {{ ror_exact_avg('x') }} as exact_avg,
        sum(x) as double_sum
    from t
    group by g
),

windowed as (
    select distinct
        g,
        {{ ror_exact_sum('x', window='partition by g') }} as window_sum
    from t
)

select * from aggregated inner join windowed using (g) order by g
"""


def test_exact_sums_do_not_depend_on_the_order_rows_are_added_in(tmp_path: Path) -> None:
    """ror_exact_sum and ror_exact_avg, as dbt compiles them, give the same doubles
    whichever order the rows come in; a plain sum of the same doubles does not, so these
    rows can show the difference. On one thread DuckDB adds rows in table order."""
    compiled = json.loads(
        run_dbt(
            tmp_path / "dbt",
            tmp_path / "compile_only.duckdb",
            ["compile", "--quiet", "--output", "json", "--inline", EXACT_SUMS],
        ).stdout
    )["compiled"]
    con = duckdb.connect()
    con.execute("set threads = 1")
    con.execute("select setseed(0.25)")
    # Magnitudes from 1e-6 to 1e6, both signs: the order of adding shows in a double sum.
    con.execute(
        "create table source as select i % 3 as g, (random() - 0.5) * pow(10, i % 13 - 6) as x, "
        "i as k from range(60000) as r(i)"
    )
    results = {}
    for order in ("k", "k desc", "hash(k)"):
        con.execute(f"create or replace table t as select g, x from source order by {order}")
        results[order] = con.execute(compiled).fetchall()
    exact = {order: [row[:3] + row[4:] for row in rows] for order, rows in results.items()}
    assert exact["k"] == exact["k desc"] == exact["hash(k)"]
    double_sums = {order: [row[3] for row in rows] for order, rows in results.items()}
    assert len({tuple(sums) for sums in double_sums.values()}) > 1
    # And the exact sum is the sum: within the rounding of each value to 9 decimals.
    values = defaultdict(list)
    for g, x in con.execute("select g, x from source").fetchall():
        values[g].append(x)
    for g, exact_sum, exact_avg, _, window_sum in results["k"]:
        assert exact_sum == window_sum
        assert abs(exact_sum - math.fsum(values[g])) <= len(values[g]) * 5e-10
        assert exact_avg == pytest.approx(exact_sum / len(values[g]), rel=1e-15)


def test_a_late_reply_rebuilds_the_thread_it_joins(generated_built: Built) -> None:
    con = duckdb.connect(str(generated_built.warehouse), read_only=True)
    try:
        rows = con.execute(
            """select interaction_id, brand_id, thread_id from intermediate.int_interactions_unified
            where interaction_id in (?, ?) order by interaction_id""",
            [f"twitter:{LATE_CUSTOMER_TWEET}", f"twitter:{LATE_CUSTOMER_TWEET + 1}"],
        ).fetchall()
        conversation = con.execute(
            """select brand_id, first_response_minutes, is_answered from marts.ror_conversations
            where conversation_id = ?""",
            [f"twitter:{LATE_CUSTOMER_TWEET}"],
        ).fetchone()
    finally:
        con.close()
    thread = f"twitter:{LATE_CUSTOMER_TWEET}"
    assert rows == [
        (f"twitter:{LATE_CUSTOMER_TWEET}", LATE_BRAND, thread),
        (f"twitter:{LATE_CUSTOMER_TWEET + 1}", LATE_BRAND, thread),
    ]
    assert conversation == (LATE_BRAND, 30.0, True)


def test_identities_merge_across_channels_and_conflicts_are_reported(
    generated_built: Built,
) -> None:
    con = duckdb.connect(str(generated_built.warehouse), read_only=True)
    try:
        conflicts = con.execute(
            """select identity_key, customer_count, person_count
            from intermediate.int_identity_conflicts"""
        ).fetchall()
        merged = con.execute(
            """select max(person_identities), count(distinct person_id) filter (
                where person_identities > 1) from intermediate.int_identities_resolved"""
        ).fetchone()
        unmerged = con.execute(
            """select count(*) from intermediate.int_identity_conflicts as conflicts
            inner join intermediate.int_identities_resolved as resolved
                on conflicts.identity_key = resolved.identity_key
            inner join intermediate.int_identity_edges as edges
                on edges.identity_b = conflicts.identity_key and edges.link_source = 'crm_identity'
            inner join intermediate.int_identities_resolved as customers
                on edges.identity_a = customers.identity_key
            where customers.person_id = resolved.person_id"""
        ).fetchone()[0]
        same_email_conflicts = con.execute(
            """select count(*) from (
                select conflicts.identity_key
                from intermediate.int_identity_conflicts as conflicts
                inner join staging.stg_crm__identities as identities
                    on conflicts.channel = identities.channel
                    and conflicts.channel_user_id = identities.channel_user_id
                left join staging.stg_crm__customers as customers
                    on identities.customer_id = customers.customer_id and customers.is_staged
                where identities.is_staged
                group by conflicts.identity_key
                having count(distinct lower(customers.email)) = 1
                    and count(customers.email) = count(*)
            )"""
        ).fetchone()[0]
    finally:
        con.close()
    # The generator's shared logins, plus ids whose claimants cannot be linked otherwise
    # (a claimant's customer row quarantined, so its e-mail is unknown): never two
    # customers that share an e-mail (those are one person).
    assert len(conflicts) >= generated_built.counts["dq_shared_identities"]
    assert same_email_conflicts == 0
    assert all(customers >= 2 and persons >= 2 for _, customers, persons in conflicts)
    assert unmerged == 0, "a conflicting identity was merged into a claiming customer"
    assert merged[0] >= 4 and merged[1] > 50


def test_identity_components_are_those_of_the_trusted_links(generated_built: Built) -> None:
    """int_identity_components (a dbt Python model) against a plain union-find over
    int_identity_edges: every identity named by a link, joined along trusted links only,
    each component named by its smallest identity."""
    con = duckdb.connect(str(generated_built.warehouse), read_only=True)
    try:
        edges = con.execute(
            "select identity_a, identity_b, is_trusted from intermediate.int_identity_edges"
        ).fetchall()
        components = dict(
            con.execute(
                "select identity_key, component_key from intermediate.int_identity_components"
            ).fetchall()
        )
    finally:
        con.close()
    groups = union_find_groups(
        [key for a, b, _ in edges for key in (a, b)],
        [(a, b) for a, b, trusted in edges if trusted],
    )
    expected = {key: min(group) for group in groups for key in group}
    assert any(not trusted for _, _, trusted in edges), "no untrusted link in the test data"
    assert sum(1 for key in expected if expected[key] != key) > 100
    assert components == expected


def test_summary_reads_like_an_answer(
    generated_built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    print_summary(generated_built.bi)
    out = capsys.readouterr().out
    con = bi_connection(generated_built)
    try:
        brands = brand_summaries(con)
    finally:
        con.close()
    assert {brand.brand_id for brand in brands} >= {LATE_BRAND} and len(brands) == 4
    as_of = max(str(brand.as_of_date) for brand in brands)
    assert f"Return on Relationship as of {as_of}, 4 brands" in out
    for brand in brands:
        line = next(line for line in out.splitlines() if line.startswith(f"  {brand.brand_id}:"))
        assert f"ROR {brand.mean_score:.1f} mean / {brand.median_score:.1f} median" in line
        assert "median first response" in line and "give/take" in line
        assert "advocates bring" in line or "no referred revenue" in line
    assert re.search(r"rows landed [\d,]+: staged [\d,]+, quarantined [\d,]+", out)
