"""The loader's fast path: a chunk of batches read by one DuckDB read per source and columns,
and its fall-back, batch by batch and file by file, when DuckDB refuses a file. What lands
must not depend on how batches are chunked."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest

import ror.loader
from tests.test_loader import TS, load, rows, tweets, write

METADATA = {"_loaded_at", "_load_id", "loaded_at", "load_id", "gated_at", "refused_at"}


def landed(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every raw and ops table of the load, sorted, without the load's time and id."""
    tables = rows(
        con,
        "select schema_name, table_name from duckdb_tables() "
        "where schema_name in ('raw', 'ops') order by all",
    )
    out = {}
    for schema, table in tables:
        columns = [
            c
            for (c,) in rows(
                con,
                f"select column_name from duckdb_columns() where schema_name = '{schema}' "
                f"and table_name = '{table}' order by column_index",
            )
            if c not in METADATA
        ]
        select = ", ".join(f'"{c}"' for c in columns)
        out[f"{schema}.{table}"] = [
            tuple(columns),
            *rows(con, f"select {select} from {schema}.{table} order by all"),
        ]
    return out


def unreadable_gzip(content: str) -> bytes:
    """A gzip file Python reads (trailing zero padding is allowed) but DuckDB does not."""
    return gzip.compress(content.encode(), mtime=0) + b"\x00" * 64


def test_pad_gzip_is_read_by_python_and_refused_by_duckdb(tmp_path):
    path = tmp_path / "t.csv.gz"
    path.write_bytes(unreadable_gzip(tweets(f"1,acme,True,{TS},x,,")))
    assert gzip.decompress(path.read_bytes()).startswith(b"tweet_id")
    with pytest.raises(duckdb.Error):
        duckdb.connect().execute(f"select * from read_csv('{path}')").fetchall()


def test_a_file_duckdb_refuses_refuses_only_its_batch_of_the_chunk(tmp_path):
    landing = tmp_path / "landing"
    first = tweets(f"1,acme,True,{TS},first,,")
    good = tweets(f"2,acme,True,{TS},good,,")
    write(landing, "twitter_tweets", "b1", "t.csv", first)
    write(landing, "twitter_tweets", "b2", "a_good.csv", good)
    (landing / "twitter_tweets" / "b2" / "b_bad.csv.gz").write_bytes(
        unreadable_gzip(tweets(f"3,acme,True,{TS},bad,,"))
    )
    # The same content as the refused batch's good file: loaded, as its first copy was not.
    write(landing, "twitter_tweets", "b3", "again.csv", good)
    write(landing, "twitter_tweets", "b4", "copy.csv", first)  # a copy of a loaded file
    write(landing, "twitter_tweets", "b5", "t.csv", tweets(f"5,acme,True,{TS},last,,"))
    con, report = load(tmp_path, landing)
    assert len(report.refusals) == 1
    assert (
        "twitter_tweets/b2/b_bad.csv.gz: not CSV/JSON: DuckDB cannot read it"
        in (report.refusals[0])
    )
    assert "batch twitter_tweets/b2 refused" in report.refusals[0]
    assert [f.file for f in report.loaded] == [
        "twitter_tweets/b1/t.csv",
        "twitter_tweets/b3/again.csv",
        "twitter_tweets/b5/t.csv",
    ]
    assert report.skipped == ["twitter_tweets/b4/copy.csv"]
    assert rows(con, "select _batch, tweet_id from raw.twitter_tweets order by 1") == [
        ("b1", "1"),
        ("b3", "2"),
        ("b5", "5"),
    ]
    assert rows(con, "select batch, file, rule from ops.load_refusals") == [
        ("b2", "twitter_tweets/b2/b_bad.csv.gz", "not CSV/JSON")
    ]
    assert rows(con, "select count(*) from ops.load_manifest") == [(3,)]


def test_a_json_lines_file_without_objects_refuses_its_batch_of_the_chunk(tmp_path):
    landing = tmp_path / "landing"
    event = json.dumps({"event_id": "e1", "channel": "web"})
    write(landing, "engagement_events", "b1", "e.jsonl", event + "\n")
    write(landing, "engagement_events", "b2", "a.jsonl", json.dumps({"event_id": "e2"}) + "\n")
    write(landing, "engagement_events", "b2", "b.jsonl", "a,b\n1,2\n")
    write(landing, "engagement_events", "b3", "e.jsonl", json.dumps({"event_id": "e3"}) + "\n")
    con, report = load(tmp_path, landing)
    assert len(report.refusals) == 1
    assert (
        "engagement_events/b2/b.jsonl: not CSV/JSON: no line is a JSON object"
        in (report.refusals[0])
    )
    assert rows(con, "select event_id from raw.engagement_events order by 1") == [
        ("e1",),
        ("e3",),
    ]
    assert rows(con, "select count(*) from raw.rejected_lines") == [(0,)]


def test_line_numbers_of_files_read_together(tmp_path):
    landing = tmp_path / "landing"
    write(
        landing,
        "twitter_tweets",
        "b1",
        "a.csv",
        tweets(
            "broken",
            f"1,acme,True,{TS},one,,",
            "also broken",
            "still broken",
            f'2,acme,True,{TS},"two\nlines",,',
            "x,y,z,w,v,u,t,s",
            f"3,acme,True,{TS},three,,",
        ),
    )
    write(landing, "twitter_tweets", "b1", "b.csv", tweets(f"4,acme,True,{TS},four,,", "bad"))
    write(landing, "twitter_tweets", "b2", "c.csv", tweets("bad", "bad"))
    write(landing, "twitter_tweets", "b3", "d.csv", tweets(f"5,acme,True,{TS},five,,"))
    con, report = load(tmp_path, landing)
    assert not report.refused
    # DuckDB numbers records (header = 1): the record of "two\nlines" is line 6.
    assert rows(con, "select _file, tweet_id, _line_number from raw.twitter_tweets order by 2") == [
        ("twitter_tweets/b1/a.csv", "1", 3),
        ("twitter_tweets/b1/a.csv", "2", 6),
        ("twitter_tweets/b1/a.csv", "3", 8),
        ("twitter_tweets/b1/b.csv", "4", 2),
        ("twitter_tweets/b3/d.csv", "5", 2),
    ]
    assert rows(con, "select _file, _line_number from raw.rejected_lines order by all") == [
        ("twitter_tweets/b1/a.csv", 2),
        ("twitter_tweets/b1/a.csv", 4),
        ("twitter_tweets/b1/a.csv", 5),
        ("twitter_tweets/b1/a.csv", 7),
        ("twitter_tweets/b1/b.csv", 3),
        ("twitter_tweets/b2/c.csv", 2),
        ("twitter_tweets/b2/c.csv", 3),
    ]
    assert rows(
        con, "select file, rows_raw, rows_rejected, rows_landed from ops.load_manifest order by 1"
    ) == [
        ("twitter_tweets/b1/a.csv", 3, 4, 7),
        ("twitter_tweets/b1/b.csv", 1, 1, 2),
        ("twitter_tweets/b2/c.csv", 0, 2, 2),
        ("twitter_tweets/b3/d.csv", 1, 0, 1),
    ]


def test_json_lines_after_a_line_duckdb_rejects_keep_their_line_numbers(tmp_path):
    landing = tmp_path / "landing"
    lines = [
        json.dumps({"event_id": "e1"}),
        "\x1f" + json.dumps({"event_id": "split"}),  # DuckDB's reader rejects it
        json.dumps({"event_id": "e3"}),
        "",
        json.dumps({"event_id": "e5"}),
    ]
    write(landing, "engagement_events", "b1", "a.jsonl", "\n".join(lines) + "\n")
    # DuckDB reports two errors for the second line: it is still one rejected line.
    later = [json.dumps({"event_id": "f1"}), "x\x1fy\x1fz", json.dumps({"event_id": "f3"})]
    write(landing, "engagement_events", "b2", "b.jsonl", "\n".join(later))
    con, report = load(tmp_path, landing)
    assert not report.refused
    assert rows(con, "select event_id, _line_number from raw.engagement_events order by 1") == [
        ("e1", 1),
        ("e3", 3),
        ("e5", 5),
        ("f1", 1),
        ("f3", 3),
    ]
    assert rows(con, "select _file, _line_number, reason from raw.rejected_lines order by 1") == [
        ("engagement_events/b1/a.jsonl", 2, "malformed line: not valid JSON"),
        ("engagement_events/b2/b.jsonl", 2, "malformed line: not valid JSON"),
    ]
    assert rows(con, "select file, rows_raw, rows_rejected from ops.load_manifest order by 1") == [
        ("engagement_events/b1/a.jsonl", 3, 1),
        ("engagement_events/b2/b.jsonl", 2, 1),
    ]


def test_byte_order_marks_of_first_lines_only(tmp_path):
    landing = tmp_path / "landing"
    first = "\ufeff\ufeff" + json.dumps({"event_id": "e1"})  # DuckDB's reader drops one BOM
    middle = "\ufeff" + json.dumps({"event_id": "e2"})  # not the first line: not JSON
    write(landing, "engagement_events", "b1", "a.jsonl", f"{first}\n{middle}\n")
    # The first line of this file is a BOM once DuckDB dropped the file's: not JSON.
    write(landing, "engagement_events", "b1", "b.jsonl", "\ufeff\ufeff\n" + json.dumps({"id": 1}))
    con, report = load(tmp_path, landing)
    assert not report.refused
    assert rows(con, "select _file, _line_number, _record from raw.engagement_events") == [
        ("engagement_events/b1/a.jsonl", 1, json.dumps({"event_id": "e1"})),
        ("engagement_events/b1/b.jsonl", 2, json.dumps({"id": 1})),
    ]
    assert rows(con, "select _file, _line_number, reason from raw.rejected_lines order by 1") == [
        ("engagement_events/b1/a.jsonl", 2, "malformed line: not valid JSON"),
        ("engagement_events/b1/b.jsonl", 1, "malformed line: not valid JSON"),
    ]
    assert any("schema drift" in n and "b.jsonl" in n and ": id" in n for n in report.notes)


def test_files_of_other_columns_in_the_same_batches(tmp_path):
    landing = tmp_path / "landing"
    write(landing, "twitter_tweets", "b1", "a.csv", tweets(f"1,acme,True,{TS},a,,"))
    write(
        landing,
        "twitter_tweets",
        "b1",
        "b.csv",
        tweets(f"en,{TS},b,2,acme,True", header="lang,created_at,text,tweet_id,author_id,inbound"),
    )
    write(landing, "twitter_tweets", "b1", "c.csv.gz", tweets(f"3,acme,True,{TS},c,,"))
    write(
        landing,
        "twitter_tweets",
        "b2",
        "d.csv",
        tweets(f"0,4,acme,True,{TS},d,,", header="," + tweets().strip()),
    )
    write(landing, "twitter_tweets", "b2", "e.csv", tweets(f"5,acme,True,{TS},bare\rcr,,"))
    write(landing, "twitter_tweets", "b2", "f.csv", tweets(f"6,acme,True,{TS},f,,"))
    con, report = load(tmp_path, landing)
    assert not report.refused
    assert rows(
        con, "select tweet_id, text, lang, _file, _line_number from raw.twitter_tweets order by 1"
    ) == [
        ("1", "a", None, "twitter_tweets/b1/a.csv", 2),
        ("2", "b", "en", "twitter_tweets/b1/b.csv", 2),
        ("3", "c", None, "twitter_tweets/b1/c.csv.gz", 2),
        ("4", "d", None, "twitter_tweets/b2/d.csv", 2),
        ("5", "bare\rcr", None, "twitter_tweets/b2/e.csv", 2),
        ("6", "f", None, "twitter_tweets/b2/f.csv", 2),
    ]
    assert rows(con, "select file from ops.load_manifest where extra_columns = 'lang'") == [
        ("twitter_tweets/b1/b.csv",)
    ]


def chunked_landing(landing: Path) -> None:
    for day in range(6):
        batch = f"2026-10-0{day + 1}"
        write(
            landing,
            "twitter_tweets",
            batch,
            "t.csv",
            tweets(f"{day}1,acme,True,{TS},x,,", "bad", f"{day}2,acme,False,{TS},y,,"),
        )
        events = [json.dumps({"event_id": f"e{day}{i}", "n": i}) for i in range(3)]
        write(landing, "engagement_events", batch, "e.jsonl.gz", "\n".join([*events, "{"]))
    write(landing, "twitter_tweets", "2026-10-03", "more.csv", tweets(f"01,acme,True,{TS},x,,"))
    # Python reads it, DuckDB does not: the chunk holding it rolls back and loads batch by batch.
    unreadable = unreadable_gzip(tweets(f"41,acme,True,{TS},z,,"))
    (landing / "twitter_tweets" / "2026-10-04" / "z.csv.gz").write_bytes(unreadable)


@pytest.mark.parametrize("chunk_bytes", [700, 1 << 30])
def test_what_lands_does_not_depend_on_the_chunks(tmp_path, monkeypatch, chunk_bytes):
    landing = tmp_path / "landing"
    chunked_landing(landing)
    reference_dir = tmp_path / "reference"
    reference_dir.mkdir()
    monkeypatch.setattr(ror.loader, "LOAD_CHUNK_BYTES", 1)  # one batch per chunk
    reference, reference_report = load(reference_dir, landing)
    monkeypatch.setattr(ror.loader, "LOAD_CHUNK_BYTES", chunk_bytes)
    con, report = load(tmp_path, landing)
    assert landed(con) == landed(reference)
    # columns, 2 rows from each of 6 batches but the refused one, 1 from more.csv
    assert len(landed(con)["raw.twitter_tweets"]) == 1 + 2 * 5 + 1
    assert report.refusals == reference_report.refusals and len(report.refusals) == 1
    assert "z.csv.gz: not CSV/JSON: DuckDB cannot read it" in report.refusals[0]
    assert [f.file for f in report.loaded] == [f.file for f in reference_report.loaded]
    assert report.skipped == reference_report.skipped
    assert report.notes == reference_report.notes


def test_utf8_check_across_read_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(ror.loader, "CHUNK", 5)  # every multi-byte character is cut somewhere
    landing = tmp_path / "landing"
    good = tweets(f"1,acme,True,{TS},café ☕ 👍 ok,,", f"2,acme,True,{TS},ünï,,")
    write(landing, "twitter_tweets", "b1", "t.csv", good)
    bad = tweets(f"3,acme,True,{TS},é👍,,", f"4,acme,True,{TS},x,,").encode()
    cut = bad.index("👍".encode()) + 2
    bad = bad[:cut] + b"\xff" + bad[cut:]
    write(landing, "twitter_tweets", "b2", "bad.csv", bad)
    truncated = tweets(f"5,acme,True,{TS},x,,").encode() + "👍".encode()[:3]
    write(landing, "twitter_tweets", "b3", "cut.csv", truncated)
    con, report = load(tmp_path, landing)
    assert rows(con, "select text from raw.twitter_tweets") == [("café ☕ 👍 ok",), ("ünï",)]
    with pytest.raises(UnicodeDecodeError) as error:
        bad.decode("utf-8")
    position = error.value.start
    assert f"invalid byte 0x{bad[position]:02x} at byte {position} (line 2)" in (report.refusals[0])
    assert "cut.csv: not UTF-8: the file ends inside a multi-byte character" in (report.refusals[1])


def test_columns_named_like_duckdb_internals_are_plain_columns(tmp_path):
    landing = tmp_path / "landing"
    header = tweets().strip() + ",rowid,file_index,ordinality"
    for batch in ("b1", "b2"):
        content = tweets(
            f"{batch}1,acme,True,{TS},x,,,99,7,5", "bad", f"{batch}2,acme,True,{TS},y,,,98,7,5",
            header=header,
        )  # fmt: skip
        write(landing, "twitter_tweets", batch, "t.csv", content)
    con, report = load(tmp_path, landing)
    assert not report.refused
    assert rows(
        con,
        'select tweet_id, _line_number, "rowid", "file_index", "ordinality" '
        "from raw.twitter_tweets order by 1",
    ) == [
        ("b11", 2, "99", "7", "5"),
        ("b12", 4, "98", "7", "5"),
        ("b21", 2, "99", "7", "5"),
        ("b22", 4, "98", "7", "5"),
    ]
