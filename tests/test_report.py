"""The ROR report end to end: a real refresh, `build_report` on its BI database, and the page
rendered in headless Chromium (Debian's `chromium`; `make chromium` installs it): every chart
must draw SVG marks, the page must log no error, and its screenshot must not be blank."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest

from ror.report import _BUNDLE_COMPLETE, build_report, default_report_path

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bi")]

REPO = Path(__file__).resolve().parent.parent
ROR = [sys.executable, "-m", "ror.cli"]
CHART_IDS = {
    "chart-ror-trend",
    "chart-components",
    "chart-give-take",
    "chart-response-times",
    "chart-advocates",
    "chart-referred-revenue",
    "chart-content-rates",
    "chart-value-deciles",
}
WINDOW = (1400, 4000)


def ror(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ROR, *args], capture_output=True, text=True, cwd=REPO)


def chromium_binary() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        pytest.skip(
            "chromium is not installed: the report test renders the page in headless "
            "Chromium (`make chromium`, or apt-get install -y chromium)"
        )
    return found


def chromium(page: Path, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on a local page; no network (every host resolves to nothing)."""
    return subprocess.run(
        [
            chromium_binary(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            *action,
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


def console_errors(stderr: str) -> list[str]:
    """The page's console messages that report an error (Chromium logs them as CONSOLE)."""
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line and re.search(r"Uncaught|Error", line)
    ]


def chart_marks(dom: str) -> dict[str, dict[str, int]]:
    """Per chart container: its SVGs, its data-mark groups (Vega's `role-mark`, not axes or
    legends) and the shapes inside them."""
    charts: dict[str, dict[str, int]] = {}
    for match in re.finditer(r"<div class=\"chart[^\"]*\" id=\"([\w-]+)\"([^>]*)>", dom):
        end = dom.find("</section>", match.end())
        inner = dom[match.end() : end if end > 0 else len(dom)]
        groups = re.findall(r"<g class=\"mark-\w+ role-mark[^\"]*\"[^>]*>(.*?)</g>", inner, re.S)
        charts[match.group(1)] = {
            "svg": inner.count("<svg"),
            "mark_groups": len(groups),
            "shapes": sum(len(re.findall(r"<(?:path|line|text|rect|circle)\b", g)) for g in groups),
            "rendered": int('data-rendered="true"' in match.group(2)),
        }
    return charts


def png_rgb(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) to a height x width x 3 array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, b"", None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 3 if color == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    pixels = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: running sum per channel, modulo 256
            row = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:  # Up
            row = line + previous
        else:  # Average or Paeth: sequential along the row
            row = _unfilter_sequential(int(kind), line.tobytes(), previous.tobytes(), bpp)
        pixels[y] = row
        previous = row
    return pixels.reshape(height, width, bpp)[:, :, :3]


def _unfilter_sequential(kind: int, line: bytes, up: bytes, bpp: int) -> np.ndarray:
    out = bytearray(len(line))
    for i, value in enumerate(line):
        a = out[i - bpp] if i >= bpp else 0
        b = up[i]
        if kind == 3:
            out[i] = (value + ((a + b) >> 1)) & 0xFF
            continue
        c = up[i - bpp] if i >= bpp else 0
        pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
        predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[i] = (value + predictor) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)


@pytest.fixture(scope="module", autouse=True)
def vega_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache folder of this module's own (the refresh's report and build_report write the
    Vega bundle there): the tests make the bundle and read it back, whatever ~/.cache holds."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        yield cache / "ror"


@pytest.fixture(scope="module")
def bi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated landing folder refreshed into a published BI database."""
    root = tmp_path_factory.mktemp("report")
    landing = root / "landing"
    generated = ror(
        "generate", "--out", str(landing), "--persons", "300", "--brands", "3", "--days", "3",
        "--seed", "7", "--start", "2026-10-30",
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr[-3000:]
    bi = root / "warehouse" / "ror_bi.duckdb"
    refreshed = ror(
        "refresh", "--landing", str(landing), "--warehouse", str(root / "warehouse" / "ror.duckdb"),
        "--bi", str(bi),
    )  # fmt: skip
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    return bi


@pytest.fixture(scope="module")
def report(bi: Path) -> Path:
    before = hashlib.sha256(bi.read_bytes()).hexdigest()
    started = time.perf_counter()
    out = build_report(bi, default_report_path(bi))
    print(f"build_report: {time.perf_counter() - started:.1f}s, {out.stat().st_size:,} bytes")
    assert hashlib.sha256(bi.read_bytes()).hexdigest() == before, "the BI database changed"
    return out


def test_one_report_per_refresh(bi, report):
    con = duckdb.connect(str(bi), read_only=True)
    try:
        (run_id,) = con.execute(
            "select run_id from ops.refresh_runs where status = 'published'"
        ).fetchone()
    finally:
        con.close()
    assert report == bi.parent / "reports" / f"ror_report_{run_id}.html"
    assert run_id in report.read_text(encoding="utf-8")


def test_report_is_self_contained(report):
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+\bsrc=", page), "every script is inline"
    assert not re.search(r"<link\b", page), "no external stylesheet"
    assert not re.search(r"\b(?:src|href)=[\"']?(?:https?:)?//", page), "no remote resource"
    assert "window.vegaEmbed=" in page, "the Vega-Embed bundle is inlined"
    containers = dict(re.findall(r"<div class='chart' id='([\w-]+)' data-rows='(\d+)'", page))
    assert set(containers) == CHART_IDS
    assert all(int(rows) > 0 for rows in containers.values()), containers


def test_every_chart_draws_in_chromium(report, tmp_path):
    result = chromium(report, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-3000:]
    dom = result.stdout
    assert f'data-charts-rendered="{len(CHART_IDS)}"' in dom, "not every chart finished"
    assert "data-render-error" not in dom
    charts = chart_marks(dom)
    assert set(charts) == CHART_IDS
    for chart_id, found in charts.items():
        assert found["rendered"] and found["svg"] >= 1, (chart_id, found)
        assert found["mark_groups"] >= 1 and found["shapes"] >= 2, (chart_id, found)
    assert console_errors(result.stderr) == []


def test_screenshot_is_not_blank(report, tmp_path):
    shot = tmp_path / "report.png"
    result = chromium(
        report,
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    )
    assert result.returncode == 0 and shot.exists(), result.stderr[-3000:]
    pixels = png_rgb(shot)
    assert pixels.shape == (WINDOW[1], WINDOW[0], 3)
    not_white = (pixels < 245).any(axis=2)
    assert not_white.mean() > 0.02, f"only {not_white.mean():.2%} of the page is drawn"
    colors = np.unique(pixels.reshape(-1, 3)[::7], axis=0)
    assert len(colors) > 50, f"{len(colors)} colours: charts did not draw"
    # Ink all the way down the charts, not only in the header.
    drawn_rows = np.flatnonzero(not_white.any(axis=1))
    assert drawn_rows.max() > WINDOW[1] * 0.6, drawn_rows.max()
    assert console_errors(result.stderr) == []


def test_a_broken_chart_is_caught(report, tmp_path):
    """The checks above can fail: a chart whose spec Vega-Lite rejects draws no SVG, and the
    page reports the error on its console."""
    page = report.read_text(encoding="utf-8")
    start = page.index('<script type="application/json" id="ror-specs">')
    start = page.index(">", start) + 1
    end = page.index("</script>", start)
    specs = json.loads(page[start:end])
    specs["chart-components"] = {"mark": "no-such-mark", "data": {"values": [{"a": 1}]}}
    broken = tmp_path / "broken.html"
    broken.write_text(page[:start] + json.dumps(specs).replace("<", "\\u003c") + page[end:])
    result = chromium(broken, tmp_path / "profile", "--dump-dom")
    charts = chart_marks(result.stdout)
    assert charts["chart-components"]["svg"] == 0
    assert "data-render-error" in result.stdout
    assert console_errors(result.stderr), "the console error was not seen"


def test_component_points_add_up_to_the_mean_score(bi, report):
    """The chart's caption says so: a brand's seven segments sum to its mean ROR score."""
    page = report.read_text(encoding="utf-8")
    start = page.index('<script type="application/json" id="ror-specs">')
    start = page.index(">", start) + 1
    spec = json.loads(page[start : page.index("</script>", start)])["chart-components"]
    datasets = spec.get("datasets") or {"values": spec["data"]["values"]}
    (rows,) = datasets.values()
    points: dict[str, float] = {}
    for row in rows:
        points[row["brand_id"]] = points.get(row["brand_id"], 0.0) + row["points"]
    con = duckdb.connect(str(bi), read_only=True)
    try:
        means = dict(
            con.execute(
                "select brand_id, avg(ror_score) from marts.ror_relationships "
                "where ror_score is not null group by brand_id"
            ).fetchall()
        )
    finally:
        con.close()
    assert len(rows) == 7 * len(means)
    assert points.keys() == means.keys()
    for brand, mean in means.items():
        assert points[brand] == pytest.approx(mean, rel=1e-9), brand


def test_the_vega_bundle_is_cached_whole_and_made_again_when_cut_short(bi, report, vega_cache):
    """A whole cached bundle is what the next report embeds (not bundled again); one cut
    short is bundled again and cached whole."""
    (cached,) = vega_cache.glob("vega-bundle-*.js")
    whole = cached.read_text(encoding="utf-8")
    page = report.read_text(encoding="utf-8")
    assert "window.vegaEmbed=" in page and "ror: the whole bundle" not in page
    marker = "// planted in the cache"
    ending = _BUNDLE_COMPLETE
    assert whole.endswith(ending)
    cached.write_text(whole.removesuffix(ending) + marker + ending, encoding="utf-8")
    read = build_report(bi, report.with_name("read.html")).read_text(encoding="utf-8")
    assert read.count(marker) == 1, "the cached bundle was not read"
    cached.write_text(whole[: len(whole) // 2], encoding="utf-8")  # a write cut short
    again = build_report(bi, report.with_name("again.html")).read_text(encoding="utf-8")
    assert cached.read_text(encoding="utf-8") == whole
    assert again.count("window.vegaEmbed=") == 1 and "ror: the whole bundle" not in again
    assert marker not in again
