"""The landing loader against a corpus of good and bad files (contracts/landing.md)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
from pathlib import Path

import duckdb
import pytest

from ror.loader import load_landing
from tests.conftest import REAL_POSTS, REAL_TWEETS

TWEET_HEADER = (
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
)
TS = "Tue Oct 31 22:10:47 +0000 2017"


def write(landing: Path, source: str, batch: str, name: str, content: str | bytes) -> Path:
    path = landing / source / batch / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    if name.endswith(".gz"):
        content = gzip.compress(content, mtime=0)
    path.write_bytes(content)
    return path


def load(tmp_path: Path, landing: Path, load_id: str = "t1"):
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_landing(con, landing, load_id)
    return con, report


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def tweets(*lines: str, header: str = TWEET_HEADER, newline: str = "\n") -> str:
    return newline.join([header, *lines]) + newline


# -- file-level faults: the batch is refused whole, with one line naming file and rule ------


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("latin1.csv", tweets(f"1,acme,True,{TS},café ok,,").encode("latin-1"), "not UTF-8"),
        (
            "missing.csv",
            "tweet_id,author_id,inbound,text\n1,a,True,hi\n",
            "required column missing",
        ),
        ("binary.csv", bytes(range(256)) * 4, "not UTF-8"),
        ("sheet.xlsx", "PK\x03\x04 not a csv", "not CSV/JSON"),
        ("json.csv", '{"tweet_id": 1, "text": "hi"}\n', "required column missing"),
        ("broken.csv.gz", b"", "not CSV/JSON"),
    ],
)
def test_file_level_fault_refuses_the_whole_batch(tmp_path, name, content, rule):
    landing = tmp_path / "landing"
    write(landing, "twitter_tweets", "b1", "a_good.csv", tweets(f"1,acme,True,{TS},fine,,"))
    bad = write(landing, "twitter_tweets", "b1", name, content)
    if name.endswith(".gz"):
        bad.write_bytes(b"\x1f\x8b\x08\x00 this is not gzip data at all")
    con, report = load(tmp_path, landing)
    assert len(report.refusals) == 1
    message = report.refusals[0]
    assert "\n" not in message and f"twitter_tweets/b1/{name}" in message and rule in message
    # Nothing of the batch is loaded, not even its good file, and the refusal is recorded.
    assert rows(con, "select count(*) from raw.twitter_tweets") == [(0,)]
    assert rows(con, "select count(*) from ops.load_manifest") == [(0,)]
    assert rows(con, "select rule from ops.load_refusals") == [(rule,)]


def test_other_batches_load_when_one_is_refused(tmp_path):
    landing = tmp_path / "landing"
    write(landing, "twitter_tweets", "b1", "t.csv", tweets(f"1,acme,True,{TS},fine,,"))
    write(landing, "twitter_tweets", "b2", "t.csv", "tweet_id\n1\n")
    con, report = load(tmp_path, landing)
    assert len(report.refusals) == 1 and "b2" in report.refusals[0]
    assert rows(con, "select _batch, count(*) from raw.twitter_tweets group by 1") == [("b1", 1)]


def test_not_json_lines_is_refused(tmp_path):
    landing = tmp_path / "landing"
    write(landing, "engagement_events", "b1", "e.jsonl", "a,b,c\n1,2,3\n")
    _, report = load(tmp_path, landing)
    assert report.refused and "no line is a JSON object" in report.refusals[0]


# -- tolerated shapes: BOM, CRLF, quoted newlines, shuffled and extra columns, empty files ---


def test_bom_crlf_quoted_newlines_shuffled_and_extra_columns(tmp_path):
    landing = tmp_path / "landing"
    header = "in_response_to_tweet_id,text,created_at,inbound,author_id,tweet_id,lang"
    content = "\ufeff" + tweets(
        f'3.0,"line one\r\nline two, with ""quotes""",{TS},True,115712,1,en',
        f"1.0,plain,{TS},False,acme,2,en",
        header=header,
        newline="\r\n",
    )
    write(landing, "twitter_tweets", "b1", "t.csv", content)
    con, report = load(tmp_path, landing)
    assert not report.refused
    got = rows(
        con,
        "select tweet_id, author_id, text, in_response_to_tweet_id, response_tweet_id, lang, "
        "_line_number from raw.twitter_tweets order by tweet_id",
    )
    assert got == [
        ("1", "115712", 'line one\r\nline two, with "quotes"', "3.0", None, "en", 2),
        ("2", "acme", "plain", "1.0", None, "en", 3),
    ]
    assert any("lang" in note and "schema drift" in note for note in report.notes)
    assert rows(con, "select extra_columns from ops.load_manifest") == [("lang",)]


@pytest.mark.parametrize("content", ["", TWEET_HEADER + "\n", "\ufeff" + TWEET_HEADER + "\r\n"])
def test_empty_files_load_nothing_and_are_recorded(tmp_path, content):
    landing = tmp_path / "landing"
    write(landing, "twitter_tweets", "b1", "t.csv", content)
    con, report = load(tmp_path, landing)
    assert not report.refused and len(report.loaded) == 1
    assert rows(con, "select rows_landed from ops.load_manifest") == [(0,)]


def test_malformed_lines_are_kept_with_the_reason_and_line_numbers_stay_true(tmp_path):
    landing = tmp_path / "landing"
    content = tweets(
        f"1,acme,True,{TS},ok,,",
        f"2,acme,True,{TS},too,many,fields,here",
        f'3,acme,True,{TS},"quoted\nnewline",,',
        "4,acme,True",
        f"5,acme,True,{TS},last,,",
    )
    write(landing, "twitter_tweets", "b1", "t.csv", content)
    con, report = load(tmp_path, landing)
    assert rows(con, "select tweet_id, _line_number from raw.twitter_tweets order by 2") == [
        ("1", 2),
        ("3", 4),
        ("5", 6),
    ]
    rejected = rows(con, "select _line_number, reason, raw_line from raw.rejected_lines order by 1")
    assert [(line, reason.split(":")[0]) for line, reason, _ in rejected] == [
        (3, "TOO MANY COLUMNS"),
        (5, "MISSING COLUMNS"),
    ]
    assert "too,many" in rejected[0][2]
    assert rows(con, "select rows_raw, rows_rejected, rows_landed from ops.load_manifest") == [
        (3, 2, 5)
    ]


def test_json_lines_events(tmp_path):
    landing = tmp_path / "landing"
    good = {
        "event_id": "e1",
        "occurred_at": "2026-11-01T10:00:00+01:00",
        "channel": "instagram",
        "event_type": "comment",
        "actor": "person",
        "brand_id": "acme",
        "person": {"channel_user_id": "u1", "handle": "@u1", "email": "u1@example.com"},
        "text": "love it\nreally",
        "rating": 5,
        "properties": {"campaign": "x"},
        "device": "ios",
    }
    lines = [
        "\ufeff" + json.dumps(good),
        "{not json",
        "",
        json.dumps([1, 2]),
        json.dumps({**good, "event_id": "e2"}),
    ]
    write(landing, "engagement_events", "b1", "e.jsonl.gz", "\r\n".join(lines) + "\r\n")
    con, report = load(tmp_path, landing)
    assert not report.refused
    got = rows(
        con,
        "select event_id, person_channel_user_id, person_email, text, rating, properties, "
        "_line_number from raw.engagement_events order by event_id",
    )
    assert got[0] == ("e1", "u1", "u1@example.com", "love it\nreally", "5", '{"campaign":"x"}', 1)
    assert [r[-1] for r in got] == [1, 5]
    rejected = rows(con, "select _line_number, reason from raw.rejected_lines order by 1")
    assert rejected == [
        (2, "malformed line: not valid JSON"),
        (4, "malformed line: not a JSON object"),
    ]
    assert any("device" in note for note in report.notes)


def test_reloading_the_same_files_is_a_no_op(tmp_path):
    landing = tmp_path / "landing"
    write(landing, "twitter_tweets", "b1", "t.csv", tweets(f"1,acme,True,{TS},ok,,"))
    con, _ = load(tmp_path, landing)
    con.close()
    # The same content under another name, in another batch, is the same file.
    write(landing, "twitter_tweets", "b2", "copy.csv", tweets(f"1,acme,True,{TS},ok,,"))
    con, report = load(tmp_path, landing, "t2")
    assert report.loaded == [] and len(report.skipped) == 2
    assert rows(con, "select count(*) from raw.twitter_tweets") == [(1,)]


def test_a_file_unchanged_since_its_load_is_not_read_again(tmp_path):
    """A file at the path, size and mtime it was loaded with is known without reading it; a
    changed mtime makes the loader hash it again, and new content is a new file."""
    landing = tmp_path / "landing"
    path = write(landing, "twitter_tweets", "b1", "t.csv", tweets(f"1,acme,True,{TS},ok,,"))
    con, _ = load(tmp_path, landing)
    loaded = path.stat()
    assert rows(con, "select size_bytes, modified_ns from ops.load_manifest") == [
        (loaded.st_size, loaded.st_mtime_ns)
    ]
    con.close()
    # New bytes of the same size with the mtime put back: taken as the file already loaded.
    path.write_text(tweets(f"2,acme,True,{TS},ok,,"), encoding="utf-8")
    assert path.stat().st_size == loaded.st_size
    os.utime(path, ns=(loaded.st_atime_ns, loaded.st_mtime_ns))
    con, report = load(tmp_path, landing, "t2")
    assert report.loaded == [] and report.skipped == ["twitter_tweets/b1/t.csv"]
    con.close()
    # The same bytes with a new mtime: read, and loaded as the new file they are.
    os.utime(path, ns=(loaded.st_atime_ns, loaded.st_mtime_ns + 1_000_000_000))
    con, report = load(tmp_path, landing, "t3")
    assert [f.file for f in report.loaded] == ["twitter_tweets/b1/t.csv"]
    assert rows(con, "select tweet_id from raw.twitter_tweets order by 1") == [("1",), ("2",)]


def test_every_load_is_stamped_later_than_the_loads_before_it(tmp_path):
    """The incremental models build what is later than the latest _changed_at they hold, so
    a load must never be stamped earlier than one before it, even when the clock reads
    earlier (set back, or the warehouse moved to another machine)."""
    landing = tmp_path / "landing"
    write(landing, "twitter_tweets", "b1", "t.csv", tweets(f"1,acme,True,{TS},ok,,"))
    con, _ = load(tmp_path, landing)
    future = "2999-01-01 00:00:00"
    con.execute(f"update ops.load_manifest set loaded_at = '{future}'")
    con.execute(f"update raw.twitter_tweets set _loaded_at = '{future}'")
    con.close()
    write(landing, "twitter_tweets", "b2", "t.csv", tweets(f"2,acme,True,{TS},ok,,"))
    con, report = load(tmp_path, landing, "t2")
    assert [f.file for f in report.loaded] == ["twitter_tweets/b2/t.csv"]
    assert rows(
        con, "select tweet_id, cast(_loaded_at as varchar) from raw.twitter_tweets order by 1"
    ) == [
        ("1", future),
        ("2", "2999-01-01 00:00:00.000001"),
    ]

    # A clock that reads right: the load is stamped now.
    now = con.execute("select cast(current_timestamp at time zone 'UTC' as timestamp)").fetchone()
    con.execute("update ops.load_manifest set loaded_at = '2020-01-01'")
    con.close()
    write(landing, "twitter_tweets", "b3", "t.csv", tweets(f"3,acme,True,{TS},ok,,"))
    con, _ = load(tmp_path, landing, "t3")
    (stamp,) = con.execute(
        "select _loaded_at from raw.twitter_tweets where tweet_id = '3'"
    ).fetchone()
    assert now[0] <= stamp < now[0] + dt.timedelta(minutes=5)


# -- the real exports, as they are -----------------------------------------------------------


def count_csv_records(path: Path, delimiter: str) -> int:
    """Records by Python's csv module, reading bare CR inside a field as text."""
    with path.open(newline="\n", encoding="utf-8") as handle:
        text = handle.read().replace("\r\n", "\n")
    return sum(1 for _ in csv.reader(text.split("\n")[1:], delimiter=delimiter) if _)


def test_real_exports_load_unchanged(tmp_path, real_landing):
    con, report = load(tmp_path, real_landing)
    assert not report.refused and report.notes == []
    assert rows(con, "select count(*), count(distinct tweet_id) from raw.twitter_tweets") == [
        (5000, 5000)
    ]
    assert rows(con, "select count(*) from raw.rejected_lines") == [(0,)]
    # The tweet whose unquoted text holds bare CR characters keeps them.
    (text,) = con.execute("select text from raw.twitter_tweets where tweet_id = '3399'").fetchone()
    assert text.startswith("@AskPayPal \r\rI just love")
    raw_bytes = REAL_TWEETS.read_bytes()
    assert raw_bytes.count(b"\r") == text.count("\r")
    posts = rows(
        con,
        'select count(*), count(*) filter (where "share" is null) from raw.facebook_post_insights',
    )
    assert posts == [(500, 4)]
    # The six empty cells of the real file (Paid x1, like x1, share x4) arrive as NULL.
    nulls = con.execute(
        'select count(*) filter (where "Paid" is null) + count(*) filter (where "like" is null)'
        ' + count(*) filter (where "share" is null) from raw.facebook_post_insights'
    ).fetchone()
    assert nulls == (6,)
    assert rows(con, "select count(*) from raw.facebook_post_insights") == [
        (count_csv_records(REAL_POSTS, ";"),)
    ]
