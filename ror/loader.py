"""Landing loader: new files of landing/<source>/<batch>/ into raw.<source>, by DuckDB's readers.

One pass per file in Python checks what DuckDB cannot report as a row (UTF-8, the header,
JSON-ness) and hashes the bytes; DuckDB then reads the file (CSV reader with reject tables,
or JSON Lines read as one line per row and parsed with DuckDB's JSON functions). Every raw row
keeps its batch, file, content hash, line and load time. A batch with a file-level fault is
refused whole; a malformed line goes to raw.rejected_lines with DuckDB's reason.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ror.sources import EVENT_KNOWN_KEYS, METADATA_COLUMNS, SOURCES, Source

CHUNK = 1 << 20
# A bare CR (not followed by LF) inside an unquoted field, as in the real Twitter export,
# makes DuckDB's CSV state machine fail. Such files are read from a copy in which each bare
# CR is this private-use character, turned back into CR in SQL: the text is kept exactly.
BARE_CR_STAND_IN = "\ue000"
REJECTED_LINES = "raw.rejected_lines"
MANIFEST = "ops.load_manifest"
REFUSALS = "ops.load_refusals"
# WAL size at which DuckDB checkpoints during a load (see Loader.run).
LOAD_CHECKPOINT_THRESHOLD = "1GB"


class FileRefused(Exception):
    """A file-level fault: the whole batch is refused (contracts/landing.md)."""

    def __init__(self, file: str, rule: str, detail: str) -> None:
        self.file, self.rule, self.detail = file, rule, detail
        super().__init__(f"refused: landing file {file}: {rule}: {detail}")


@dataclass
class FileScan:
    """What the Python pass learned about one file before DuckDB reads it."""

    path: Path
    relative: str
    file_hash: str
    size_bytes: int
    header: list[str] = field(default_factory=list)
    bare_crs: int = 0
    is_empty: bool = False


@dataclass
class LoadedFile:
    source: str
    batch: str
    file: str
    file_hash: str
    rows_raw: int
    rows_rejected: int
    extra_columns: list[str]


@dataclass
class LoadReport:
    loaded: list[LoadedFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already loaded (same content hash)
    refusals: list[str] = field(default_factory=list)  # one line each
    notes: list[str] = field(default_factory=list)  # schema drift, unknown folders, ...

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables and the loader's ops tables if they do not exist."""
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists ops")
    metadata = ", ".join(f"{quote_ident(c)} {t}" for c, t in METADATA_COLUMNS.items())
    for source in SOURCES.values():
        columns = ", ".join(f"{quote_ident(c)} varchar" for c in source.columns)
        con.execute(f"create table if not exists raw.{source.name} ({columns}, {metadata})")
    con.execute(
        f"""create table if not exists {REJECTED_LINES} (
            source varchar, {metadata}, reason varchar, raw_line varchar)"""
    )
    con.execute(
        f"""create table if not exists {MANIFEST} (
            file_hash varchar primary key, source varchar, batch varchar, file varchar,
            size_bytes bigint, rows_raw bigint, rows_rejected bigint, rows_landed bigint,
            extra_columns varchar, loaded_at timestamp, load_id varchar,
            gated_at timestamp)"""
    )
    # Warehouses made before the gate bookkeeping: their files are gated once more.
    con.execute(f"alter table {MANIFEST} add column if not exists gated_at timestamp")
    con.execute(
        f"""create table if not exists {REFUSALS} (
            load_id varchar, refused_at timestamp, source varchar, batch varchar,
            file varchar, rule varchar, reason varchar)"""
    )


def discover(landing: Path) -> Iterator[tuple[Source | None, str, str, list[Path]]]:
    """Yield (source, source folder, batch, files) in source then batch name order."""
    for source_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        source = SOURCES.get(source_dir.name)
        for batch_dir in sorted(p for p in source_dir.iterdir() if p.is_dir()):
            files = sorted(
                p for p in batch_dir.rglob("*") if p.is_file() and not p.name.startswith(".")
            )
            yield source, source_dir.name, batch_dir.name, files


def _open_bytes(path: Path, relative: str) -> io.BufferedIOBase:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def scan_file(path: Path, relative: str, source: Source) -> FileScan:
    """Hash the file, prove it is UTF-8, count bare CRs and read the CSV header."""
    if not path.name.endswith(source.extensions):
        raise FileRefused(
            relative,
            "not CSV/JSON",
            f"unsupported file type (expected {', '.join(source.extensions)})",
        )
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        while chunk := raw.read(CHUNK):
            digest.update(chunk)
    scan = FileScan(path, relative, digest.hexdigest(), path.stat().st_size)

    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    offset = 0
    line = 1
    previous_cr = False
    head = bytearray()
    try:
        with _open_bytes(path, relative) as stream:
            while chunk := stream.read(CHUNK):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    bad = offset + error.start
                    line_at = line + chunk[: error.start].count(b"\n")
                    raise FileRefused(
                        relative,
                        "not UTF-8",
                        f"invalid byte 0x{chunk[error.start]:02x} at byte {bad} (line {line_at})",
                    ) from None
                crs = chunk.count(b"\r")
                if crs:
                    crlf = chunk.count(b"\r\n") + (1 if previous_cr and chunk[:1] == b"\n" else 0)
                    ends_with_cr = chunk.endswith(b"\r")
                    scan.bare_crs += crs - crlf - (1 if ends_with_cr else 0)
                    scan.bare_crs += 1 if previous_cr and chunk[:1] != b"\n" else 0
                    previous_cr = ends_with_cr
                else:
                    scan.bare_crs += 1 if previous_cr and chunk[:1] != b"\n" else 0
                    previous_cr = False
                if len(head) < 65536:
                    head += chunk[: 65536 - len(head)]
                line += chunk.count(b"\n")
                offset += len(chunk)
            decoder.decode(b"", final=True)
            scan.bare_crs += 1 if previous_cr else 0
    except UnicodeDecodeError:
        raise FileRefused(
            relative, "not UTF-8", "the file ends inside a multi-byte character"
        ) from None
    except (OSError, EOFError, zlib.error) as error:
        raise FileRefused(relative, "not CSV/JSON", f"cannot be decompressed: {error}") from None

    text = bytes(head).decode("utf-8", errors="ignore").lstrip("\ufeff")
    scan.is_empty = not text.strip()
    if source.kind == "csv" and not scan.is_empty:
        scan.header = _parse_header(text, source, relative)
    return scan


def _parse_header(text: str, source: Source, relative: str) -> list[str]:
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter))
    except (csv.Error, StopIteration):
        raise FileRefused(relative, "not CSV/JSON", "the header line cannot be parsed") from None
    header = [h.strip() for h in header]
    missing = [c for c in source.required if c not in header]
    if missing:
        raise FileRefused(
            relative, "required column missing", ", ".join(missing) + _delimiter_hint(header)
        )
    named = [h for h in header if h]
    if len(set(named)) != len(named):
        dupes = sorted({h for h in named if named.count(h) > 1})
        raise FileRefused(relative, "duplicate column", ", ".join(dupes))
    return header


def _delimiter_hint(header: list[str]) -> str:
    if len(header) == 1:
        return f" (the header has one column; expected '{header[0][:40]}' to be delimited)"
    return ""


class Loader:
    """Loads landing folders into one warehouse connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        landing: Path,
        load_id: str,
        progress: Callable[[str], None] = lambda _msg: None,
    ) -> None:
        self.con = con
        self.landing = landing
        self.load_id = load_id
        self.progress = progress
        self.loaded_at = con.execute(
            "select cast(current_timestamp at time zone 'UTC' as timestamp)"
        ).fetchone()[0]

    def known_hashes(self) -> set[str]:
        return {row[0] for row in self.con.execute(f"select file_hash from {MANIFEST}").fetchall()}

    def run(self) -> LoadReport:
        ensure_tables(self.con)
        report = LoadReport()
        if not self.landing.is_dir():
            report.notes.append(f"landing folder {self.landing} does not exist: nothing to load")
            return report
        known = self.known_hashes()
        # Each batch commits alone (a refused batch rolls back alone). At DuckDB's default
        # checkpoint threshold (16 MB of WAL) nearly every commit checkpointed, rewriting the
        # tables' last row groups each time: 14 of the 31 s of a 1M-event load. So the load
        # checkpoints once, at its end (the WAL still makes every commit durable).
        self.con.execute(f"set checkpoint_threshold = '{LOAD_CHECKPOINT_THRESHOLD}'")
        try:
            for source, folder, batch, files in discover(self.landing):
                if source is None:
                    report.notes.append(f"unknown source folder ignored: {folder}/{batch}")
                    continue
                self._load_batch(source, batch, files, known, report)
        finally:
            self.con.execute("reset checkpoint_threshold")
        if report.loaded:
            self.con.execute("checkpoint")
        return report

    def _load_batch(
        self, source: Source, batch: str, files: list[Path], known: set[str], report: LoadReport
    ) -> None:
        scans: list[FileScan] = []
        try:
            for path in files:
                relative = path.relative_to(self.landing).as_posix()
                scan = scan_file(path, relative, source)
                if scan.file_hash in known or scan.file_hash in {s.file_hash for s in scans}:
                    report.skipped.append(relative)
                    continue
                scans.append(scan)
        except FileRefused as refusal:
            self._refuse(source, batch, refusal, report)
            return
        if not scans:
            return
        self.con.execute("begin transaction")
        try:
            loaded = [self._load_file(source, batch, scan) for scan in scans]
        except FileRefused as refusal:
            self.con.execute("rollback")
            self._refuse(source, batch, refusal, report)
            return
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")
        for item in loaded:
            known.add(item.file_hash)
            report.loaded.append(item)
            if item.extra_columns:
                report.notes.append(
                    f"schema drift: {item.file} has columns the contract does not know, kept "
                    f"in raw.{source.name}: {', '.join(item.extra_columns)}"
                )
            self.progress(
                f"loaded {item.file}: {item.rows_raw} rows, {item.rows_rejected} rejected lines"
            )

    def _refuse(self, source: Source, batch: str, refusal: FileRefused, report: LoadReport) -> None:
        message = f"{refusal} (batch {source.name}/{batch} refused, nothing of it loaded)"
        report.refusals.append(message)
        self.con.execute(
            f"insert into {REFUSALS} values (?, ?, ?, ?, ?, ?, ?)",
            [
                self.load_id,
                self.loaded_at,
                source.name,
                batch,
                refusal.file,
                refusal.rule,
                refusal.detail,
            ],
        )

    # -- one file -------------------------------------------------------------------------

    def _metadata_sql(self, batch: str, scan: FileScan) -> str:
        return ", ".join(
            [
                f"{quote_literal(batch)} as _batch",
                f"{quote_literal(scan.relative)} as _file",
                f"{quote_literal(scan.file_hash)} as _file_hash",
                f"cast({quote_literal(str(self.loaded_at))} as timestamp) as _loaded_at",
                f"{quote_literal(self.load_id)} as _load_id",
            ]
        )

    def _load_file(self, source: Source, batch: str, scan: FileScan) -> LoadedFile:
        if scan.is_empty:
            rows_raw, rows_rejected, extra = 0, 0, []
        elif source.kind == "csv":
            rows_raw, rows_rejected, extra = self._load_csv(source, batch, scan)
        else:
            rows_raw, rows_rejected, extra = self._load_jsonl(source, batch, scan)
        self.con.execute(
            f"insert into {MANIFEST} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null)",
            [
                scan.file_hash,
                source.name,
                batch,
                scan.relative,
                scan.size_bytes,
                rows_raw,
                rows_rejected,
                rows_raw + rows_rejected,
                ",".join(extra) or None,
                self.loaded_at,
                self.load_id,
            ],
        )
        return LoadedFile(
            source.name, batch, scan.relative, scan.file_hash, rows_raw, rows_rejected, extra
        )

    def _add_columns(self, source: Source, columns: list[str]) -> list[str]:
        existing = {
            row[0]
            for row in self.con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = ?",
                [source.name],
            ).fetchall()
        }
        extra = [c for c in columns if c not in source.columns]
        for column in extra:
            if column not in existing:
                self.con.execute(
                    f"alter table raw.{source.name} add column {quote_ident(column)} varchar"
                )
        return extra

    def _readable_copy(self, scan: FileScan) -> tuple[Path, Path | None]:
        """The path DuckDB reads: the file itself, or a copy with bare CRs stood in for."""
        if not scan.bare_crs:
            return scan.path, None
        handle, name = tempfile.mkstemp(suffix=".csv", prefix="ror-bare-cr-")
        stand_in = BARE_CR_STAND_IN.encode()
        carry = b""
        with os.fdopen(handle, "wb") as out, _open_bytes(scan.path, scan.relative) as stream:
            while chunk := stream.read(CHUNK):
                data = carry + chunk
                # A CR at the end of a chunk is decided by the next chunk's first byte.
                data, carry = (data[:-1], b"\r") if data.endswith(b"\r") else (data, b"")
                out.write(re.sub(rb"\r(?!\n)", stand_in, data))
            out.write(stand_in if carry else b"")
        return Path(name), Path(name)

    def _load_csv(self, source: Source, batch: str, scan: FileScan) -> tuple[int, int, list[str]]:
        header = scan.header
        # Unnamed columns (a pandas index) are read under a placeholder name and not kept.
        read_names = [h if h else f"_unnamed_{i}" for i, h in enumerate(header)]
        kept = [h for h in header if h]
        extra = self._add_columns(source, kept)
        path, temporary = self._readable_copy(scan)
        columns = "{" + ", ".join(f"{quote_literal(n)}: 'VARCHAR'" for n in read_names) + "}"
        reader = (
            f"read_csv({quote_literal(str(path))}, header = true, auto_detect = false, "
            f"columns = {columns}, delim = {quote_literal(source.delimiter)}, quote = '\"', "
            f"escape = '\"', store_rejects = true, rejects_table = 'ror_reject_errors', "
            f"rejects_scan = 'ror_reject_scans', max_line_size = 16777216)"
        )

        def value(name: str) -> str:
            column = quote_ident(name)
            if scan.bare_crs:
                return f"replace({column}, {quote_literal(BARE_CR_STAND_IN)}, chr(13)) as {column}"
            return column

        self.con.execute("drop table if exists ror_reject_errors")
        self.con.execute("drop table if exists ror_reject_scans")
        try:
            self.con.execute(
                f"create or replace temp table ror_file as "
                f"select {', '.join(value(n) for n in kept)}, ordinality "
                f"from {reader} with ordinality"
            )
        except duckdb.Error as error:
            reason = str(error).strip().splitlines()[0]
            raise FileRefused(
                scan.relative, "not CSV/JSON", f"DuckDB cannot read it: {reason}"
            ) from None
        finally:
            if temporary:
                temporary.unlink(missing_ok=True)
        # One row per rejected line (DuckDB may report several errors for one line).
        self.con.execute(
            """create or replace temp table ror_rejects as
            select line as line_number, min(error_type || ': ' || error_message) as reason,
                   min(csv_line) as raw_line
            from ror_reject_errors group by line"""
        )
        rows_rejected = self.con.execute("select count(*) from ror_rejects").fetchone()[0]
        # DuckDB numbers rejected lines by record (header = 1); accepted rows are numbered by
        # their ordinality, so shift each past the rejected lines that precede it.
        self.con.execute(
            f"""insert into raw.{source.name} by name
            with rejects as (
                select line_number - 1 - row_number() over (order by line_number) as accepted_before
                from ror_rejects
            )
            select f.* exclude (ordinality),
                   f.ordinality + 1
                   + (select count(*) from rejects r where r.accepted_before < f.ordinality)
                   as _line_number,
                   {self._metadata_sql(batch, scan)}
            from ror_file f"""
        )
        rows_raw = self.con.execute("select count(*) from ror_file").fetchone()[0]
        self.con.execute(
            f"""insert into {REJECTED_LINES} by name
            select {quote_literal(source.name)} as source, line_number as _line_number,
                   reason, raw_line, {self._metadata_sql(batch, scan)}
            from ror_rejects"""
        )
        self.con.execute("drop table ror_file")
        return rows_raw, rows_rejected, extra

    def _load_jsonl(self, source: Source, batch: str, scan: FileScan) -> tuple[int, int, list[str]]:
        path = scan.path
        # One line per row: no quoting, a delimiter JSON never holds raw (control characters
        # must be escaped in JSON strings), so a line splits only if it is not JSON anyway.
        reader = (
            f"read_csv({quote_literal(str(path))}, header = false, auto_detect = false, "
            f"columns = {{'line': 'VARCHAR'}}, delim = '\x1f', quote = '', escape = '', "
            f"store_rejects = true, rejects_table = 'ror_reject_errors', "
            f"rejects_scan = 'ror_reject_scans', max_line_size = 16777216)"
        )
        self.con.execute("drop table if exists ror_reject_errors")
        self.con.execute("drop table if exists ror_reject_scans")
        try:
            self.con.execute(
                f"""create or replace temp table ror_file as
                select ordinality as _line_number,
                       case when ordinality = 1 then ltrim(line, chr(65279)) else line end as line
                from {reader} with ordinality
                where trim(coalesce(line, '')) <> ''"""
            )
        except duckdb.Error as error:
            reason = str(error).strip().splitlines()[0]
            raise FileRefused(
                scan.relative, "not CSV/JSON", f"DuckDB cannot read it: {reason}"
            ) from None
        self.con.execute(
            """create or replace temp table ror_file as
            select *, case
                when not json_valid(line) then 'malformed line: not valid JSON'
                when json_type(line) <> 'OBJECT' then 'malformed line: not a JSON object'
            end as reason
            from ror_file"""
        )
        counts = self.con.execute(
            "select count(*) filter (where reason is null), "
            "count(*) filter (where reason is not null) from ror_file"
        ).fetchone()
        rows_raw, rows_bad = counts
        if rows_raw == 0 and rows_bad > 0:
            raise FileRefused(scan.relative, "not CSV/JSON", "no line is a JSON object")
        # One parse per line: json_extract_string with a list of paths returns a list (5x
        # faster than one call per field); `properties` stays JSON text, not a string.
        strings = [c for c in source.json_paths if c != "properties"]
        paths = ", ".join(quote_literal(source.json_paths[c]) for c in strings)
        extractions = ", ".join(
            f"_fields[{i}] as {quote_ident(c)}" for i, c in enumerate(strings, start=1)
        )
        if "properties" in source.json_paths:
            path = quote_literal(source.json_paths["properties"])
            extractions += f", cast(json_extract(line, {path}) as varchar) as properties"
        self.con.execute(
            f"""insert into raw.{source.name} by name
            select {extractions}, line as _record, _line_number, {self._metadata_sql(batch, scan)}
            from (
                select *, json_extract_string(line, [{paths}]) as _fields
                from ror_file where reason is null
            )"""
        )
        split_lines = self.con.execute(
            "select line, error_type || ': ' || error_message from ror_reject_errors"
        ).fetchall()
        self.con.execute(
            f"""insert into {REJECTED_LINES} by name
            select {quote_literal(source.name)} as source, _line_number, reason, line as raw_line,
                   {self._metadata_sql(batch, scan)}
            from ror_file where reason is not null"""
        )
        if split_lines:  # a line holding the stand-in delimiter: not JSON, kept all the same
            self.con.execute(
                f"""insert into {REJECTED_LINES} by name
                select {quote_literal(source.name)} as source, line as _line_number,
                       'malformed line: not valid JSON' as reason, csv_line as raw_line,
                       {self._metadata_sql(batch, scan)}
                from ror_reject_errors"""
            )
        keys = self.con.execute(
            "select distinct unnest(json_keys(line)) from ror_file where reason is null"
        ).fetchall()
        extra = sorted(k for (k,) in keys if k not in EVENT_KNOWN_KEYS)
        self.con.execute("drop table ror_file")
        return rows_raw, rows_bad + len(split_lines), extra


def ungated_files(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(source, batch, file_hash, file) of loaded files the quality gate has not passed yet:
    this refresh's new files, and those of a refresh killed or refused before its gate."""
    return [
        tuple(row)
        for row in con.execute(
            f"select source, batch, file_hash, file from {MANIFEST} where gated_at is null "
            "order by source, batch, file"
        ).fetchall()
    ]


def mark_gated(con: duckdb.DuckDBPyConnection, file_hashes: list[str]) -> None:
    con.execute(
        f"update {MANIFEST} set gated_at = cast(current_timestamp at time zone 'UTC' as timestamp) "
        "where list_contains(?, file_hash)",
        [file_hashes],
    )


def withdraw_files(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[str, str, str, str]],
    load_id: str,
    rule: str,
    reason: str,
) -> None:
    """Take refused files back out of raw, as if never loaded, and record the refusal: the
    next refresh loads them again from landing (and refuses them again until they change)."""
    con.execute("begin transaction")
    try:
        for source, batch, file_hash, file in files:
            con.execute(f"delete from raw.{source} where _file_hash = ?", [file_hash])
            con.execute(f"delete from {REJECTED_LINES} where _file_hash = ?", [file_hash])
            con.execute(f"delete from {MANIFEST} where file_hash = ?", [file_hash])
            con.execute(
                f"insert into {REFUSALS} values (?, cast(current_timestamp at time zone 'UTC' "
                "as timestamp), ?, ?, ?, ?, ?)",
                [load_id, source, batch, file, rule, reason],
            )
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def load_landing(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    load_id: str,
    progress: Callable[[str], None] = lambda _msg: None,
) -> LoadReport:
    """Load every new file of the landing folder; see the module docstring."""
    return Loader(con, landing, load_id, progress).run()
