"""``ror generate``: a realistic, deterministic sample landing folder (contracts/landing.md).

Writes ``out_dir/<source>/<batch>/<file>`` for the six landing sources, one batch folder per
day (``<batch>`` is the day's ISO date):

- ``twitter_tweets/<day>/twcs-<day>.csv``: the Kaggle ``twcs.csv`` layout (pandas index
  column, ``True``/``False``, ``Tue Oct 31 22:10:47 +0000 2017`` timestamps, float
  ``in_response_to_tweet_id``, minimal quoting, LF). Customer care threads: a customer
  tweet ``@Brand ...``, brand replies after log-normal delays (minutes to hours),
  follow-ups; ``response_tweet_id`` lists every reply (comma list when several).
- ``facebook_post_insights/<day>/<brand>-post-insights-<day>.csv``: the UCI "Facebook
  metrics" layout (exact header, ``;``, CRLF, newest post first) plus the optional
  ``Post ID``, ``Page ID`` (= brand_id) and ``Posted``. Metrics are consistent (engaged <=
  reach <= impressions, ``Total Interactions`` = comment + like + share, fan metrics <=
  totals). ``Post Weekday`` follows the UCI file's convention, 1 = Sunday ... 7 = Saturday.
- ``engagement_events/<day>/events-<day>.jsonl``: every person and brand event type of the
  contract on ten channels; ``brand_reply`` answers a person's comment, message, mention or
  review through ``in_reply_to``; reviews rate 1-5 with text whose sentiment follows the
  rating; purchases carry amount/currency and ``properties.order_id``; referrals carry
  ``referred.channel_user_id`` (the referred person's ``store`` id); shares and mentions carry
  ``properties.followers`` (reach earned). Facebook events use the insights' ``Post ID``.
- ``crm_customers``, ``crm_identities``, ``orders`` (``<kind>-<day>.csv``): customers are per
  brand (a person who buys from two brands has two customer ids and one e-mail); the first
  batch holds the customers created before the window, later batches those created that
  day (signup, first purchase, converted referral). Identities link customers to the
  person's ids on several channels (``twitter`` = the anonymised author_id, ``email`` = the
  address, ``store`` = the shop account in purchase events); a few identities are claimed by
  two customers of the same brand (a data-quality case, counted as
  ``dq_shared_identities``). The same handle linked to the customers of one person at two
  brands (same e-mail) is normal, not a finding. Orders: ``completed``/``cancelled``,
  refunds as their own row (``<order_id>-R``, negative amount, status ``refunded``, a later
  day); a referred customer's orders carry ``referrer_customer_id``. Net revenue =
  sum(amount) where status != cancelled.

Activity is heavy-tailed (Pareto rates per person, Zipf brand popularity), has a daily
rhythm, new and lapsing people. Everything is drawn from RNGs seeded by ``seed`` only, so the
same arguments give byte-identical files. Rows are written as they are generated (memory is
flat in the number of days and events; it holds O(persons) small numpy arrays and the events
of a day that spill into the next days).

Bad rows: each row is, with probability ``bad_rows``, replaced by a bad row of one of the
row-level kinds its source can have (contracts/landing.md "What is bad input", ``BAD_KINDS``),
the kinds taken in turn; duplicates (``exact_duplicate``: a line repeated to the letter, in
the same file; ``duplicate_id``: an earlier id with other content) are written in addition
to the good row. Malformed lines have too few or too many fields or text after a closing
quote (CSV), or are not a JSON object (JSON Lines); bad timestamps are 4-11 years in the
future or before 2006. The bad-row RNG is separate, so ``bad_rows`` changes only the rows
it corrupts. The counts per source and kind are in the returned dict
(``bad:<source>:<kind>``). File-level faults are never generated.

Speed: events are rendered straight to JSON text (only a row chosen to go bad is parsed
again), names/ids are precomputed numpy permutations, timestamps come from a per-minute
cache; about 1M rows in 20 s on one core, linear in rows, memory flat (~70 MB at 100k
people).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ror import vocabulary as V

SOURCES: tuple[str, ...] = (
    "twitter_tweets",
    "facebook_post_insights",
    "engagement_events",
    "crm_customers",
    "crm_identities",
    "orders",
)
TWITTER_HEADER = (
    "tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
    "in_response_to_tweet_id",
)  # fmt: skip
FACEBOOK_HEADER = (
    "Page total likes", "Type", "Category", "Post Month", "Post Weekday", "Post Hour", "Paid",
    "Lifetime Post Total Reach", "Lifetime Post Total Impressions", "Lifetime Engaged Users",
    "Lifetime Post Consumers", "Lifetime Post Consumptions",
    "Lifetime Post Impressions by people who have liked your Page",
    "Lifetime Post reach by people who like your Page",
    "Lifetime People who have liked your Page and engaged with your post",
    "comment", "like", "share", "Total Interactions",
)  # fmt: skip
FACEBOOK_OPTIONAL = ("Post ID", "Page ID", "Posted")
CUSTOMERS_HEADER = ("customer_id", "brand_id", "email", "created_at", "country", "first_name")
IDENTITIES_HEADER = ("customer_id", "channel", "channel_user_id")
ORDERS_HEADER = (
    "order_id", "customer_id", "brand_id", "ordered_at", "amount", "currency", "status",
    "referrer_customer_id",
)  # fmt: skip

# Row-level bad kinds per source (contracts/landing.md, "What is bad input").
BAD_KINDS: dict[str, tuple[str, ...]] = {
    "twitter_tweets": (
        "malformed", "missing_required", "unparseable", "duplicate_id", "future_ts",
        "ancient_ts", "exact_duplicate",
    ),
    "facebook_post_insights": (
        "malformed", "unparseable", "duplicate_id", "future_ts", "ancient_ts",
        "negative_count", "exact_duplicate",
    ),
    "engagement_events": (
        "malformed", "missing_required", "unparseable", "duplicate_id", "future_ts",
        "ancient_ts", "rating_out_of_range", "unknown_currency", "exact_duplicate",
    ),
    "crm_customers": (
        "malformed", "missing_required", "unparseable", "duplicate_id", "future_ts",
        "ancient_ts", "exact_duplicate",
    ),
    "crm_identities": ("malformed", "missing_required", "exact_duplicate"),
    "orders": (
        "malformed", "missing_required", "unparseable", "duplicate_id", "future_ts",
        "ancient_ts", "unknown_currency", "exact_duplicate",
    ),
}  # fmt: skip

CHANNELS = (
    "instagram", "facebook", "linkedin", "youtube", "tiktok", "web", "email", "reviews",
    "community", "store", "twitter",
)  # fmt: skip
IG, FB, LI, YT, TT, WEB, EMAIL, REV, COMM, STORE, TW = range(len(CHANNELS))
# Share of people present on a channel, and how much of their activity goes there.
_CH_SHARE = (0.5, 0.45, 0.15, 0.3, 0.25, 0.7, 0.55, 0.25, 0.12, 0.5, 0.3)
_CH_WEIGHT = (3.0, 2.5, 1.0, 2.0, 3.0, 3.0, 1.2, 0.8, 1.2, 3.0, 0.9)
_TYPES: dict[int, tuple[tuple[str, float], ...]] = {
    IG: (("like", 40), ("comment", 12), ("share", 6), ("follow", 6), ("unfollow", 1.5),
         ("mention", 5), ("message", 4), ("video_view", 15), ("click", 5)),
    FB: (("like", 40), ("comment", 12), ("share", 8), ("follow", 5), ("unfollow", 1),
         ("mention", 3), ("message", 4), ("video_view", 10), ("click", 8)),
    LI: (("like", 40), ("comment", 10), ("share", 10), ("follow", 10), ("unfollow", 1),
         ("mention", 3), ("click", 15)),
    YT: (("video_view", 60), ("like", 15), ("comment", 8), ("follow", 6), ("unfollow", 1),
         ("share", 4)),
    TT: (("video_view", 55), ("like", 25), ("comment", 7), ("share", 6), ("follow", 6),
         ("unfollow", 1)),
    WEB: (("page_view", 62), ("click", 24), ("signup", 6), ("message", 4), ("referral", 1)),
    EMAIL: (("click", 70), ("message", 15), ("unfollow", 5)),
    REV: (("review", 100),),
    COMM: (("comment", 35), ("like", 30), ("message", 8), ("mention", 8), ("share", 6),
           ("follow", 8)),
    STORE: (("page_view", 40), ("purchase", 45), ("referral", 5), ("click", 10)),
}  # fmt: skip
_TYPE_TABLE: dict[int, tuple[tuple[str, ...], list[float]]] = {}
for _ch, _tw in _TYPES.items():
    _acc: list[float] = []
    _s = 0.0
    for _, _w in _tw:
        _s += _w
        _acc.append(_s)
    _TYPE_TABLE[_ch] = (tuple(n for n, _ in _tw), _acc)
# Brand content per brand and day (facebook posts come from the insights export).
_POST_RATE = {IG: 1.4, LI: 0.5, YT: 0.35, TT: 1.0, COMM: 0.6, WEB: 0.3}
# How likely a brand answers, by what the person sent (times the brand's listening).
_REPLY_P = {"comment": 0.35, "mention": 0.3, "message": 0.85, "review": 0.5}
# UTC hour weights (a day's rhythm) and facebook posting hours (the UCI file has 1-23).
_HOUR_W = (
    1.2, 0.8, 0.6, 0.5, 0.5, 0.7, 1.2, 2.0, 2.8, 3.2, 3.4, 3.5, 3.8, 3.8, 3.6, 3.6, 3.8, 4.2,
    4.6, 4.9, 4.8, 4.0, 3.0, 2.0,
)  # fmt: skip
_FB_HOUR_W = (
    0.0, 3.0, 5.0, 6.0, 3.0, 2.0, 1.5, 1.5, 3.0, 5.0, 6.0, 5.0, 3.0, 2.5, 2.0, 1.5, 1.0, 1.0,
    1.0, 1.0, 0.8, 0.8, 1.0, 1.0,
)  # fmt: skip
_WEEKDAY_MULT = (1.0, 1.02, 1.03, 1.0, 0.95, 0.85, 0.88)  # Monday..Sunday
_FX = {
    "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "SEK": 10.5, "CAD": 1.37, "AUD": 1.52, "CHF": 0.88,
    "JPY": 150.0, "BRL": 5.0, "INR": 83.0, "MXN": 17.0, "PLN": 4.0, "DKK": 6.9,
}  # fmt: skip
_DAY_MS = 86_400_000
_EPOCH = dt.date(1970, 1, 1)
_M48 = (1 << 48) - 1
_NOT_CUSTOMER = 32767  # customer_day value of a (person, brand slot) that is no customer
_HISTORIC = -1  # customer created before the window (written in the first batch)
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WD = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_esc = json.encoder.encode_basestring  # JSON string literal, non-ASCII kept (the C version)


def _dumps(d: dict[str, Any]) -> str:
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


def _cum(weights: Sequence[float]) -> list[float]:
    out: list[float] = []
    s = 0.0
    for w in weights:
        s += w
        out.append(s)
    return out


_HOUR_CUM = _cum(_HOUR_W)
_FB_HOUR_CUM = _cum(_FB_HOUR_W)


def _mix48(x: int) -> int:
    """A bijection on 48-bit integers (multiply by odd constants, xor-shift)."""
    x &= _M48
    x = (x * 0x9E3779B97F4B) & _M48
    x ^= x >> 23
    x = (x * 0xC2B2AE3D27D5) & _M48
    x ^= x >> 29
    return x


def _q(s: str, sep: str) -> str:
    """Minimal CSV quoting, as Python's csv module and pandas write it."""
    if '"' in s or sep in s or "\n" in s or "\r" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


class _Clock:
    """Fast formatting of UTC milliseconds since the epoch in the sources' formats."""

    def __init__(self) -> None:
        self._days: dict[int, tuple[str, str, str]] = {}
        self._minutes: dict[int, tuple[str, str]] = {}

    def _day(self, d: int) -> tuple[str, str, str]:
        got = self._days.get(d)
        if got is None:
            date = _EPOCH + dt.timedelta(days=d)
            twitter = f"{_WD[date.weekday()]} {_MONTHS[date.month - 1]} {date.day:02d}"
            got = (date.isoformat(), twitter, str(date.year))
            if len(self._days) > 4096:
                self._days.clear()
            self._days[d] = got
        return got

    def iso(self, t: int, offset_min: int = 0, frac: bool = True, z: bool = True) -> str:
        """ISO 8601 with an offset: ``2026-11-01T14:03:22.512Z`` / ``...+01:00``."""
        lt = t + offset_min * 60_000
        m, r = divmod(lt, 60_000)
        # One cache for every style: offsets are within +-17 hours.
        key = ((m * 4 + frac * 2 + z) << 11) + offset_min + 1024
        head = self._minutes.get(key)
        if head is None:
            if len(self._minutes) > 50_000:
                self._minutes.clear()
            d, rm = divmod(m, 1440)
            h, mm = divmod(rm, 60)
            if offset_min:
                oh, om = divmod(abs(offset_min), 60)
                tz = f"{'+' if offset_min > 0 else '-'}{oh:02d}:{om:02d}"
            else:
                tz = "Z" if z else "+00:00"
            head = (f"{self._day(d)[0]}T{h:02d}:{mm:02d}", tz)
            self._minutes[key] = head
        s, ms = divmod(r, 1000)
        if frac:
            return f"{head[0]}:{s:02d}.{ms:03d}{head[1]}"
        return f"{head[0]}:{s:02d}{head[1]}"

    def iso_plain(self, t: int) -> str:
        return self.iso(t, 0, False, False)

    def iso_z(self, t: int) -> str:
        return self.iso(t, 0, False, True)

    def twitter(self, t: int) -> str:
        """``Tue Oct 31 22:10:47 +0000 2017``."""
        d, r = divmod(t, _DAY_MS)
        h, r = divmod(r, 3_600_000)
        m, r = divmod(r, 60_000)
        s = r // 1000
        _, head, year = self._day(d)
        return f"{head} {h:02d}:{m:02d}:{s:02d} +0000 {year}"


def _epoch_ms(day: dt.date) -> int:
    return (day - _EPOCH).days * _DAY_MS


# --------------------------------------------------------------------------------------------
# Sinks: write rows, and turn a share of them into bad rows with their own RNG.
# --------------------------------------------------------------------------------------------


@dataclass
class _CsvSpec:
    source: str
    header: tuple[str, ...]
    sep: str = ","
    eol: str = "\n"
    index: bool = False  # pandas' unnamed index column first
    required: tuple[int, ...] = ()
    unparseable: dict[int, tuple[str, ...]] = field(default_factory=dict)
    ts_col: int = -1
    ts_fmt: Callable[[int], str] | None = None
    count_cols: tuple[int, ...] = ()
    currency_col: int = -1
    alter: Callable[[list[str], random.Random], None] | None = None


class _Stats:
    def __init__(self) -> None:
        self.rows: dict[str, int] = dict.fromkeys(SOURCES, 0)
        self.bad: dict[str, int] = {
            f"bad:{src}:{kind}": 0 for src, kinds in BAD_KINDS.items() for kind in kinds
        }
        self.files = 0

    def count_bad(self, source: str, kind: str) -> None:
        self.bad[f"bad:{source}:{kind}"] += 1


def _bad_ts(rb: random.Random, base_ms: int, kind: str) -> int:
    """A timestamp years in the future (still future when loaded late) or before 2006."""
    if kind == "future_ts":
        return base_ms + int((1500 + rb.random() * 2500) * _DAY_MS)
    lo = _epoch_ms(dt.date(1995, 1, 1))
    hi = _epoch_ms(dt.date(2005, 12, 31))
    return lo + int(rb.random() * (hi - lo))


class _KindCycle:
    """Bad kinds in turn, from a random start: every kind shows up once there are a few."""

    rb: random.Random
    _kind_at: int = -1

    def next_kind(self, kinds: tuple[str, ...]) -> str:
        if self._kind_at < 0:
            self._kind_at = int(self.rb.random() * len(kinds))
        self._kind_at += 1
        return kinds[self._kind_at % len(kinds)]


class _CsvSink(_KindCycle):
    def __init__(
        self, path: Path, spec: _CsvSpec, rate: float, rb: random.Random, stats: _Stats,
        base_ms: int,
    ) -> None:  # fmt: skip
        self.f: TextIO = path.open("w", encoding="utf-8", newline="", buffering=1 << 20)
        self.spec = spec
        self.sep = spec.sep
        self.eol = spec.eol
        self.rate = rate
        self.rb = rb
        self.stats = stats
        self.base_ms = base_ms
        self.n = 0  # data rows written (the pandas index of the next row)
        self.recent: deque[tuple[list[str], str]] = deque(maxlen=64)
        head = spec.sep.join(_q(h, spec.sep) for h in spec.header)
        self.f.write(("" if not spec.index else spec.sep) + head + spec.eol)
        stats.files += 1

    def write(self, fields: list[str]) -> None:
        if self.rate and self.rb.random() < self.rate:
            self._bad(fields)
        else:
            self._good(fields)

    def _fmt(self, fields: list[str]) -> str:
        sep = self.sep
        body = sep.join([_q(x, sep) for x in fields])
        return f"{self.n}{sep}{body}" if self.spec.index else body

    def _put(self, line: str) -> None:
        self.f.write(line)
        self.f.write(self.eol)
        self.n += 1

    def _good(self, fields: list[str]) -> None:
        line = self._fmt(fields)
        self._put(line)
        if self.rate:
            self.recent.append((fields, line))

    def _bad(self, fields: list[str]) -> None:
        rb, sp = self.rb, self.spec
        kinds = BAD_KINDS[sp.source]
        kind = self.next_kind(kinds)
        f = list(fields)
        if kind == "exact_duplicate":
            self._good(fields)
            self._put(self.recent[int(rb.random() * len(self.recent))][1])
        elif kind == "duplicate_id":
            self._good(fields)
            dup = list(self.recent[int(rb.random() * len(self.recent))][0])
            assert sp.alter is not None
            sp.alter(dup, rb)
            self._put(self._fmt(dup))
        elif kind == "malformed":
            x = rb.random()
            if x < 0.35:
                f = f[: len(f) - 1 - int(rb.random() * 2)]  # too few fields
            elif x < 0.7:
                f.extend(["x"] * (1 + int(rb.random() * 2)))  # too many fields
            else:  # broken quoting: text after a closing quote, on a one-line field
                cols = [i for i, v in enumerate(f) if "\n" not in v and "\r" not in v]
                col = cols[int(rb.random() * len(cols))]
                line = self._fmt(f[:col] + ["\0"] + f[col + 1 :])
                broken = '"' + f[col].replace('"', '""') + '"' + ("x", " n/a", "]")[col % 3]
                self._put(line.replace("\0", broken, 1))
                self.stats.count_bad(sp.source, kind)
                return
            self._put(self._fmt(f))
        elif kind == "missing_required":
            f[sp.required[int(rb.random() * len(sp.required))]] = ""
            self._put(self._fmt(f))
        elif kind == "unparseable":
            cols = list(sp.unparseable)
            col = cols[int(rb.random() * len(cols))]
            values = sp.unparseable[col]
            f[col] = values[int(rb.random() * len(values))]
            self._put(self._fmt(f))
        elif kind in ("future_ts", "ancient_ts"):
            assert sp.ts_fmt is not None
            f[sp.ts_col] = sp.ts_fmt(_bad_ts(rb, self.base_ms, kind))
            self._put(self._fmt(f))
        elif kind == "negative_count":
            col = sp.count_cols[int(rb.random() * len(sp.count_cols))]
            f[col] = str(-max(1, int(f[col] or "0")))
            self._put(self._fmt(f))
        elif kind == "unknown_currency":
            f[sp.currency_col] = V.BAD_CURRENCIES[int(rb.random() * len(V.BAD_CURRENCIES))]
            self._put(self._fmt(f))
        else:  # pragma: no cover - BAD_KINDS and this switch are kept in step
            raise AssertionError(kind)
        self.stats.count_bad(sp.source, kind)

    def close(self) -> None:
        self.f.close()
        self.stats.rows[self.spec.source] += self.n


_EVENT_REQUIRED = ("event_id", "occurred_at", "channel", "event_type", "actor", "brand_id")
_BAD_OCCURRED = (
    "yesterday", "2026-13-01T10:00:00Z", "31/11/2026 10:00", "not a date", "2026-11-02 25:61:00",
    "Sun, 1 Nov 2026 10:00", "2026-11-01T10:00:00+99:00", "",
)  # fmt: skip


class _JsonlSink(_KindCycle):
    """Writes pre-rendered JSON lines; only a line chosen to go bad is parsed again."""

    source = "engagement_events"

    def __init__(
        self, path: Path, rate: float, rb: random.Random, stats: _Stats, base_ms: int,
        clock: _Clock,
    ) -> None:  # fmt: skip
        self.f: TextIO = path.open("w", encoding="utf-8", newline="", buffering=1 << 20)
        self.rate = rate
        self.rb = rb
        self.stats = stats
        self.base_ms = base_ms
        self.clock = clock
        self.n = 0
        self.recent: deque[tuple[str, int]] = deque(maxlen=64)
        # Bad kinds that fit only some rows are owed until such a row comes.
        self.owed_rating = 0
        self.owed_currency = 0
        stats.files += 1

    def write(self, line: str, t: int, typ: str) -> None:
        if self.rate:
            rb = self.rb
            if self.owed_rating and typ == "review" and rb.random() < 0.5:
                self.owed_rating -= 1
                self._bad(line, t, "rating_out_of_range")
                return
            if self.owed_currency and typ == "purchase" and rb.random() < 0.5:
                self.owed_currency -= 1
                self._bad(line, t, "unknown_currency")
                return
            if rb.random() < self.rate:
                kind = self.next_kind(BAD_KINDS[self.source])
                if kind == "rating_out_of_range" and typ != "review":
                    self.owed_rating += 1
                elif kind == "unknown_currency" and typ != "purchase":
                    self.owed_currency += 1
                elif kind in ("exact_duplicate", "duplicate_id") and not self.recent:
                    pass
                else:
                    self._bad(line, t, kind)
                    return
            self.recent.append((line, t))
        self.f.write(line)
        self.f.write("\n")
        self.n += 1

    def _put(self, line: str) -> None:
        self.f.write(line)
        self.f.write("\n")
        self.n += 1

    def _bad(self, line: str, t: int, kind: str) -> None:
        rb = self.rb
        e = json.loads(line)
        if kind == "exact_duplicate":
            self._put(line)
            self.recent.append((line, t))
            self._put(self.recent[int(rb.random() * len(self.recent))][0])
        elif kind == "duplicate_id":
            self._put(line)
            self.recent.append((line, t))
            src, st = self.recent[int(rb.random() * len(self.recent))]
            dup = json.loads(src)
            dup["occurred_at"] = self.clock.iso(st + 1000 + int(rb.random() * 3_600_000))
            if "text" in dup:
                dup["text"] = dup["text"] + " (edited)"
            dup["properties"] = {**dup.get("properties", {}), "revision": 2}
            self._put(_dumps(dup))
        elif kind == "malformed":
            x = rb.random()
            if x < 0.4:
                line = line[: max(1, int(len(line) * (0.3 + 0.6 * rb.random())))]
            elif x < 0.7:
                line = line.replace('"', "'")
            elif x < 0.85:
                line = line[:-1]
            else:
                line = line.replace('":"', '" "', 1)
            self._put(line)
        elif kind == "missing_required":
            x = rb.random()
            if x < 0.2 and e.get("actor") == "person":
                del e["person"]
            else:
                key = _EVENT_REQUIRED[int(rb.random() * len(_EVENT_REQUIRED))]
                if x < 0.6:
                    del e[key]
                elif x < 0.8:
                    e[key] = None
                else:
                    e[key] = ""
            self._put(_dumps(e))
        elif kind == "unparseable":
            e["occurred_at"] = _BAD_OCCURRED[int(rb.random() * (len(_BAD_OCCURRED) - 1))]
            self._put(_dumps(e))
        elif kind in ("future_ts", "ancient_ts"):
            e["occurred_at"] = self.clock.iso(_bad_ts(rb, self.base_ms, kind))
            self._put(_dumps(e))
        elif kind == "rating_out_of_range":
            e["rating"] = (0, 6, 7, 10, -1, 11, 50)[int(rb.random() * 7)]
            self._put(_dumps(e))
        elif kind == "unknown_currency":
            e["currency"] = V.BAD_CURRENCIES[int(rb.random() * len(V.BAD_CURRENCIES))]
            self._put(_dumps(e))
        else:  # pragma: no cover
            raise AssertionError(kind)
        self.stats.count_bad(self.source, kind)

    def close(self) -> None:
        self.f.close()
        self.stats.rows[self.source] += self.n


# --------------------------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------------------------


def _rating(x: float) -> int:
    """A review rating from a disposition draw: J-shaped, like real review sites."""
    return 1 if x < -0.75 else 2 if x < -0.35 else 3 if x < 0.0 else 4 if x < 0.45 else 5


def _level(pol: float) -> int:
    if pol < -0.9:
        return -2
    if pol < -0.25:
        return -1
    if pol < 0.25:
        return 0
    if pol < 0.9:
        return 1
    return 2


class _Slots(dict[str, str]):
    """Template slots filled on first use (``str.format_map``)."""

    __slots__ = ("texts", "products", "domain")

    def __init__(self, texts: _Texts, products: Sequence[str], domain: str) -> None:
        super().__init__()
        self.texts = texts
        self.products = products
        self.domain = domain

    def __missing__(self, key: str) -> str:
        return self.texts.slot(key, self.products, self.domain)


class _Texts:
    """Composes texts slot by slot from ``ror.vocabulary`` with one ``random.Random``."""

    def __init__(self, r: random.Random) -> None:
        self.r = r
        self.rand = r.random

    def pick(self, seq: Sequence[str]) -> str:
        return seq[int(self.rand() * len(seq))]

    def fill(self, tmpl: str, products: Sequence[str], domain: str) -> str:
        if "{" not in tmpl:
            return tmpl
        return tmpl.format_map(_Slots(self, products, domain))

    def slot(self, key: str, products: Sequence[str], domain: str) -> str:
        rand, pick = self.rand, self.pick
        if key == "s":
            return pick(V.SUBJECTS)
        if key == "p":
            return pick(products)
        if key == "pa":
            return pick(V.POS_ADJ)
        if key == "na":
            return pick(V.NEG_ADJ)
        if key == "adj":
            return pick(V.NEU_ADJ)
        if key == "tp":
            return self.fill(pick(V.TIME_PHRASES), products, domain)
        if key == "n":
            return str(2 + int(rand() * rand() * 60))
        if key == "wd":
            return pick(V.WEEKDAYS)
        if key == "h":
            return str(1 + int(rand() * 11))
        if key == "ord":
            return pick(V.ORDINALS)
        if key == "url":
            return self.url(domain)
        if key == "code":
            return f"{pick(V.PROMO_CODES)}{10 + int(rand() * 90)}"
        raise KeyError(key)

    def token(self, k: int) -> str:
        a, rand = _ALNUM, self.rand
        return "".join([a[int(rand() * 62)] for _ in range(k)])

    def url(self, domain: str) -> str:
        if not domain:
            return "https://t.co/" + self.token(10)
        x = self.rand()
        if x < 0.4:
            return f"https://{domain}/{self.pick(V.WEB_SECTIONS)}/{self.token(6).lower()}"
        if x < 0.7:
            return "https://bit.ly/" + self.token(7)
        return f"https://{domain}/p/{int(self.rand() * 90000) + 10000}"

    def subject(self, products: Sequence[str]) -> str:
        x = self.rand()
        if x < 0.5:
            return self.pick(V.SUBJECTS)
        if x < 0.8:
            return "the " + self.pick(products)
        return "your " + self.pick(products)

    def clause(self, lvl: int, products: Sequence[str], domain: str) -> str:
        x, pick = self.rand(), self.pick
        if lvl > 0:
            if x < 0.3:
                return f"I {pick(V.POS_FEEL)} {self.subject(products)}"
            if x < 0.75:
                return self.fill(pick(V.POS_EVENTS), products, domain)
            return f"{self.subject(products)} is {pick(V.INTENS)}{pick(V.POS_ADJ)}"
        if lvl < 0:
            if x < 0.25:
                return f"I {pick(V.NEG_FEEL)} {self.subject(products)}"
            if x < 0.7:
                return self.fill(pick(V.NEG_EVENTS), products, domain)
            if x < 0.85:
                return self.fill(pick(V.QUESTIONS), products, domain)
            return f"{self.subject(products)} is {pick(V.INTENS)}{pick(V.NEG_ADJ)}"
        if x < 0.5:
            return self.fill(pick(V.NEU_EVENTS), products, domain)
        return self.fill(pick(V.QUESTIONS), products, domain)

    def body(
        self, lvl: int, products: Sequence[str], domain: str, *, max_clauses: int = 3,
        mixed: bool = False,
    ) -> str:  # fmt: skip
        rand, pick = self.rand, self.pick
        if mixed:
            text = f"{self.clause(1, products, domain)}, but {self.clause(-1, products, domain)}"
        else:
            text = self.clause(lvl, products, domain)
            n = 1 + (rand() < 0.5) + (rand() < 0.2)
            for _ in range(min(n, max_clauses) - 1):
                sub = lvl if rand() < 0.8 else 0
                joiner = " " if text.endswith(("?", "!")) else pick(V.JOINERS)
                nxt = self.clause(sub, products, domain)
                if (joiner[0] in ".!" or joiner == " ") and rand() < 0.8:
                    nxt = nxt[0].upper() + nxt[1:]
                text += joiner + nxt
        opener = pick(V.OPENERS)
        if opener:
            text = opener + (" " if opener.endswith(":") else ", ") + text
        if rand() < 0.45:
            closers = V.POS_CLOSERS if lvl > 0 else V.NEG_CLOSERS if lvl < 0 else V.NEU_CLOSERS
            closer = pick(closers)
            if closer:
                text += (" " if text.endswith(("?", "!", ".")) else ". ") + closer
        x = rand()
        if x < 0.18:
            text = text.lower()
        elif lvl == -2 and x < 0.22:
            text = text.upper()
        else:
            text = text[0].upper() + text[1:]
        if abs(lvl) == 2:
            text += pick(("!", "!!", "!!!", ".", "!"))
        elif not text.endswith(("?", "!", ".")):
            text += pick((".", "", "!", "...", ".", "."))
        if rand() < (0.55 if abs(lvl) == 2 else 0.3):
            pool = V.POS_EMOJI if lvl > 0 else V.NEG_EMOJI if lvl < 0 else V.NEU_EMOJI
            text += " " + "".join(pick(pool) for _ in range(1 + int(rand() * rand() * 4)))
        if rand() < 0.1:
            text += " " + pick(V.HASHTAGS)
        return text

    def comment(self, pol: float, products: Sequence[str], domain: str) -> str:
        lvl = _level(pol)
        rand, pick = self.rand, self.pick
        if rand() < 0.1:
            text = pick(V.SHORT_NEG if lvl < 0 else V.SHORT_POS)
            pool = V.NEG_EMOJI if lvl < 0 else V.POS_EMOJI
            return text + " " + "".join(pick(pool) for _ in range(1 + int(rand() * 3)))
        text = self.body(lvl, products, domain, max_clauses=2)
        if rand() < 0.08:
            text += " " + self.url(domain)
        return text

    def review(self, rating: int, products: Sequence[str], domain: str) -> str:
        lvl = {1: -2, 2: -1, 3: 0, 4: 1, 5: 2}[rating]
        title = self.pick(V.REVIEW_TITLES[rating])
        body = self.body(lvl, products, domain, mixed=rating == 3 and self.rand() < 0.7)
        if rating >= 4 and self.rand() < 0.4:
            body += " " + self.clause(1, products, domain).capitalize() + "."
        elif rating <= 2 and self.rand() < 0.4:
            body += " " + self.clause(-1, products, domain).capitalize() + "."
        return f"{title}. {body}"

    def tweet_in(self, brand: str, pol: float, products: Sequence[str], other: str) -> str:
        rand = self.rand
        text = f"@{brand} " + self.body(_level(pol), products, "")
        x = rand()
        if x < 0.15:
            text += " https://t.co/" + self.token(10)
        elif x < 0.18:
            text += f" @{other}"
        elif x < 0.19:
            text += f" email me at {self.token(6).lower()}@example.com"
        elif x < 0.22:
            text += "\n" + self.body(_level(pol), products, "", max_clauses=1)
        if rand() < 0.03:
            text = text.replace(" and ", " &amp; ", 1)
        return text[:280]

    def reply(self, pol: float, products: Sequence[str], domain: str, prefix: str) -> str:
        pick = self.pick
        lvl = _level(pol)
        if lvl < 0:
            text = f"{pick(V.APOLOGIES)} {self.fill(pick(V.ACTIONS), products, domain)}"
        elif lvl > 0:
            text = f"{pick(V.THANKS)} {self.fill(pick(V.POSITIVE_FOLLOWUPS), products, domain)}"
        else:
            text = f"{pick(V.NEUTRAL_OPENERS)} {self.fill(pick(V.ACTIONS), products, domain)}"
        sig = pick(V.SIGN_OFFS)
        if sig:
            sig = sig.format(
                a=pick(V.SIGNATURE_LETTERS), b=pick(V.SIGNATURE_LETTERS), name=pick(V.STAFF_NAMES)
            )
        return (prefix + text.rstrip() + sig)[:280]

    def post(self, products: Sequence[str], domain: str) -> str:
        pick, rand = self.pick, self.rand
        text = self.fill(pick(V.POST_OPENERS), products, domain)
        if rand() < 0.6:
            text += " " + self.fill(pick(V.BRAND_CLAIMS), products, domain)
        text += f" {pick(V.POST_CTAS)}: {self.url(domain)}"
        if rand() < 0.5:
            text += " " + pick(V.HASHTAGS)
        if rand() < 0.5:
            text += " " + pick(V.POS_EMOJI)
        return text

    def template(self, pool: Sequence[str], products: Sequence[str], domain: str) -> str:
        return self.fill(self.pick(pool), products, domain)


# --------------------------------------------------------------------------------------------
# The world: brands, people, customers
# --------------------------------------------------------------------------------------------


@dataclass
class _Brand:
    idx: int
    handle: str
    products: tuple[str, ...]
    currency: str
    weight: float
    listen: float  # how much of what people send the brand answers
    delay_mu: float  # log of the median reply delay, in ms
    delay_sigma: float
    likes: float  # facebook page total likes
    fb_rate: float  # facebook posts per day
    price_mu: float  # log of the median order amount in USD
    domain: str
    sku: str
    post_seq: int = 0


def _make_brands(n: int, seed: int) -> list[_Brand]:
    brands: list[_Brand] = []
    for i in range(n):
        r = random.Random(f"{seed}:brand:{i}")
        if i < len(V.BRANDS):
            handle, products, currency = V.BRANDS[i]
        else:
            base = V.BRANDS[i % len(V.BRANDS)]
            handle = (
                V.BRAND_PREFIXES[i % len(V.BRAND_PREFIXES)]
                + V.BRAND_SUFFIXES[(i // len(V.BRAND_PREFIXES)) % len(V.BRAND_SUFFIXES)]
                + str(i)
            )
            products, currency = base[1], base[2]
        brands.append(
            _Brand(
                idx=i,
                handle=handle,
                products=products,
                currency=currency,
                weight=1.0 / (i + 1) ** 0.8,
                listen=0.45 + 0.5 * r.random(),
                delay_mu=math.log((8 + 110 * r.random() ** 2) * 60_000),
                delay_sigma=0.9 + 0.5 * r.random(),
                likes=20_000 + 160_000 * r.random(),
                fb_rate=0.8 + 1.4 * r.random(),
                price_mu=math.log(20 + 80 * r.random()),
                domain=handle.lower() + ".example",
                sku="".join(c for c in handle if c.isupper())[:3] or "SKU",
            )
        )
    return brands


class _People:
    """People as compact numpy arrays; names and ids are pure functions of the index."""

    def __init__(self, n: int, n_brands: int, days: int, brand_w: np.ndarray, seed: int) -> None:
        g = np.random.default_rng([seed % (1 << 64), 7])
        self.n = n
        salt = random.Random(f"{seed}:salt").getrandbits(48)
        self.salt = salt
        # Names and twitter ids: seeded permutations of range(n), so they are unique.
        perm = _permute(n, salt)
        q, f = np.divmod(perm, np.uint32(len(V.FIRST_NAMES)))
        del perm
        # Spread the last names over the first names; (first, last, num) stays unique.
        q += (f * np.uint32(97) + np.uint32(salt % 1000)) % np.uint32(len(V.LAST_NAMES))
        num, last = np.divmod(q, np.uint32(len(V.LAST_NAMES)))
        del q
        self.first_name = f.astype(np.uint8)
        self.last_name = last.astype(np.uint8)
        self.name_num = num
        del f, num, last
        self.twitter = _permute(n, salt >> 7)
        # Heavy-tailed activity: Pareto(1.3) weights, normalised, clipped.
        w = np.minimum((1.0 - g.random(n, dtype=np.float32)) ** np.float32(-1 / 1.3), 200.0)
        self.weight = (w / w.mean(dtype=np.float64)).astype(np.float32)
        del w
        self.disposition = g.normal(0.3, 0.7, n).astype(np.float32)
        mask = np.zeros(n, dtype=np.uint16)
        for ch, share in enumerate(_CH_SHARE):
            mask |= (g.random(n, dtype=np.float32) < share).astype(np.uint16) << ch
        mask[mask == 0] = 1 << WEB
        self.mask = mask
        # Up to three brands per person, Zipf-like popularity, distinct.
        p = brand_w / brand_w.sum()
        brands = np.full((n, 3), -1, dtype=np.int16)
        brands[:, 0] = g.choice(n_brands, size=n, p=p)
        if n_brands > 1:
            for slot, share in ((1, 0.35), (2, 0.1)):
                cand = g.choice(n_brands, size=n, p=p).astype(np.int16)
                take = g.random(n, dtype=np.float32) < share
                for prev in range(slot):
                    take &= cand != brands[:, prev]
                if slot == 2:
                    take &= brands[:, 1] >= 0
                brands[take, slot] = cand[take]
        self.brands = brands
        # New people join during the window, some lapse.
        self.first = g.integers(0, max(days, 1), n, dtype=np.int32)
        self.first[g.random(n, dtype=np.float32) < 0.75] = 0
        self.last = self.first + 1 + g.integers(0, max(days, 1), n, dtype=np.int32)
        self.last[g.random(n, dtype=np.float32) >= 0.12] = days + 1  # 12% lapse
        np.minimum(self.last, days + 1, out=self.last)
        # Customers before the window (more likely for store shoppers and the first brand).
        store = ((mask >> STORE) & 1).astype(np.float32)
        self.customer = np.full((n, 3), _NOT_CUSTOMER, dtype=np.int16)
        for slot, (base, extra) in enumerate(((0.25, 0.3), (0.12, 0.1), (0.08, 0.05))):
            hit = g.random(n, dtype=np.float32) < base + extra * store
            self.customer[hit & (brands[:, slot] >= 0), slot] = _HISTORIC
        del store
        self.referrer = np.full((n, 3), -1, dtype=np.int32)
        self._names_p = self._email_p = -1
        self._names: tuple[str, str, int] = ("", "", 0)
        self._email = ""

    # -- names and ids (pure functions of the person index) ----------------------------------
    def names(self, p: int) -> tuple[str, str, int]:
        if p == self._names_p:
            return self._names
        self._names_p = p
        self._names = (
            V.FIRST_NAMES[self.first_name[p]],
            _LAST_NAMES[self.last_name[p]],
            int(self.name_num[p]),
        )
        return self._names

    def email(self, p: int) -> str:
        if p == self._email_p:
            return self._email
        first, last, num = self.names(p)
        dom = V.EMAIL_DOMAINS[_mix48(p ^ self.salt ^ 0x5A5A) % len(V.EMAIL_DOMAINS)]
        self._email_p = p
        self._email = f"{first}.{last}{num if num else ''}@{dom}"
        return self._email

    def key(self, p: int, ch: int) -> int:
        return _mix48(((p << 4) | ch) ^ self.salt)

    def twitter_id(self, p: int) -> str:
        return str(115712 + int(self.twitter[p]))

    def cuid(self, p: int, ch: int) -> str:
        if ch == EMAIL:
            return self.email(p)
        if ch == TW:
            return self.twitter_id(p)
        x = self.key(p, ch)
        if ch == IG:
            return f"1784{x:015d}"
        if ch == FB:
            return f"10{x:015d}"
        if ch == TT:
            return f"68{x:017d}"
        if ch == YT:
            y = _mix48(x ^ 0x3C3C3C)
            return f"UC{_b64(x, 8)}{_b64(y, 8)}{_b64(x ^ y, 6)}"
        if ch == LI:
            return f"li-{x:012x}"
        if ch == WEB:
            y = _mix48(x ^ 0x777777)
            h = f"{x:012x}{y:012x}{_mix48(y):08x}"[:32]
            return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"
        if ch == REV:
            return f"rv{x:012x}"
        if ch == COMM:
            return f"u{x:015d}"
        return f"acct_{x:012x}"  # store

    def handle(self, p: int, ch: int) -> str:
        first, last, num = self.names(p)
        x = self.key(p, ch) >> 20
        style = x % 7
        yy = 70 + (x >> 3) % 36
        if style == 0:
            return f"{first}{last}"
        if style == 1:
            return f"{first}.{last}"
        if style == 2:
            return f"{first}_{last}{yy % 100:02d}"
        if style == 3:
            return f"{first[0]}{last}{num or ''}"
        if style == 4:
            return f"the{first}{last[:3]}"
        if style == 5:
            return f"{first}{x % 1000}"
        return f"{last}.{first}{yy}"

    def followers(self, p: int) -> int:
        u = (_mix48(p ^ self.salt ^ 0xF0F0F0) + 1) / (1 << 48)
        return min(5_000_000, int(30 * u ** (-1 / 1.1)))

    def country(self, p: int) -> tuple[str, str]:
        return V.COUNTRIES[_mix48(p ^ self.salt ^ 0x0C0C) % len(V.COUNTRIES)]

    def customer_id(self, p: int, b: int) -> str:
        return f"C{_mix48(((p << 8) | b) ^ self.salt):012X}"


_LAST_NAMES = tuple(name.replace(" ", "") for name in V.LAST_NAMES)


def _permute(n: int, salt: int) -> np.ndarray:
    """A seeded permutation of range(n) (uint32): a bijection on k bits, cycle-walked below
    n; computed in blocks so the temporaries stay small."""
    k = max(1, (n - 1).bit_length())
    mask = np.uint64((1 << k) - 1)
    half = np.uint64((k + 1) // 2)
    s = np.uint64(salt & ((1 << k) - 1))
    c1, c2 = np.uint64(0x9E3779B97F4B), np.uint64(0xC2B2AE3D27D5)
    out = np.empty(n, dtype=np.uint32)
    for lo in range(0, n, 1 << 18):
        todo = np.arange(lo, min(n, lo + (1 << 18)), dtype=np.int64)
        x = todo.astype(np.uint64)
        while len(todo):
            x = ((x ^ s) * c1) & mask  # uint64 arithmetic wraps: the low k bits are exact
            x ^= x >> half
            x = (x * c2) & mask
            x ^= x >> half
            done = x < n
            out[todo[done]] = x[done]
            todo, x = todo[~done], x[~done]
    return out


def _b64(x: int, k: int) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    out = []
    for _ in range(k):
        out.append(chars[x & 63])
        x >>= 6
    return "".join(out)


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


class _Generator:
    def __init__(
        self, out_dir: Path, persons: int, n_brands: int, days: int, start: dt.date, seed: int,
        bad_rows: float, progress: Callable[[str], None] | None,
    ) -> None:  # fmt: skip
        self.out = Path(out_dir)
        self.days = days
        self.start = start
        self.seed = seed
        self.bad_rows = bad_rows
        self.progress = progress or (lambda _msg: None)
        self.start_ms = _epoch_ms(start)
        self.r = random.Random(f"{seed}:main")
        self.rand = self.r.random
        self.tx = _Texts(self.r)
        self.clock = _Clock()
        self.brands = _make_brands(n_brands, seed)
        self.people = _People(
            persons, n_brands, days, np.array([b.weight for b in self.brands]), seed
        )
        self.stats = _Stats()
        self.tweet_seq = 1
        self.order_seq = 0
        self.dq_shared = 0
        # Per (brand, channel): recent content ids and their times, for likes/comments/shares.
        self.posts: dict[tuple[int, int], tuple[list[int], list[str]]] = {}
        # Rows and actions that fall on a later day: {day: [(kind, payload, t)]}.
        self.pending: dict[int, list[tuple[str, Any, int]]] = {}
        # A customer whose identity another customer of the same brand will claim.
        self.share_identity: dict[int, tuple[str, str]] = {}
        self.day = 0
        self._pobj_cache: dict[int, str] = {}
        self._pobj_owner = -1
        self._bought = -1
        self._ids = np.random.default_rng([seed % (1 << 64), 17])
        self._hex = ""
        self._hex_at = 0
        self._chan_tables: dict[int, tuple[list[int], list[float]]] = {}

    # -- small helpers -----------------------------------------------------------------------
    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.rand() * len(seq))]

    def uuid(self) -> str:
        """A random (version 4 shaped) UUID from the id stream, drawn in blocks."""
        j = self._hex_at
        if j >= len(self._hex):
            self._hex = self._ids.bytes(16 * 8192).hex()
            j = 0
        self._hex_at = j + 32
        h = self._hex
        head = f"{h[j : j + 8]}-{h[j + 8 : j + 12]}-4{h[j + 13 : j + 16]}"
        return f"{head}-a{h[j + 17 : j + 20]}-{h[j + 20 : j + 32]}"

    def lognorm_ms(self, mu: float, sigma: float) -> int:
        return int(self.r.lognormvariate(mu, sigma))

    def ts(self, t: int, ch: int) -> str:
        if ch == STORE:
            return self.clock.iso(t, 60)  # the shop's tracker writes local time with offset
        if ch == WEB:
            return self.clock.iso(t, 0, False, False)
        if ch == EMAIL:
            return self.clock.iso(t, 0, False, True)
        return self.clock.iso(t)

    def time_in_day(self, d: int, hours: list[float] = _HOUR_CUM) -> int:
        h = bisect.bisect_right(hours, self.rand() * hours[-1])
        return self.start_ms + d * _DAY_MS + h * 3_600_000 + int(self.rand() * 3_600_000)

    def day_of(self, t: int) -> int:
        return (t - self.start_ms) // _DAY_MS

    def person_json(self, p: int, ch: int, email: bool = False) -> str:
        """The event's ``person`` object as JSON text, cached for the person's day."""
        if self._pobj_owner != p:
            self._pobj_cache = {}
            self._pobj_owner = p
        key = ch * 2 + email
        obj = self._pobj_cache.get(key)
        if obj is None:
            pp = self.people
            if ch == EMAIL:
                em = pp.email(p)
                obj = f'{{"channel_user_id":"{em}","email":"{em}"}}'
            else:
                obj = f'{{"channel_user_id":"{pp.cuid(p, ch)}","handle":"{pp.handle(p, ch)}"'
                if email or ch in (STORE, REV):
                    obj += f',"email":"{pp.email(p)}"'
                obj += "}"
            self._pobj_cache[key] = obj
        return obj

    def chan_table(self, mask: int) -> tuple[list[int], list[float]]:
        got = self._chan_tables.get(mask)
        if got is None:
            chans = [c for c in range(len(CHANNELS)) if mask >> c & 1]
            got = (chans, _cum([_CH_WEIGHT[c] for c in chans]))
            self._chan_tables[mask] = got
        return got

    def slot_of(self, p: int, b: int) -> int:
        row = self.people.brands[p]
        for s in range(3):
            if row[s] == b:
                return s
        return -1

    # -- routing rows to today's files or to a later day --------------------------------------
    def later(self, kind: str, payload: Any, t: int) -> bool:
        """Queue something for a later day; False when it falls after the window."""
        d = self.day_of(t)
        if d >= self.days:
            return False
        self.pending.setdefault(d, []).append((kind, payload, t))
        return True

    def emit_event(self, line: str, t: int, typ: str) -> None:
        d = self.day_of(t)
        if d == self.day:
            self.events.write(line, t, typ)
        elif d > self.day:
            self.later("event", (line, typ), t)

    def emit_order(self, fields: list[str], t: int) -> None:
        if self.day_of(t) == self.day:
            self.orders.write(fields)
        else:
            self.later("order", fields, t)

    def emit_tweet(self, fields: list[str], t: int) -> None:
        if self.day_of(t) == self.day:
            self.tweets.write(fields)
        else:
            self.later("tweet", fields, t)

    # -- the run -----------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        for d in range(self.days):
            self.day = d
            batch = (self.start + dt.timedelta(days=d)).isoformat()
            self.open_day(batch)
            if d == 0:
                self.initial_crm()
            for kind, payload, t in self.pending.pop(d, []):
                if kind == "event":
                    self.events.write(payload[0], t, payload[1])
                elif kind == "tweet":
                    self.tweets.write(payload)
                elif kind == "order":
                    self.orders.write(payload)
                elif kind == "convert":
                    self.convert(*payload, t)
            self.brand_content(d, batch)
            self.activity(d)
            before = sum(self.stats.rows.values())
            self.close_day()
            rows = sum(self.stats.rows.values())
            self.progress(f"generated batch {batch} ({d + 1}/{self.days}): {rows - before} rows")
        out: dict[str, int] = dict(self.stats.rows)
        out["events"] = sum(self.stats.rows.values())
        out["bad_rows"] = sum(self.stats.bad.values())
        out["files"] = self.stats.files
        out["persons"] = self.people.n
        out["brands"] = len(self.brands)
        out["dq_shared_identities"] = self.dq_shared
        out.update(self.stats.bad)
        return out

    def sink_rng(self, source: str, batch: str, name: str = "") -> random.Random:
        return random.Random(f"{self.seed}:bad:{source}:{batch}:{name}")

    def open_day(self, batch: str) -> None:
        base = self.start_ms + self.day * _DAY_MS
        rate, st, clock = self.bad_rows, self.stats, self.clock

        def path(source: str, name: str) -> Path:
            folder = self.out / source / batch
            folder.mkdir(parents=True, exist_ok=True)
            return folder / name

        self.events = _JsonlSink(
            path("engagement_events", f"events-{batch}.jsonl"), rate,
            self.sink_rng("engagement_events", batch), st, base, clock,
        )  # fmt: skip
        specs = self.csv_specs()
        self.tweets = _CsvSink(
            path("twitter_tweets", f"twcs-{batch}.csv"), specs["twitter_tweets"], rate,
            self.sink_rng("twitter_tweets", batch), st, base,
        )  # fmt: skip
        self.customers = _CsvSink(
            path("crm_customers", f"customers-{batch}.csv"), specs["crm_customers"], rate,
            self.sink_rng("crm_customers", batch), st, base,
        )  # fmt: skip
        self.identities = _CsvSink(
            path("crm_identities", f"identities-{batch}.csv"), specs["crm_identities"], rate,
            self.sink_rng("crm_identities", batch), st, base,
        )  # fmt: skip
        self.orders = _CsvSink(
            path("orders", f"orders-{batch}.csv"), specs["orders"], rate,
            self.sink_rng("orders", batch), st, base,
        )  # fmt: skip
        self.fb_dir = self.out / "facebook_post_insights" / batch
        self.fb_dir.mkdir(parents=True, exist_ok=True)

    def close_day(self) -> None:
        for sink in (self.events, self.tweets, self.customers, self.identities, self.orders):
            sink.close()

    def csv_specs(self) -> dict[str, _CsvSpec]:
        clock = self.clock
        return {
            "twitter_tweets": _CsvSpec(
                "twitter_tweets", TWITTER_HEADER, index=True, required=(0, 1, 3, 4),
                unparseable={
                    0: ("12a45", "1.2.3", "tweet-99", "#N/A"),
                    2: ("yes", "maybe", "TRUE?", "2"),
                    3: ("2017-10-31 22:10", "31/10/2026 25:61", "Tuesday",
                        "Xyz Oct 99 99:99:99 +0000 2026"),
                },
                ts_col=3, ts_fmt=clock.twitter, alter=_alter_tweet,
            ),
            "facebook_post_insights": _CsvSpec(
                "facebook_post_insights", FACEBOOK_HEADER + FACEBOOK_OPTIONAL, sep=";",
                eol="\r\n",
                unparseable={c: ("12k", "abc", "#VALUE!", "1.2.3", "--") for c in range(7, 19)},
                ts_col=21, ts_fmt=clock.iso_plain, count_cols=tuple(range(7, 19)),
                alter=_alter_fb,
            ),
            "crm_customers": _CsvSpec(
                "crm_customers", CUSTOMERS_HEADER, required=(0,),
                unparseable={3: ("not a date", "2026-02-30T10:00:00Z", "31/12/2025", "20251301")},
                ts_col=3, ts_fmt=clock.iso_z, alter=_alter_customer,
            ),
            "crm_identities": _CsvSpec("crm_identities", IDENTITIES_HEADER, required=(0, 2)),
            "orders": _CsvSpec(
                "orders", ORDERS_HEADER, required=(0,),
                unparseable={
                    4: ("12.3.4", "abc", "€12", "1O.00"),
                    3: ("yesterday", "2026-11-31T10:00:00+00:00", "11/05/2026"),
                },
                ts_col=3, ts_fmt=clock.iso_plain, currency_col=5, alter=_alter_order,
            ),
        }  # fmt: skip

    # -- CRM ---------------------------------------------------------------------------------
    def initial_crm(self) -> None:
        """Customers created before the window arrive in the first batch."""
        pp = self.people
        span = self.start_ms - _epoch_ms(dt.date(2015, 1, 1))
        people = 0
        for lo in range(0, pp.n, 65536):  # in chunks: no list as long as the people
            block = pp.customer[lo : lo + 65536]
            rows = (np.flatnonzero((block == _HISTORIC).any(axis=1)) + lo).tolist()
            people += len(rows)
            for p in rows:
                for s in range(3):
                    if pp.customer[p, s] == _HISTORIC:
                        b = int(pp.brands[p, s])
                        t = self.start_ms - 3_600_000 - int(self.rand() ** 1.6 * span)
                        self.write_customer(p, b, t, via=-1)
        self.progress(f"wrote {people} people's customer records created before the window")

    def write_customer(self, p: int, b: int, t: int, via: int) -> str:
        pp, rand = self.people, self.rand
        cid = pp.customer_id(p, b)
        first, _, _ = pp.names(p)
        email = pp.email(p)
        if rand() < 0.03:  # CRMs keep e-mails as typed
            email = email[0].upper() + email[1:]
        country = pp.country(p)[0]
        self.customers.write(
            [cid, self.brands[b].handle, email, self.clock.iso_z(t), country,
             first.capitalize() if rand() < 0.9 else ""]
        )  # fmt: skip
        mask = int(pp.mask[p])
        chans = [
            ch
            for ch in range(len(CHANNELS))
            if ch == via or (mask >> ch & 1 and rand() < (0.3 if ch == EMAIL else 0.55))
        ]
        # A data-quality case: an identity claimed by two customers of the same brand (a
        # shared household login): this customer's web id, claimed again by the next one.
        shared = self.share_identity.pop(b, None)
        if shared is None and mask >> WEB & 1 and rand() < 0.004:
            if WEB not in chans:
                chans.append(WEB)
            self.share_identity[b] = ("web", pp.cuid(p, WEB))
        for ch in chans:
            self.identities.write([cid, CHANNELS[ch], pp.cuid(p, ch)])
        if shared is not None:
            self.identities.write([cid, shared[0], shared[1]])
            self.dq_shared += 1
        return cid

    def free_slot(self, p: int, b: int) -> int:
        """The person's slot for the brand, taking a free one if needed (-1: none free)."""
        s = self.slot_of(p, b)
        if s >= 0:
            return s
        row = self.people.brands[p]
        for s in (1, 2):
            if row[s] < 0:
                row[s] = b
                return s
        return -1

    def ensure_customer(self, p: int, b: int, t: int, via: int, s: int) -> str:
        """The person's customer id at the brand (slot s), creating the customer when new."""
        pp = self.people
        if pp.customer[p, s] == _NOT_CUSTOMER:
            pp.customer[p, s] = self.day
            day0 = self.start_ms + self.day * _DAY_MS
            self.write_customer(p, b, max(day0, t - 1000 - int(self.rand() * 60_000)), via)
        return pp.customer_id(p, b)

    # -- brand content -----------------------------------------------------------------------
    def add_post(self, b: int, ch: int, t: int, object_id: str) -> None:
        times, ids = self.posts.setdefault((b, ch), ([], []))
        i = bisect.bisect_right(times, t)
        times.insert(i, t)
        ids.insert(i, object_id)
        if len(times) > 80:
            del times[:40]
            del ids[:40]

    def recent_post(self, b: int, ch: int, t: int) -> str | None:
        got = self.posts.get((b, ch))
        if not got:
            return None
        times, ids = got
        i = bisect.bisect_right(times, t)
        if i == 0:
            return None
        return ids[i - 1 - int(self.rand() ** 2 * min(i, 20))]

    def brand_content(self, d: int, batch: str) -> None:
        g = np.random.default_rng([self.seed % (1 << 64), 11, d])
        for br in self.brands:
            self.facebook_day(br, d, batch, int(g.poisson(br.fb_rate)))
            for ch, lam in _POST_RATE.items():
                for _ in range(int(g.poisson(lam * (0.6 + 0.8 * br.weight)))):
                    self.brand_post(br, ch, self.time_in_day(d))
            # Promotions and asks to the whole audience on social channels.
            for typ, lam in (("brand_promo", 0.35), ("brand_ask", 0.2)):
                for _ in range(int(g.poisson(lam))):
                    ch = self.pick((IG, FB, TT, LI))
                    t = self.time_in_day(d)
                    pool = V.PROMO_TEMPLATES if typ == "brand_promo" else V.ASK_TEMPLATES
                    text = self.tx.template(pool, br.products, br.domain)
                    self.event(t, ch, typ, "brand", br.idx, "", "", "", text,
                               ',"properties":{"audience":"followers"}')  # fmt: skip

    def brand_post(self, br: _Brand, ch: int, t: int) -> None:
        br.post_seq += 1
        x = self.people.key(br.post_seq, ch) ^ (br.idx << 40)
        if ch == IG:
            oid = f"ig_{x:015d}"
        elif ch == YT:
            oid = "yt_" + _b64(x, 11)
        elif ch == TT:
            oid = f"tt_{x:019d}"
        elif ch == LI:
            oid = f"urn:li:activity:{x:016d}"
        elif ch == COMM:
            oid = f"thread-{br.sku.lower()}-{br.post_seq}"
        else:
            oid = f"https://{br.domain}/blog/{br.post_seq}"
        fmt = "video" if ch in (YT, TT) else self.pick(V.POST_FORMATS)
        paid = "true" if self.rand() < 0.2 else "false"
        self.event(t, ch, "brand_post", "brand", br.idx, "", oid, "",
                   self.tx.post(br.products, br.domain),
                   f',"properties":{{"format":"{fmt}","paid":{paid}}}')  # fmt: skip
        self.add_post(br.idx, ch, t, oid)

    def facebook_day(self, br: _Brand, d: int, batch: str, n: int) -> None:
        r, rand = self.r, self.rand
        br.likes *= 1 + r.gauss(0.0012, 0.0008)
        sink = _CsvSink(
            self.fb_dir / f"{br.handle}-post-insights-{batch}.csv",
            self.csv_specs()["facebook_post_insights"], self.bad_rows,
            self.sink_rng("facebook_post_insights", batch, br.handle), self.stats,
            self.start_ms + d * _DAY_MS,
        )  # fmt: skip
        times = sorted(self.time_in_day(d, _FB_HOUR_CUM) for _ in range(n))
        rows: list[list[str]] = []
        for t in times:
            br.post_seq += 1
            post_id = f"{br.handle}_{self.people.key(br.post_seq, FB) ^ (br.idx << 40):015d}"
            date = _EPOCH + dt.timedelta(days=t // _DAY_MS)
            typ = self.pick(("Photo",) * 17 + ("Status", "Status", "Link"))
            if rand() < 0.015:
                typ = "Video"
            paid = rand() < 0.28
            scale = br.likes / 130_000
            mult = {"Photo": 1.0, "Status": 1.6, "Link": 0.9, "Video": 1.3}[typ]
            reach = max(200, int(5300 * scale * r.lognormvariate(0, 0.85) * mult
                                 * (2.2 if paid else 1.0)))  # fmt: skip
            ratio = max(1.0, r.lognormvariate(math.log(1.76), 0.18))
            if rand() < 0.02:
                ratio *= 2 + 6 * rand()
            impressions = int(reach * ratio)
            fan_reach = max(1, int(reach * min(1.0, r.betavariate(6, 3))))
            fan_impr = max(
                fan_reach, min(impressions, int(fan_reach * ratio * (0.9 + 0.2 * rand())))
            )
            engaged = max(
                1, min(reach, int(reach * min(0.6, r.lognormvariate(math.log(0.11), 0.55))))
            )
            consumers = max(1, int(engaged * (0.75 + 0.22 * rand())))
            consumptions = max(consumers, int(consumers * r.lognormvariate(math.log(1.5), 0.3)))
            fan_engaged = max(1, min(engaged, fan_reach, int(engaged * (0.5 + 0.35 * rand()))))
            total = int(engaged * min(0.9, r.lognormvariate(math.log(0.2), 0.6)))
            share = int(total * (0.06 + 0.14 * rand()))
            comment = int(total * (0.01 + 0.05 * rand()))
            like = total - share - comment
            weekday = (date.weekday() + 1) % 7 + 1  # 1 = Sunday ... 7 = Saturday (UCI)
            hour = (t % _DAY_MS) // 3_600_000
            fields = [
                str(int(br.likes)), typ, str(1 + int(rand() * 3)), str(date.month),
                str(weekday), str(hour), "1" if paid else "0", str(reach), str(impressions),
                str(engaged), str(consumers), str(consumptions), str(fan_impr),
                str(fan_reach), str(fan_engaged), str(comment), str(like), str(share),
                str(total), post_id, br.handle, self.clock.iso(t, 0, False, False),
            ]  # fmt: skip
            if rand() < 0.012:  # the real export has a few empty cells
                fields[self.pick((6, 16, 17, 17))] = ""
            rows.append(fields)
            props = f',"properties":{{"format":"{typ.lower()}","paid":{str(paid).lower()}}}'
            text = self.tx.post(br.products, br.domain)
            self.event(t, FB, "brand_post", "brand", br.idx, "", post_id, "", text, props)
            self.add_post(br.idx, FB, t, post_id)
        for fields in reversed(rows):  # newest first, like the UCI export
            sink.write(fields)
        sink.close()

    # -- people's activity -------------------------------------------------------------------
    def activity(self, d: int) -> None:
        pp = self.people
        g = np.random.default_rng([self.seed % (1 << 64), 13, d])
        weekday = (self.start + dt.timedelta(days=d)).weekday()
        active = (pp.first <= d) & (d < pp.last)
        lam = pp.weight * (self.rate * _WEEKDAY_MULT[weekday]) * active
        counts = g.poisson(lam)
        who_all = g.permutation(np.flatnonzero(counts))
        del lam, active
        self._bought = -1
        for lo in range(0, len(who_all), 16384):  # in chunks: no list as long as the people
            who = who_all[lo : lo + 16384]
            ks = counts[who].tolist()
            brands = pp.brands[who].tolist()
            masks = pp.mask[who].tolist()
            disp = pp.disposition[who].tolist()
            for i, p in enumerate(who.tolist()):
                self.person_day(p, d, min(ks[i], 60), brands[i], masks[i], disp[i])

    rate = 0.28  # mean actions per person and day (100k people x 30 days: ~1M rows)

    def person_day(self, p: int, d: int, k: int, brands: list[int], mask: int, disp: float) -> None:
        rand = self.rand
        bl = [b for b in brands if b >= 0]
        chans, cw = self.chan_table(mask)
        total = cw[-1]
        if k > 1 and rand() < 0.6:  # one session
            center = self.time_in_day(d)
            day0 = self.start_ms + d * _DAY_MS
            times = sorted(
                min(day0 + _DAY_MS - 1, max(day0, center + int(self.r.gauss(0, 900_000))))
                for _ in range(k)
            )
        else:
            times = sorted(self.time_in_day(d) for _ in range(k))
        for t in times:
            ch = chans[bisect.bisect_right(cw, rand() * total)]
            b = bl[0] if len(bl) == 1 or rand() < 0.7 else bl[1 + int(rand() * (len(bl) - 1))]
            if ch == TW:
                self.thread(p, b, t, disp)
            else:
                self.person_event(p, b, ch, t, disp)
        if mask >> EMAIL & 1 and rand() < 0.06:
            self.email_promo(p, bl[0], d)

    def event(
        self, t: int, ch: int, typ: str, actor: str, b: int, person: str = "",
        object_id: str = "", in_reply_to: str = "", text: str | None = None, tail: str = "",
    ) -> tuple[str, str]:  # fmt: skip
        """One event as its JSON line, keys in the contract's order: (event_id, line).

        Ids, handles, channels and timestamps are JSON-safe by construction; texts are
        escaped; ``tail`` holds the pre-rendered rating/amount/currency/referred/properties.
        """
        eid = self.uuid()
        line = (
            f'{{"event_id":"{eid}","occurred_at":"{self.ts(t, ch)}","channel":"{CHANNELS[ch]}",'
            f'"event_type":"{typ}","actor":"{actor}","brand_id":"{self.brands[b].handle}"'
        )
        if person:
            line += ',"person":' + person
        if object_id:
            line += f',"object_id":"{object_id}"'
        if in_reply_to:
            line += f',"in_reply_to":"{in_reply_to}"'
        if text is not None:
            line += ',"text":' + _esc(text)
        self.emit_event(line + tail + "}", t, typ)
        return eid, line

    def person_event(self, p: int, b: int, ch: int, t: int, disp: float) -> None:
        rand, pp, br = self.rand, self.people, self.brands[b]
        names, cw = _TYPE_TABLE[ch]
        typ = names[bisect.bisect_right(cw, rand() * cw[-1])]
        if typ in ("signup", "referral"):
            s = self.slot_of(p, b)
            is_customer = s >= 0 and pp.customer[p, s] != _NOT_CUSTOMER
            if typ == "signup" and is_customer:
                typ = "page_view"
            elif typ == "referral" and not is_customer:
                typ = "page_view" if ch in (WEB, STORE) else "share"
        if typ == "purchase":
            if self._bought != p:  # at most one order a day per person
                self._bought = p
                self.purchase(p, b, t, disp)
                return
            typ = "page_view"
        if typ == "referral":
            self.referral(p, b, ch, t)
            return
        person = self.person_json(p, ch, typ == "signup")
        oid = ""
        text = None
        tail = ""
        pol = disp + self.r.gauss(0, 0.8) if typ in ("comment", "mention", "message") else disp
        if typ in ("like", "comment", "share", "video_view") or (typ == "click" and ch < WEB):
            oid = self.recent_post(b, ch, t) or ""
        if typ == "comment":
            text = self.tx.comment(pol, br.products, br.domain)
        elif typ == "mention":
            text = f"@{br.handle} " + self.tx.comment(pol, br.products, br.domain)
            tail = f',"properties":{{"followers":{pp.followers(p)}}}'
        elif typ == "message":
            text = self.tx.body(_level(pol - 0.4), br.products, br.domain)
        elif typ == "review":
            rating = _rating(disp + self.r.gauss(0, 0.9))
            pol = (rating - 3) / 1.2
            oid = f"{br.sku}-{int(self.r.paretovariate(1.2)) % 400:05d}"
            text = self.tx.review(rating, br.products, br.domain)
            verified = "true" if rand() < 0.7 else "false"
            tail = f',"rating":{rating},"properties":{{"verified_purchase":{verified}}}'
        elif typ == "share":
            tail = f',"properties":{{"followers":{pp.followers(p)}}}'
        elif typ == "video_view":
            length = 15 + int(rand() * 600)
            watched = int(length * rand() ** 0.7)
            tail = f',"properties":{{"watch_seconds":{watched},"video_seconds":{length}}}'
        elif typ in ("page_view", "click") and ch in (WEB, STORE):
            section = self.pick(V.WEB_SECTIONS)
            oid = f"/{section}/{br.sku.lower()}-{int(self.r.paretovariate(1.1)) % 500}"
            tail = (
                f',"properties":{{"referrer":"{self.pick(V.REFERRERS)}",'
                f'"device":"{self.pick(V.DEVICES)}"}}'
            )
        elif typ == "click" and ch == EMAIL:
            oid = f"cmp-{br.sku.lower()}-{self.day:03d}"
        elif typ == "signup":
            tail = (
                f',"properties":{{"method":"{self.pick(("email", "google", "apple", "email"))}"}}'
            )
        eid, _ = self.event(t, ch, typ, "person", b, person, oid, "", text, tail)
        if typ == "signup":
            self.ensure_customer(p, b, t + 1000, WEB, self.slot_of(p, b))
            if rand() < 0.5:  # a welcome guide: give
                self.brand_action("brand_help", p, b, EMAIL, t + self.lognorm_ms(13.0, 1.0),
                                  V.HELP_TEMPLATES, '{"topic":"onboarding"}')  # fmt: skip
        elif typ in _REPLY_P:
            self.maybe_reply(typ, eid, person, oid, p, b, ch, t, pol, 0)

    def maybe_reply(
        self, typ: str, eid: str, person: str, oid: str, p: int, b: int, ch: int, t: int,
        pol: float, depth: int,
    ) -> None:  # fmt: skip
        """The brand may answer what the person sent (``in_reply_to``), and they may answer."""
        rand, br = self.rand, self.brands[b]
        chance = br.listen * _REPLY_P[typ] * (1.25 if pol < -0.25 else 1.0) * (0.7**depth)
        if rand() >= chance:
            if pol < -0.5 and rand() < 0.15:  # unanswered complaint: proactive help later
                topic = self.pick(V.HELP_TOPICS)
                self.brand_action("brand_help", p, b, ch if ch != REV else EMAIL,
                                  t + self.lognorm_ms(br.delay_mu + 1.5, 1.0), V.HELP_TEMPLATES,
                                  f'{{"topic":"{topic}"}}')  # fmt: skip
            return
        delay = self.lognorm_ms(br.delay_mu + (1.2 if typ == "review" else 0.0), br.delay_sigma)
        tr = t + delay
        first = self.people.names(p)[0].capitalize()
        prefix = f"Hi {first}! " if rand() < 0.3 else ""
        text = self.tx.reply(pol, br.products, br.domain, prefix)
        reply_id, _ = self.event(tr, ch, "brand_reply", "brand", b, person, oid, eid, text)
        if depth < 2 and rand() < 0.3:  # the person answers back
            pol2 = pol + (0.8 if rand() < 0.65 else -0.4) * rand()
            tc = tr + self.lognorm_ms(math.log(15 * 60_000), 1.2)
            kind = "message" if typ in ("message", "review") else "comment"
            text = self.tx.comment(pol2, br.products, br.domain)
            back_id, _ = self.event(tc, ch, kind, "person", b, person, oid, reply_id, text)
            self.maybe_reply(kind, back_id, person, oid, p, b, ch, tc, pol2, depth + 1)

    def brand_action(
        self, typ: str, p: int, b: int, ch: int, t: int, pool: Sequence[str], properties: str,
        object_id: str = "",
    ) -> None:  # fmt: skip
        """A brand action aimed at one person; ``properties`` is a JSON object's text."""
        br = self.brands[b]
        text = self.tx.template(pool, br.products, br.domain)
        self.event(t, ch, typ, "brand", b, self.person_json(p, ch), object_id, "", text,
                   ',"properties":' + properties)  # fmt: skip

    def email_promo(self, p: int, b: int, d: int) -> None:
        br = self.brands[b]
        t = self.start_ms + d * _DAY_MS + (7 + b % 5) * 3_600_000 + int(self.rand() * 900_000)
        campaign = f"cmp-{br.sku.lower()}-{d:03d}"
        self.brand_action("brand_promo", p, b, EMAIL, t, V.PROMO_TEMPLATES,
                          f'{{"campaign_id":"{campaign}"}}', campaign)  # fmt: skip
        if self.rand() < 0.2:
            tc = t + self.lognorm_ms(math.log(90 * 60_000), 1.3)
            self.event(tc, EMAIL, "click", "person", b, self.person_json(p, EMAIL), campaign)

    # -- money -------------------------------------------------------------------------------
    def purchase(self, p: int, b: int, t: int, disp: float) -> None:
        r, rand, pp, br = self.r, self.rand, self.people, self.brands[b]
        s = self.slot_of(p, b)
        cid = self.ensure_customer(p, b, t, STORE, s)
        ref = int(pp.referrer[p, s])
        ref_cid = pp.customer_id(ref, b) if ref >= 0 else ""
        currency = br.currency if rand() < 0.75 else pp.country(p)[1]
        usd = r.lognormvariate(br.price_mu, 0.7)
        amount = usd * _FX[currency]
        digits = 0 if currency == "JPY" else 2
        amount_s = f"{amount:.{digits}f}"
        x = rand()
        status = "completed" if x < 0.95 else "cancelled"
        self.order_seq += 1
        oid = f"ORD-{self.order_seq:08d}"
        self.emit_order(
            [oid, cid, br.handle, self.clock.iso_plain(t), amount_s, currency, status, ref_cid],
            t,
        )
        if status == "completed" and rand() < 0.08:  # a refund, later, as its own row
            tr = t + int(r.lognormvariate(math.log(3 * _DAY_MS), 0.8))
            part = amount if rand() < 0.7 else amount * (0.2 + 0.6 * rand())
            self.emit_order(
                [f"{oid}-R", cid, br.handle, self.clock.iso_plain(tr), f"{-part:.{digits}f}",
                 currency, "refunded", ref_cid],
                tr,
            )  # fmt: skip
        if status == "cancelled" or rand() > 0.85:  # the tracker misses some orders
            return
        sku = f"{br.sku}-{int(r.paretovariate(1.2)) % 400:05d}"
        number = repr(float(amount_s)) if digits else amount_s
        items = 1 + int(rand() * rand() * 5)
        tail = (
            f',"amount":{number},"currency":"{currency}",'
            f'"properties":{{"order_id":"{oid}","items":{items}}}'
        )
        self.event(t, STORE, "purchase", "person", b, self.person_json(p, STORE), sku, "", None,
                   tail)  # fmt: skip
        if rand() < 0.3:  # ask for a review: take
            ta = t + int((0.5 + 3 * rand()) * _DAY_MS)
            self.brand_action("brand_ask", p, b, EMAIL, ta, V.ASK_TEMPLATES[:1],
                              f'{{"ask":"review","order_id":"{oid}"}}')  # fmt: skip
            if rand() < 0.35:
                tv = ta + self.lognorm_ms(math.log(6 * 3_600_000), 1.0)
                rating = _rating(disp + 0.2 + r.gauss(0, 0.9))
                text = self.tx.review(rating, br.products, br.domain)
                tail = (
                    f',"rating":{rating},'
                    f'"properties":{{"verified_purchase":true,"order_id":"{oid}"}}'
                )
                self.event(tv, REV, "review", "person", b, self.person_json(p, REV), sku, "",
                           text, tail)  # fmt: skip

    def referral(self, p: int, b: int, ch: int, t: int) -> None:
        pp, rand = self.people, self.rand
        q = -1
        for _ in range(8):
            c = int(rand() * pp.n)
            if c == p:
                continue
            s = self.slot_of(c, b)
            if s >= 0 and pp.customer[c, s] != _NOT_CUSTOMER:
                continue
            if s < 0 and pp.brands[c, 2] >= 0:
                continue
            q = c
            break
        if q < 0:
            q = (p + 1) % pp.n
        code = f"{self.brands[b].sku}-{pp.key(p, b) % 100000:05d}"
        tail = (
            f',"referred":{{"channel_user_id":"{pp.cuid(q, STORE)}"}},'
            f'"properties":{{"program":"refer-a-friend","code":"{code}"}}'
        )
        self.event(t, ch, "referral", "person", b, self.person_json(p, ch), "", "", None, tail)
        if q != (p + 1) % pp.n and rand() < 0.55:
            tc = t + int(self.r.lognormvariate(math.log(2 * _DAY_MS), 0.9))
            self.later("convert", (q, b, p), tc)

    def convert(self, q: int, b: int, referrer: int, t: int) -> None:
        """A referred person signs up and buys."""
        pp = self.people
        s = self.free_slot(q, b)
        if s < 0 or pp.customer[q, s] != _NOT_CUSTOMER:
            return  # became a customer on their own meanwhile, or follows too many brands
        self.event(t, WEB, "signup", "person", b, self.person_json(q, WEB, True), "", "", None,
                   ',"properties":{"method":"referral_link","referred":true}')  # fmt: skip
        self.ensure_customer(q, b, t + 1000, STORE, s)
        pp.referrer[q, s] = referrer
        tp = t + int(self.rand() * 3_600_000)
        if self.day_of(tp) == self.day:
            self.purchase(q, b, tp, float(pp.disposition[q]))

    # -- twitter -----------------------------------------------------------------------------
    def thread(self, p: int, b: int, t: int, disp: float) -> None:
        rand, br, tx = self.rand, self.brands[b], self.tx
        author = self.people.twitter_id(p)
        other = self.brands[(b + 1 + int(rand() * (len(self.brands) - 1))) % len(self.brands)]
        # Another brand, or (one brand only) a friend, tagged at the end of a few tweets.
        other_handle = (
            other.handle if other.idx != b else self.people.twitter_id((p + 1) % self.people.n)
        )
        pol = disp - 0.9 + self.r.gauss(0, 0.8)
        tweets: list[list[Any]] = []

        def new(who: str, inbound: bool, at: int, text: str, parent: list[Any] | None) -> list[Any]:
            tid = self.tweet_seq
            self.tweet_seq += 1
            tw = [tid, who, inbound, at, text, [], parent[0] if parent else None]
            if parent is not None:
                parent[5].append(tid)
            tweets.append(tw)
            return tw

        cur = new(author, True, t, tx.tweet_in(br.handle, pol, br.products, other_handle), None)
        for turn in range(6):
            if rand() < 0.12:  # the customer adds to their own tweet before any answer
                at = cur[3] + self.lognorm_ms(math.log(4 * 60_000), 1.0)
                new(author, True, at, tx.tweet_in(br.handle, pol, br.products, other_handle), cur)
            if rand() >= br.listen * 1.1 * (0.85**turn):
                break
            at = cur[3] + self.lognorm_ms(br.delay_mu, br.delay_sigma)
            reply = new(br.handle, False, at, tx.reply(pol, br.products, "", f"@{author} "), cur)
            if rand() >= 0.5:
                break
            pol += (0.9 if rand() < 0.6 else -0.5) * rand()
            at = reply[3] + self.lognorm_ms(math.log(6 * 60_000), 1.1)
            cur = new(
                author, True, at, tx.tweet_in(br.handle, pol, br.products, other_handle), reply
            )
        for tid, who, inbound, at, text, responses, parent in tweets:
            resp = ",".join(str(x) for x in responses)
            fields = [str(tid), who, "True" if inbound else "False", self.clock.twitter(at),
                      text, resp, f"{parent}.0" if parent is not None else ""]  # fmt: skip
            self.emit_tweet(fields, at)


# -- duplicate ids with different content (the bad-row RNG only) -------------------------------
def _alter_tweet(f: list[str], rb: random.Random) -> None:
    f[4] = f[4] + (" (edited)", " UPDATE: still nothing", " nvm", " !!")[int(rb.random() * 4)]


def _alter_fb(f: list[str], rb: random.Random) -> None:
    bump = 1 + int(rb.random() * 50)
    f[16] = str(int(f[16] or "0") + bump)
    f[18] = str(int(f[18] or "0") + bump)


def _alter_customer(f: list[str], rb: random.Random) -> None:
    f[2] = "x" + f[2] if rb.random() < 0.5 else f[2].replace("@", ".old@")
    f[4] = ("US", "GB", "DE", "FR")[int(rb.random() * 4)]


def _alter_order(f: list[str], rb: random.Random) -> None:
    f[4] = f"{float(f[4] or '0') + 1 + int(rb.random() * 30):.2f}"


def generate(
    out_dir: Path,
    *,
    persons: int = 1000,
    brands: int = 3,
    days: int = 7,
    start: dt.date = dt.date(2026, 11, 1),
    seed: int = 42,
    bad_rows: float = 0.01,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write a realistic landing folder; return rows written per source and bad-row counts.

    Keys: one per source (rows written, header excluded, bad rows included), ``events``
    (all rows), ``bad_rows`` (all bad rows), ``bad:<source>:<kind>``, ``files``, ``persons``,
    ``brands``, ``dq_shared_identities``. Same arguments, same bytes. Files of the same
    names are overwritten; anything else under ``out_dir`` is left alone. Good rows lie in
    the window ``start`` .. ``start + days``: a loader whose "future" rule is measured from
    the load time quarantines the days that are still ahead of the clock.
    """
    if persons < 2:
        raise ValueError("persons must be at least 2")
    if not 1 <= brands <= 250:
        raise ValueError("brands must be between 1 and 250")
    if days < 1:
        raise ValueError("days must be at least 1")
    if not 0.0 <= bad_rows <= 0.5:
        raise ValueError("bad_rows must be between 0 and 0.5")
    gen = _Generator(Path(out_dir), persons, brands, days, start, seed, bad_rows, progress)
    return gen.run()
