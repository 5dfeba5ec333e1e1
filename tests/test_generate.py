"""The sample-data generator (``ror generate``): determinism, real formats, bad rows, links.

A small independent validator below re-derives, with Python's csv and json parsers, which
rows break a row-level rule of contracts/landing.md; the generator's own bad-row counts must
match it kind by kind, and a folder generated with ``bad_rows=0`` must have none.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from ror.generate import BAD_KINDS, FACEBOOK_HEADER, SOURCES, TWITTER_HEADER, generate
from tests.conftest import REAL_POSTS, REAL_TWEETS, require_real_data

START = dt.date(2026, 11, 1)
SMALL = {"persons": 2500, "brands": 3, "days": 5, "start": START, "seed": 7}
ISO_4217 = {
    "USD", "EUR", "GBP", "SEK", "CAD", "AUD", "CHF", "JPY", "BRL", "INR", "MXN", "PLN", "DKK",
}  # fmt: skip
TW_TIME = "%a %b %d %H:%M:%S %z %Y"
TW_TIME_RE = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \+0000 \d{4}$")
PERSON_TYPES = {
    "follow", "unfollow", "like", "comment", "share", "mention", "message", "review",
    "page_view", "video_view", "click", "signup", "referral", "purchase",
}  # fmt: skip
BRAND_TYPES = {"brand_post", "brand_reply", "brand_help", "brand_promo", "brand_ask"}
CHANNELS = {
    "instagram", "facebook", "linkedin", "youtube", "tiktok", "web", "email", "reviews",
    "community", "store",
}  # fmt: skip


def files(root: Path, source: str) -> list[Path]:
    return sorted(p for p in (root / source).rglob("*") if p.is_file())


def folder_hash(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def csv_records(path: Path, sep: str = ",") -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Header and (record re-written, fields) per record, with the csv module in strict
    mode (quoted newlines kept); a record with broken quoting is ("", [])."""
    text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header = next(reader)
    out: list[tuple[str, list[str]]] = []
    while True:
        try:
            fields = next(reader)
        except csv.Error:
            out.append(("", []))
            continue
        except StopIteration:
            return header, out
        buf = io.StringIO()
        csv.writer(buf, delimiter=sep, lineterminator="").writerow(fields)
        out.append((buf.getvalue(), fields))


def csv_rows(path: Path, sep: str = ",") -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Header and the well-formed records of a file."""
    header, records = csv_records(path, sep)
    return header, [r for r in records if r[1]]


# -- an independent row-level validator (contracts/landing.md, "What is bad input") ----------


class Validator:
    def __init__(self, start: dt.date, days: int) -> None:
        self.earliest = dt.datetime(2006, 1, 1, tzinfo=dt.UTC)
        end = dt.datetime.combine(start + dt.timedelta(days=days), dt.time(), dt.UTC)
        self.latest = end + dt.timedelta(hours=24)
        self.found: Counter[str] = Counter()

    def ts_kind(self, value: str, fmt: str | None = None) -> str | None:
        if not value:
            return "missing_required"
        try:
            t = dt.datetime.strptime(value, fmt) if fmt else dt.datetime.fromisoformat(value)
        except ValueError:
            return "unparseable"
        if t.tzinfo is None:
            return "unparseable"
        if t < self.earliest:
            return "ancient_ts"
        if t > self.latest:
            return "future_ts"
        return None

    def csv_source(self, root: Path, source: str, check: Any, sep: str = ",") -> int:
        rows = 0
        for path in files(root, source):
            header, records = csv_records(path, sep)
            seen_lines: set[str] = set()
            seen_ids: dict[str, str] = {}
            for line, fields in records:
                rows += 1
                kind = None
                if len(fields) != len(header):
                    kind = "malformed"
                elif line in seen_lines:
                    kind = "exact_duplicate"
                else:
                    row = dict(zip(header, fields, strict=True))
                    kind, key, content = check(row)
                    if kind is None and key is not None:
                        if key in seen_ids and seen_ids[key] != content:
                            kind = "duplicate_id"
                        seen_ids.setdefault(key, content)
                if kind is None:
                    seen_lines.add(line)
                else:
                    self.found[f"bad:{source}:{kind}"] += 1
        return rows

    def tweet(self, row: dict[str, str]) -> tuple[str | None, str | None, str]:
        content = "|".join(row[c] for c in TWITTER_HEADER)
        if not all(row[c] for c in ("tweet_id", "author_id", "created_at", "text")):
            return "missing_required", None, content
        if not row["tweet_id"].isdigit() or row["inbound"] not in ("True", "False"):
            return "unparseable", None, content
        kind = self.ts_kind(row["created_at"], TW_TIME)
        return kind, row["tweet_id"], content

    def post(self, row: dict[str, str]) -> tuple[str | None, str | None, str]:
        content = ";".join(row.values())
        for col in FACEBOOK_HEADER[7:]:
            value = row[col]
            if value == "":
                continue  # the contract allows empty metrics
            try:
                n = int(value)
            except ValueError:
                return "unparseable", None, content
            if n < 0:
                return "negative_count", None, content
        return self.ts_kind(row["Posted"]), row["Post ID"] or None, content

    def customer(self, row: dict[str, str]) -> tuple[str | None, str | None, str]:
        content = ",".join(row.values())
        if not row["customer_id"]:
            return "missing_required", None, content
        return self.ts_kind(row["created_at"]), row["customer_id"], content

    def identity(self, row: dict[str, str]) -> tuple[str | None, str | None, str]:
        if not row["customer_id"] or not row["channel_user_id"]:
            return "missing_required", None, ""
        return None, None, ""

    def order(self, row: dict[str, str]) -> tuple[str | None, str | None, str]:
        content = ",".join(row.values())
        if not row["order_id"]:
            return "missing_required", None, content
        try:
            float(row["amount"])
        except ValueError:
            return "unparseable", None, content
        kind = self.ts_kind(row["ordered_at"])
        if kind is None and row["currency"] not in ISO_4217:
            kind = "unknown_currency"
        return kind, row["order_id"], content

    def events(self, root: Path) -> int:
        rows = 0
        for path in files(root, "engagement_events"):
            seen_lines: set[str] = set()
            seen_ids: dict[str, str] = {}
            for line in path.read_text(encoding="utf-8").split("\n")[:-1]:
                rows += 1
                kind = None
                try:
                    ev = json.loads(line)
                    if not isinstance(ev, dict):
                        raise ValueError
                except ValueError:
                    kind = "malformed"
                else:
                    if line in seen_lines:
                        kind = "exact_duplicate"
                    else:
                        kind = self.event(ev)
                        if kind is None:
                            eid = ev["event_id"]
                            if eid in seen_ids and seen_ids[eid] != line:
                                kind = "duplicate_id"
                            seen_ids.setdefault(eid, line)
                if kind is None:
                    seen_lines.add(line)
                else:
                    self.found[f"bad:engagement_events:{kind}"] += 1
        return rows

    def event(self, ev: dict[str, Any]) -> str | None:
        required = ("event_id", "occurred_at", "channel", "event_type", "actor", "brand_id")
        if any(not ev.get(k) for k in required):
            return "missing_required"
        if ev["actor"] == "person" and not ev.get("person"):
            return "missing_required"
        kind = self.ts_kind(ev["occurred_at"])
        if kind is not None:
            return kind
        if "rating" in ev and ev["rating"] not in (1, 2, 3, 4, 5):
            return "rating_out_of_range"
        if "currency" in ev and ev["currency"] not in ISO_4217:
            return "unknown_currency"
        return None

    def run(self, root: Path) -> dict[str, int]:
        return {
            "twitter_tweets": self.csv_source(root, "twitter_tweets", self.tweet),
            "facebook_post_insights": self.csv_source(
                root, "facebook_post_insights", self.post, sep=";"
            ),
            "engagement_events": self.events(root),
            "crm_customers": self.csv_source(root, "crm_customers", self.customer),
            "crm_identities": self.csv_source(root, "crm_identities", self.identity),
            "orders": self.csv_source(root, "orders", self.order),
        }


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("clean")
    return out, generate(out, bad_rows=0.0, **SMALL)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("dirty")
    return out, generate(out, bad_rows=0.08, **SMALL)


def load_events(root: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in files(root, "engagement_events")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def load_csv(root: Path, source: str, sep: str = ",") -> list[dict[str, str]]:
    out = []
    for path in files(root, source):
        header, records = csv_rows(path, sep)
        out.extend(dict(zip(header, fields, strict=True)) for _, fields in records)
    return out


# -- determinism and layout ---------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    args = {"persons": 300, "brands": 2, "days": 3, "bad_rows": 0.05}
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    ra = generate(a, seed=5, **args)
    rb = generate(b, seed=5, **args)
    generate(c, seed=6, **args)
    assert ra == rb
    assert folder_hash(a) == folder_hash(b)
    assert folder_hash(a) != folder_hash(c)
    # Every file differs with the seed, not only a few.
    same = [
        p.relative_to(a)
        for p in a.rglob("*")
        if p.is_file() and (c / p.relative_to(a)).read_bytes() == p.read_bytes()
    ]
    assert same == []


def test_bad_rows_setting_only_changes_the_bad_rows(
    clean: tuple[Path, dict[str, int]], dirty: tuple[Path, dict[str, int]]
) -> None:
    """The bad-row RNG is separate: the clean rows of a dirty folder are the clean folder's."""
    clean_ids = {e["event_id"] for e in load_events(clean[0])}
    dirty_lines = [
        line
        for path in files(dirty[0], "engagement_events")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    parsed = []
    for line in dirty_lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            continue
    kept = {e.get("event_id") for e in parsed} & clean_ids
    assert len(kept) > 0.85 * len(clean_ids)


def test_layout_one_batch_per_day_for_every_source(clean: tuple[Path, dict[str, int]]) -> None:
    root, counts = clean
    days = [(START + dt.timedelta(days=d)).isoformat() for d in range(SMALL["days"])]
    for source in SOURCES:
        assert sorted(p.name for p in (root / source).iterdir()) == days, source
        for day in days:
            assert list((root / source / day).iterdir()), (source, day)
    assert files(root, "engagement_events")[0].suffix == ".jsonl"
    assert len(files(root, "facebook_post_insights")) == SMALL["brands"] * SMALL["days"]
    assert counts["events"] == sum(counts[s] for s in SOURCES)
    assert counts["engagement_events"] > counts["crm_customers"] > 0


def test_returned_counts_are_the_rows_in_the_files(dirty: tuple[Path, dict[str, int]]) -> None:
    root, counts = dirty
    rows = Validator(START, SMALL["days"]).run(root)
    assert rows == {s: counts[s] for s in SOURCES}


def test_progress_is_reported_not_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messages: list[str] = []
    generate(tmp_path, persons=50, days=2, progress=messages.append)
    assert capsys.readouterr() == ("", "")
    assert len(messages) >= 2 and all(isinstance(m, str) and m for m in messages)
    assert any("2026-11-02" in m for m in messages)


@pytest.mark.parametrize(
    "kwargs",
    [{"persons": 1}, {"brands": 0}, {"days": 0}, {"bad_rows": -0.1}, {"bad_rows": 0.9}],
)
def test_invalid_arguments_are_refused(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, **kwargs)


# -- the real exports' formats -----------------------------------------------------------


def test_twitter_file_has_the_real_exports_format(clean: tuple[Path, dict[str, int]]) -> None:
    require_real_data()
    real = REAL_TWEETS.read_bytes()
    real_header = real.split(b"\n", 1)[0]
    for path in files(clean[0], "twitter_tweets"):
        data = path.read_bytes()
        assert data.split(b"\n", 1)[0] == real_header
        assert b"\r\n" not in data and not data.startswith(b"\xef\xbb\xbf")
        # Minimal quoting exactly as Python's csv module (and pandas) write it.
        header, records = csv_rows(path)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(fields for _, fields in records)
        assert buf.getvalue().encode("utf-8") == data
    # Field by field, the same shapes as the real file.
    real_rows = [
        dict(zip(["", *TWITTER_HEADER], fields, strict=True))
        for _, fields in csv_rows(REAL_TWEETS)[1]
        if len(fields) == 8  # the real file's bare-CR row splits in two for the csv module
    ]
    ours = load_csv(clean[0], "twitter_tweets")
    assert len(real_rows) > 4900 and len(ours) > 100
    for rows in (real_rows, ours):
        assert {r["inbound"] for r in rows} == {"True", "False"}
        assert all(TW_TIME_RE.match(r["created_at"]) for r in rows)
        assert all(re.fullmatch(r"(\d+\.0)?", r["in_response_to_tweet_id"]) for r in rows)
        assert all(re.fullmatch(r"(\d+(,\d+)*)?", r["response_tweet_id"]) for r in rows)
        assert all(r["tweet_id"].isdigit() for r in rows)
        assert any("," in r["response_tweet_id"] for r in rows)
        assert all(r["author_id"].isdigit() for r in rows if r["inbound"] == "True")
        brands = {r["author_id"] for r in rows if r["inbound"] == "False"}
        assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", b) for b in brands)
    # The pandas index column counts rows from 0 in every file; customers write "@Brand ...".
    for path in files(clean[0], "twitter_tweets"):
        _, records = csv_rows(path)
        assert [f[0] for _, f in records] == [str(i) for i in range(len(records))]
    assert all(r["text"].startswith("@") for r in ours)


def test_twitter_file_parses_like_the_real_one_with_pandas(
    clean: tuple[Path, dict[str, int]],
) -> None:
    require_real_data()
    import pandas as pd

    real = pd.read_csv(REAL_TWEETS, index_col=0)
    ours = pd.concat(pd.read_csv(p, index_col=0) for p in files(clean[0], "twitter_tweets"))
    assert list(ours.columns) == list(real.columns)
    for col in ("tweet_id", "in_response_to_tweet_id"):
        assert ours[col].dtype == real[col].dtype, col
    assert ours["inbound"].dtype == bool
    parsed = pd.to_datetime(ours["created_at"], format=TW_TIME)
    assert parsed.min() >= pd.Timestamp(START, tz="UTC")


def test_facebook_file_has_the_real_exports_format(clean: tuple[Path, dict[str, int]]) -> None:
    require_real_data()
    import pandas as pd

    real_bytes = REAL_POSTS.read_bytes()
    real_header = real_bytes.split(b"\r\n", 1)[0].decode()
    real = pd.read_csv(REAL_POSTS, sep=";")
    for path in files(clean[0], "facebook_post_insights"):
        data = path.read_bytes()
        lines = data.split(b"\r\n")
        assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
        header = lines[0].decode().split(";")
        assert ";".join(header[:19]) == real_header
        assert header[19:] == ["Post ID", "Page ID", "Posted"]
        _, records = csv_rows(path, ";")
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(
            [header, *(f for _, f in records)]
        )
        assert buf.getvalue().encode() == data
    frames = [pd.read_csv(p, sep=";") for p in files(clean[0], "facebook_post_insights")]
    ours = pd.concat(f for f in frames if len(f))  # a day without posts is a header-only file
    assert list(ours.columns[:19]) == list(real.columns)
    for col in real.columns:
        assert ours[col].dtype.kind == real[col].dtype.kind or col in ("Paid", "like", "share")
    assert set(ours["Type"]) <= set(real["Type"])
    for col in ("Category", "Post Month", "Post Weekday", "Post Hour", "Paid"):
        lo, hi = real[col].min(), real[col].max()
        assert ours[col].dropna().between(lo, hi).all(), col


def test_facebook_metrics_are_consistent_and_realistic(clean: tuple[Path, dict[str, int]]) -> None:
    rows = load_csv(clean[0], "facebook_post_insights", ";")
    assert rows

    def n(row: dict[str, str], col: str) -> int:
        return int(row[col] or 0)

    for r in rows:
        reach, impressions = (
            n(r, "Lifetime Post Total Reach"),
            n(r, "Lifetime Post Total Impressions"),
        )
        engaged = n(r, "Lifetime Engaged Users")
        fan_reach = n(r, "Lifetime Post reach by people who like your Page")
        fan_impr = n(r, "Lifetime Post Impressions by people who have liked your Page")
        fan_engaged = n(r, "Lifetime People who have liked your Page and engaged with your post")
        assert 0 < engaged <= reach <= impressions
        assert n(r, "Lifetime Post Consumers") <= engaged <= reach
        assert n(r, "Lifetime Post Consumptions") >= n(r, "Lifetime Post Consumers")
        assert fan_reach <= reach and fan_reach <= fan_impr <= impressions
        assert fan_engaged <= engaged and fan_engaged <= fan_reach
        if r["like"] and r["share"]:
            assert n(r, "comment") + n(r, "like") + n(r, "share") == n(r, "Total Interactions")
        posted = dt.datetime.fromisoformat(r["Posted"])
        assert int(r["Post Month"]) == posted.month
        assert int(r["Post Hour"]) == posted.hour
        assert int(r["Post Weekday"]) == posted.isoweekday() % 7 + 1  # 1 = Sunday (UCI)
        assert r["Page ID"] and r["Post ID"].startswith(r["Page ID"] + "_")
    assert len({r["Post ID"] for r in rows}) == len(rows)


# -- bad rows ------------------------------------------------------------------------------


def test_bad_rows_zero_gives_a_clean_folder(clean: tuple[Path, dict[str, int]]) -> None:
    root, counts = clean
    validator = Validator(START, SMALL["days"])
    validator.run(root)
    assert sum(validator.found.values()) == 0, validator.found
    assert counts["bad_rows"] == 0
    assert all(v == 0 for k, v in counts.items() if k.startswith("bad:"))


def test_bad_rows_are_the_kinds_and_counts_reported(dirty: tuple[Path, dict[str, int]]) -> None:
    root, counts = dirty
    validator = Validator(START, SMALL["days"])
    validator.run(root)
    reported = {k: v for k, v in counts.items() if k.startswith("bad:") and v}
    assert dict(validator.found) == reported
    assert counts["bad_rows"] == sum(reported.values())
    # Every row-level kind of the contract, for the sources with enough rows.
    for source in ("twitter_tweets", "engagement_events", "crm_customers", "crm_identities"):
        for kind in BAD_KINDS[source]:
            assert counts[f"bad:{source}:{kind}"] > 0, (source, kind)


def test_bad_row_share_is_roughly_the_setting(dirty: tuple[Path, dict[str, int]]) -> None:
    _, counts = dirty
    for source in ("engagement_events", "crm_identities", "crm_customers"):
        bad = sum(v for k, v in counts.items() if k.startswith(f"bad:{source}:"))
        assert 0.05 < bad / counts[source] < 0.11, (source, bad, counts[source])


# -- content: texts, sentiment, shapes ----------------------------------------------------


def test_texts_are_varied(clean: tuple[Path, dict[str, int]]) -> None:
    texts = [e["text"] for e in load_events(clean[0]) if "text" in e]
    texts += [r["text"] for r in load_csv(clean[0], "twitter_tweets")]
    assert len(texts) > 500
    assert len(set(texts)) / len(texts) > 0.8
    person = [e["text"] for e in load_events(clean[0]) if e["actor"] == "person" and "text" in e]
    assert len(set(person)) / len(person) > 0.8
    joined = " ".join(texts)
    assert "https://" in joined and "#" in joined
    assert re.search("[\U0001f300-\U0001faff]", joined)  # emoji
    assert re.search(r"(^|\s)@\w+", joined)  # mentions
    assert sum("\n" in t for t in texts) > 0  # multi-line texts, quoted in CSV


def test_review_sentiment_follows_the_rating(clean: tuple[Path, dict[str, int]]) -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    by_rating: dict[int, list[float]] = defaultdict(list)
    for e in load_events(clean[0]):
        if e["event_type"] == "review":
            by_rating[e["rating"]].append(vader.polarity_scores(e["text"])["compound"])
    assert set(by_rating) == {1, 2, 3, 4, 5}
    means = {r: statistics.mean(v) for r, v in by_rating.items()}
    assert means[1] < means[3] < means[5]
    assert means[1] < -0.2 and means[5] > 0.4
    assert means[2] < means[4]


def test_every_channel_and_event_type(clean: tuple[Path, dict[str, int]]) -> None:
    events = load_events(clean[0])
    assert {e["channel"] for e in events} == CHANNELS
    assert {e["event_type"] for e in events if e["actor"] == "person"} == PERSON_TYPES
    assert {e["event_type"] for e in events if e["actor"] == "brand"} == BRAND_TYPES
    for e in events:
        dt.datetime.fromisoformat(e["occurred_at"])
        if e["actor"] == "person":
            assert e["person"]["channel_user_id"]
        if e["event_type"] == "purchase":
            assert e["amount"] > 0 and e["currency"] in ISO_4217
        if e["event_type"] == "referral":
            assert e["referred"]["channel_user_id"]


def test_activity_is_heavy_tailed(tmp_path: Path) -> None:
    generate(tmp_path, persons=3000, brands=3, days=5, bad_rows=0)
    per_person = Counter(
        e["person"]["channel_user_id"]
        for e in load_events(tmp_path)
        if e["actor"] == "person" and e["channel"] == "web"
    )
    counts = sorted(per_person.values(), reverse=True)
    top = counts[: max(1, len(counts) // 10)]
    assert sum(top) / sum(counts) > 0.3  # the top 10% do far more than 10%
    assert counts[0] >= 8 * statistics.median(counts)


def test_people_ids_are_unique_per_person() -> None:
    """E-mails, twitter ids and channel ids are permutations: one person, one id."""
    import numpy as np

    from ror.generate import CHANNELS as ALL_CHANNELS
    from ror.generate import _People

    n = 20_000
    people = _People(n, 3, 5, np.array([1.0, 0.5, 0.3]), seed=3)
    emails = [people.email(p) for p in range(n)]
    assert len(set(emails)) == n
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d*@[a-z.]+", e) for e in emails)
    assert len({people.twitter_id(p) for p in range(n)}) == n
    for ch in range(len(ALL_CHANNELS)):
        assert len({people.cuid(p, ch) for p in range(n)}) == n, ALL_CHANNELS[ch]
    assert len({people.customer_id(p, b) for p in range(n) for b in range(3)}) == 3 * n


# -- links between sources ---------------------------------------------------------------


def test_twitter_threads_are_linked(clean: tuple[Path, dict[str, int]]) -> None:
    tweets = load_csv(clean[0], "twitter_tweets")
    by_id = {int(t["tweet_id"]): t for t in tweets}
    assert len(by_id) == len(tweets)
    brands = {t["author_id"] for t in tweets if t["inbound"] == "False"}
    delays = []
    for t in tweets:
        if t["in_response_to_tweet_id"]:
            parent = by_id[int(float(t["in_response_to_tweet_id"]))]
            assert t["tweet_id"] in parent["response_tweet_id"].split(",")
            at = dt.datetime.strptime(t["created_at"], TW_TIME)
            parent_at = dt.datetime.strptime(parent["created_at"], TW_TIME)
            assert at > parent_at
            if t["inbound"] == "False":
                assert parent["inbound"] == "True"
                assert t["text"].startswith(f"@{parent['author_id']} ")
                delays.append((at - parent_at).total_seconds() / 60)
        if t["inbound"] == "True":
            assert any(t["text"].startswith(f"@{b} ") for b in brands)
    replied = sum(1 for t in tweets if t["inbound"] == "True" and t["response_tweet_id"])
    assert 0.3 < replied / sum(t["inbound"] == "True" for t in tweets) < 0.95
    assert 3 < statistics.median(delays) < 300  # minutes
    assert min(delays) < 10 and max(delays) > 120


def test_event_replies_point_at_what_people_sent(clean: tuple[Path, dict[str, int]]) -> None:
    events = load_events(clean[0])
    by_id = {e["event_id"]: e for e in events}
    assert len(by_id) == len(events)
    replies = [e for e in events if e["event_type"] == "brand_reply"]
    assert len(replies) > 20
    for r in replies:
        target = by_id[r["in_reply_to"]]
        assert target["actor"] == "person"
        assert target["event_type"] in ("comment", "message", "mention", "review")
        assert target["person"] == r["person"] and target["brand_id"] == r["brand_id"]
        assert dt.datetime.fromisoformat(r["occurred_at"]) > dt.datetime.fromisoformat(
            target["occurred_at"]
        )
    for e in events:
        if "in_reply_to" in e:
            assert e["in_reply_to"] in by_id
    posts = {e["object_id"] for e in events if e["event_type"] == "brand_post"}
    facebook = {r["Post ID"] for r in load_csv(clean[0], "facebook_post_insights", ";")}
    assert facebook <= posts
    liked = [e for e in events if e["event_type"] in ("like", "share") and "object_id" in e]
    assert liked and all(e["object_id"] in posts for e in liked)


def test_crm_links_identities_orders_and_referrals(clean: tuple[Path, dict[str, int]]) -> None:
    root, counts = clean
    customers = load_csv(root, "crm_customers")
    identities = load_csv(root, "crm_identities")
    orders = load_csv(root, "orders")
    ids = {c["customer_id"] for c in customers}
    assert len(ids) == len(customers)
    assert all(i["customer_id"] in ids for i in identities)
    assert all(o["customer_id"] in ids for o in orders)
    assert all(o["referrer_customer_id"] in ids for o in orders if o["referrer_customer_id"])
    assert {o["status"] for o in orders} == {"completed", "refunded", "cancelled"}
    for o in orders:
        assert (float(o["amount"]) < 0) == (o["status"] == "refunded")
    assert any(o["referrer_customer_id"] for o in orders)
    # People are known under several handles on several channels.
    per_customer = Counter(i["customer_id"] for i in identities)
    assert statistics.mean(per_customer.values()) > 1.5
    assert len({i["channel"] for i in identities}) >= 10
    # A few identities are claimed by two customers of the same brand.
    brand_of = {c["customer_id"]: c["brand_id"] for c in customers}
    claims: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for i in identities:
        claims[(brand_of[i["customer_id"]], i["channel"], i["channel_user_id"])].add(
            i["customer_id"]
        )
    shared = [k for k, v in claims.items() if len(v) > 1]
    assert len(shared) == counts["dq_shared_identities"] > 0
    assert len(shared) < 0.02 * len(identities)
    # The same person is one e-mail across brands; identity resolution can join on it.
    emails = Counter(c["email"].lower() for c in customers)
    assert any(n > 1 for n in emails.values())
    # Events reach customers through the identities: most store buyers are known customers.
    known = {(i["channel"], i["channel_user_id"]) for i in identities}
    events = load_events(root)
    buyers = [e for e in events if e["event_type"] == "purchase"]
    linked = sum(("store", e["person"]["channel_user_id"]) in known for e in buyers)
    assert linked / len(buyers) > 0.5
    order_ids = {o["order_id"] for o in orders}
    assert all(e["properties"]["order_id"] in order_ids for e in buyers)
    # Referrals name the referred person's store id; converted ones became customers.
    referred = {e["referred"]["channel_user_id"] for e in events if e["event_type"] == "referral"}
    assert referred and referred & {cu for ch, cu in known if ch == "store"}
