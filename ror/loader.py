"""Landing loader: new files of landing/<source>/<batch>/ into raw.<source>, by DuckDB's readers.

One pass per file in Python checks what DuckDB cannot report as a row (UTF-8, the header,
JSON-ness) and hashes the bytes; DuckDB then reads the files (CSV reader with reject tables,
or JSON Lines read as one line per row and parsed with DuckDB's JSON functions). Every raw row
keeps its batch, file, content hash, line and load time. A batch with a file-level fault is
refused whole; a malformed line goes to raw.rejected_lines with DuckDB's reason. A file found
at the path, size and mtime it was loaded with is known by the hash it had then and not read
again, so a run reads only the new files, not every file ever landed.

For speed at scale the Python pass runs in a background thread, ahead of DuckDB, and DuckDB
loads a run of consecutive batches of one source at once (a chunk: batches are added until
they reach LOAD_CHUNK_BYTES): one read of all their files of the same columns, one insert,
one commit. Row groups that big are written to the database file as they fill, compressed
by the inserting threads, instead of going through the WAL and a single-threaded
checkpoint. If DuckDB refuses any file of a chunk, the chunk is rolled back and loaded
again batch by batch (a batch that fails again: file by file), which is what decides which
batch is refused and names its first faulty file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ror.sources import EVENT_KNOWN_KEYS, METADATA_COLUMNS, SOURCES, Source

CHUNK = 1 << 22
# A bare CR (not followed by LF) inside an unquoted field, as in the real Twitter export,
# makes DuckDB's CSV state machine fail. Such files are read from a copy in which each bare
# CR is this private-use character, turned back into CR in SQL: the text is kept exactly.
BARE_CR_STAND_IN = "\ue000"
REJECTED_LINES = "raw.rejected_lines"
MANIFEST = "ops.load_manifest"
REFUSALS = "ops.load_refusals"
# WAL size at which DuckDB checkpoints during a load (see Loader.run).
LOAD_CHECKPOINT_THRESHOLD = "1GB"
# One chunk (one transaction, one read and one insert per source and columns) holds consecutive
# batches of one source until their new files reach this many bytes (a gzip file counts
# GZIP_WEIGHT times its size) or LOAD_CHUNK_FILES files (the batch that reaches the limit
# is the chunk's last, so one big batch makes a chunk alone). A chunk's lines are held in a
# temp table: the load step of 1M events peaked at 1,017 MB (docs/benchmark.md). Each insert
# ends in a partly filled row group; where such row groups end up side by side, the
# checkpoint merges and compresses them again, so fewer, bigger chunks load faster.
LOAD_CHUNK_BYTES = 256 << 20
LOAD_CHUNK_FILES = 1000
GZIP_WEIGHT = 6
# Threads hashing and UTF-8 checking files ahead of DuckDB (hashlib releases the GIL; so does
# DuckDB while it runs a statement).
SCAN_THREADS = 1


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
    modified_ns: int | None = None  # the file's mtime when it was hashed (ns since the epoch)
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
            gated_at timestamp, modified_ns bigint)"""
    )
    # Warehouses made before the gate bookkeeping: their files are gated once more.
    con.execute(f"alter table {MANIFEST} add column if not exists gated_at timestamp")
    # ... and before files were known by their size and mtime: they are hashed once more.
    con.execute(f"alter table {MANIFEST} add column if not exists modified_ns bigint")
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


def _open_bytes(path: Path) -> io.BufferedIOBase:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


class _TextScan:
    """Feeds a file's (decompressed) bytes through: strict UTF-8, bare CRs, the first 64 KiB."""

    def __init__(self) -> None:
        self.offset = 0  # bytes fed so far
        self.carry = b""  # the start of a character cut by the end of the last chunk
        self.previous_cr = False
        self.bare_crs = 0
        self.head = bytearray()

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk if self.carry else chunk
        start = self.offset - len(self.carry)  # file offset of data[0]
        if data.isascii():
            self.carry = b""
        else:
            try:
                _, consumed = codecs.utf_8_decode(data, "strict", False)
            except UnicodeDecodeError as error:
                raise _BadByte(start + error.start, data[error.start]) from None
            self.carry = data[consumed:]
        crs = chunk.count(b"\r")
        if crs:
            crlf = chunk.count(b"\r\n") + (1 if self.previous_cr and chunk[:1] == b"\n" else 0)
            ends_with_cr = chunk.endswith(b"\r")
            self.bare_crs += crs - crlf - (1 if ends_with_cr else 0)
            self.bare_crs += 1 if self.previous_cr and chunk[:1] != b"\n" else 0
            self.previous_cr = ends_with_cr
        else:
            self.bare_crs += 1 if self.previous_cr and chunk[:1] != b"\n" else 0
            self.previous_cr = False
        if len(self.head) < 65536:
            self.head += chunk[: 65536 - len(self.head)]
        self.offset += len(chunk)

    def finish(self) -> None:
        if self.carry:
            raise UnicodeDecodeError("utf-8", self.carry, 0, len(self.carry), "truncated")
        self.bare_crs += 1 if self.previous_cr else 0


class _BadByte(Exception):
    def __init__(self, offset: int, byte: int) -> None:
        self.offset, self.byte = offset, byte


def _line_at(path: Path, offset: int) -> int:
    """The line (1-based) holding byte `offset` of the (decompressed) file."""
    line, seen = 1, 0
    with _open_bytes(path) as stream:
        while seen < offset and (chunk := stream.read(min(CHUNK, offset - seen))):
            line += chunk.count(b"\n")
            seen += len(chunk)
    return line


def scan_file(path: Path, relative: str, source: Source) -> FileScan:
    """Hash the file, prove it is UTF-8, count bare CRs and read the CSV header."""
    if not path.name.endswith(source.extensions):
        raise FileRefused(
            relative,
            "not CSV/JSON",
            f"unsupported file type (expected {', '.join(source.extensions)})",
        )
    stat = path.stat()  # before the read: a file written meanwhile is hashed again next time
    digest = hashlib.sha256()
    text_scan = _TextScan()
    compressed = path.name.endswith(".gz")
    try:
        # One read of a plain file feeds both the hash and the text checks; a gzip file is
        # hashed as stored and checked decompressed.
        with path.open("rb") as raw:
            while chunk := raw.read(CHUNK):
                digest.update(chunk)
                if not compressed:
                    text_scan.feed(chunk)
        if compressed:
            try:
                with _open_bytes(path) as stream:
                    while chunk := stream.read(CHUNK):
                        text_scan.feed(chunk)
            except (OSError, EOFError, zlib.error) as error:
                raise FileRefused(
                    relative, "not CSV/JSON", f"cannot be decompressed: {error}"
                ) from None
        text_scan.finish()
    except _BadByte as bad:
        raise FileRefused(
            relative,
            "not UTF-8",
            f"invalid byte 0x{bad.byte:02x} at byte {bad.offset} "
            f"(line {_line_at(path, bad.offset)})",
        ) from None
    except UnicodeDecodeError:
        raise FileRefused(
            relative, "not UTF-8", "the file ends inside a multi-byte character"
        ) from None
    scan = FileScan(path, relative, digest.hexdigest(), stat.st_size, stat.st_mtime_ns)
    scan.bare_crs = text_scan.bare_crs
    text = bytes(text_scan.head).decode("utf-8", errors="ignore").lstrip("\ufeff")
    scan.is_empty = not text.strip()
    if source.kind == "csv" and not scan.is_empty:
        scan.header = _parse_header(text, source, relative)
    return scan


def _scan_or_refusal(path: Path, relative: str, source: Source) -> FileScan | FileRefused:
    try:
        return scan_file(path, relative, source)
    except FileRefused as refusal:
        return refusal


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


@dataclass
class BatchPlan:
    """One batch's files after the Python pass: what to load, what is a reload, or a refusal."""

    batch: str
    results: list[tuple[str, FileScan | FileRefused]]  # (relative path, scan) in name order
    scans: list[FileScan] = field(default_factory=list)  # new files, to load
    skipped: list[str] = field(default_factory=list)  # same content hash as a loaded file
    refusal: FileRefused | None = None


class _ChunkFailed(Exception):
    """DuckDB refused a file of a chunk (`refusal`), or a read of several files did not number
    its rows file after file (None): the chunk is rolled back. Only when the chunk is one batch
    read file by file is `refusal` the batch's refusal."""

    def __init__(self, refusal: FileRefused | None) -> None:
        self.refusal = refusal
        super().__init__(str(refusal))


@dataclass
class _Member:
    """One file of a read: its batch, its scan and the path DuckDB reads."""

    batch: str
    scan: FileScan
    read_path: str


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
        self.loaded_at: dt.datetime | None = None  # stamped by run(): see load_stamp()
        self._columns: dict[str, set[str]] | None = None  # raw table columns, read once
        # The files of the current read that have rows: (file index, file, rowid of its first
        # row), in read order.
        self._spans: list[tuple[int, _Member, int]] = []

    def known_hashes(self) -> set[str]:
        return {row[0] for row in self.con.execute(f"select file_hash from {MANIFEST}").fetchall()}

    def known_files(self) -> dict[tuple[str, int, int], str]:
        """{(landing path, size, mtime in ns): content hash} of the files loaded: a file found
        again at its path with the same size and mtime is not read again (as git's index
        does), so a nightly run reads the new files only, not every file ever landed."""
        rows = self.con.execute(
            f"select file, size_bytes, modified_ns, file_hash from {MANIFEST} "
            f"where modified_ns is not null"
        ).fetchall()
        return {(file, size, modified): digest for file, size, modified, digest in rows}

    def load_stamp(self) -> dt.datetime:
        """This load's _loaded_at: now in UTC, or a microsecond after the latest load if the
        clock reads earlier (it was set back, or the warehouse moved machines). Every load is
        thus stamped later than every load before it, which is what the incremental models
        rely on: a row's _changed_at later than the latest one a model holds is one it has
        not built (macro ror_incremental_cutoff)."""
        return self.con.execute(
            f"""select greatest(
                cast(current_timestamp at time zone 'UTC' as timestamp),
                (select max(loaded_at) + interval 1 microsecond from {MANIFEST})
            )"""
        ).fetchone()[0]

    def run(self) -> LoadReport:
        ensure_tables(self.con)
        self.loaded_at = self.load_stamp()
        report = LoadReport()
        if not self.landing.is_dir():
            report.notes.append(f"landing folder {self.landing} does not exist: nothing to load")
            return report
        known = self.known_hashes()
        unchanged = self.known_files()
        # Each chunk of batches commits alone (a refused batch is then loaded by nobody: see
        # _run_chunk). At DuckDB's default checkpoint threshold (16 MB of WAL) nearly every
        # commit checkpointed, rewriting the tables' last row groups each time. So the load
        # checkpoints once, at its end (the WAL still makes every commit durable).
        self.con.execute(f"set checkpoint_threshold = '{LOAD_CHECKPOINT_THRESHOLD}'")
        pool = ThreadPoolExecutor(max_workers=SCAN_THREADS, thread_name_prefix="ror-scan")
        try:
            # Every file's Python pass is queued now, in load order, and runs ahead of DuckDB.
            folders: list[tuple[Source | None, str, list[tuple[str, list[tuple[str, Future]]]]]]
            folders = []
            for source, folder, batch, files in discover(self.landing):
                if not folders or folders[-1][1] != folder:
                    folders.append((source, folder, []))
                queued = []
                if source is not None:
                    for path in files:
                        relative = path.relative_to(self.landing).as_posix()
                        queued.append(
                            (relative, self._scan(pool, path, relative, source, unchanged))
                        )
                folders[-1][2].append((batch, queued))
            for source, folder, batches in folders:
                if source is None:
                    for batch, _ in batches:
                        report.notes.append(f"unknown source folder ignored: {folder}/{batch}")
                    continue
                self._load_source(source, batches, known, report)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.con.execute("reset checkpoint_threshold")
        if report.loaded:
            self.con.execute("checkpoint")
        return report

    @staticmethod
    def _scan(
        pool: ThreadPoolExecutor,
        path: Path,
        relative: str,
        source: Source,
        unchanged: dict[tuple[str, int, int], str],
    ) -> Future:
        """The file's scan: queued on `pool`, or, for a file loaded before and unchanged
        since (same size and mtime), a scan of it as loaded, which _plan skips."""
        try:
            stat = path.stat()
        except OSError:
            stat = None
        digest = unchanged.get((relative, stat.st_size, stat.st_mtime_ns)) if stat else None
        if digest is None:
            return pool.submit(_scan_or_refusal, path, relative, source)
        known: Future = Future()
        known.set_result(FileScan(path, relative, digest, stat.st_size, stat.st_mtime_ns))
        return known

    # -- batches and chunks -----------------------------------------------------------------

    def _load_source(
        self,
        source: Source,
        batches: list[tuple[str, list[tuple[str, Future]]]],
        known: set[str],
        report: LoadReport,
    ) -> None:
        """Load the batches of one source, a chunk of consecutive batches at a time."""
        index = 0
        while index < len(batches):
            chunk: list[BatchPlan] = []
            pending: set[str] = set()  # hashes of the chunk's files, loaded with it
            weight = files = 0
            while index < len(batches) and weight < LOAD_CHUNK_BYTES and files < LOAD_CHUNK_FILES:
                batch, queued = batches[index]
                index += 1
                results = [(relative, future.result()) for relative, future in queued]
                plan = self._plan(batch, results, known, pending)
                chunk.append(plan)
                if plan.refusal is None:
                    pending.update(s.file_hash for s in plan.scans)
                    weight += sum(_weight(s) for s in plan.scans)
                    files += len(plan.scans)
            self._run_chunk(source, chunk, known, report, exact=False)

    @staticmethod
    def _plan(
        batch: str,
        results: list[tuple[str, FileScan | FileRefused]],
        known: set[str],
        pending: set[str],
    ) -> BatchPlan:
        """Decide each file of a batch, as loading batch after batch would: a file already
        loaded (or earlier in this batch or chunk) is skipped; the first faulty file refuses
        the batch (files skipped before it stay reported as skipped)."""
        plan = BatchPlan(batch, results)
        seen: set[str] = set()
        for relative, result in results:
            if isinstance(result, FileRefused):
                plan.refusal, plan.scans = result, []
                break
            digest = result.file_hash
            if digest in known or digest in pending or digest in seen:
                plan.skipped.append(relative)
                continue
            seen.add(digest)
            plan.scans.append(result)
        return plan

    def _run_chunk(
        self,
        source: Source,
        plans: list[BatchPlan],
        known: set[str],
        report: LoadReport,
        exact: bool,
    ) -> None:
        loading = [p for p in plans if p.refusal is None and p.scans]
        loaded: dict[str, list[LoadedFile]] = {}
        if loading:
            try:
                loaded = self._load_plans(source, loading, exact)
            except _ChunkFailed as failed:
                if exact and len(loading) == 1:
                    if failed.refusal is None:
                        raise RuntimeError("a read of one file did not number its rows") from None
                    loading[0].refusal = failed.refusal
                else:
                    # Again batch by batch, file by file: which batch is refused, by which
                    # file, and what later batches skip, come out as if never chunked.
                    # A batch is read whole first (one read per header); only a batch
                    # that fails again is read file by file.
                    for plan in plans:
                        again = self._plan(plan.batch, plan.results, known, set())
                        self._run_chunk(source, [again], known, report, exact=len(plans) == 1)
                    return
        for plan in plans:
            report.skipped.extend(plan.skipped)
            if plan.refusal is not None:
                self._refuse(source, plan.batch, plan.refusal, report)
                continue
            for item in loaded.get(plan.batch, []):
                known.add(item.file_hash)
                report.loaded.append(item)
                if item.extra_columns:
                    report.notes.append(
                        f"schema drift: {item.file} has columns the contract does not know, "
                        f"kept in raw.{source.name}: {', '.join(item.extra_columns)}"
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

    def _load_plans(
        self, source: Source, plans: list[BatchPlan], exact: bool
    ) -> dict[str, list[LoadedFile]]:
        """Load the new files of these batches in one transaction."""
        members = [_Member(p.batch, s, str(s.path)) for p in plans for s in p.scans]
        counts: dict[str, tuple[int, int, list[str]]] = {}
        self.con.execute("begin transaction")
        try:
            for group in self._groups(members, exact):
                if source.kind == "csv":
                    counts.update(self._load_csv(source, group))
                else:
                    counts.update(self._load_jsonl(source, group))
            loaded = {p.batch: [] for p in plans}
            rows: list[object] = []
            for member in members:
                scan = member.scan
                rows_raw, rows_rejected, extra = counts.get(scan.relative, (0, 0, []))
                loaded[member.batch].append(
                    LoadedFile(
                        source.name, member.batch, scan.relative, scan.file_hash,
                        rows_raw, rows_rejected, extra,
                    )
                )  # fmt: skip
                rows += [
                    scan.file_hash, source.name, member.batch, scan.relative, scan.size_bytes,
                    rows_raw, rows_rejected, rows_raw + rows_rejected, ",".join(extra) or None,
                    self.loaded_at, self.load_id, scan.modified_ns,
                ]  # fmt: skip
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?)"] * len(members))
            self.con.execute(f"insert into {MANIFEST} values {values}", rows)
        except BaseException:
            self.con.execute("rollback")
            self._columns = None  # columns added in the transaction are gone with it
            raise
        finally:
            self._drop_scratch()
        self.con.execute("commit")
        return loaded

    @staticmethod
    def _groups(members: list[_Member], exact: bool) -> list[list[_Member]]:
        """The reads of a chunk: consecutive non-empty files DuckDB can read in one go (the
        same header; a file with bare CRs is read alone, from a copy). One file per read
        when exact."""
        groups: list[list[_Member]] = []
        last_key: tuple | None = None
        for member in members:
            scan = member.scan
            if scan.is_empty:
                continue
            key = (tuple(scan.header), scan.bare_crs > 0)
            if exact or scan.bare_crs or key != last_key or not groups:
                groups.append([])
            groups[-1].append(member)
            last_key = key
        return groups

    def _drop_scratch(self) -> None:
        for table in (
            "ror_lines", "ror_file", "ror_files", "ror_numbered", "ror_rejects",
            "ror_reject_errors", "ror_reject_scans",
        ):  # fmt: skip
            self.con.execute(f"drop table if exists {table}")

    # -- one read: files of one source with the same columns --------------------------------
    #
    # DuckDB reads a group's files in one statement, in parallel, into a temp table that keeps
    # the order of the rows it read (preserve_insertion_order), so a row's rowid counts the
    # rows before it: the files' rows follow one another (checked), and a row's number in its
    # file is its rowid less its file's first rowid. Each row keeps its file's index in the
    # read (the reader's file_index), which picks the file's batch, name and hash.

    def _load_sql(self) -> str:
        return (
            f"cast({quote_literal(str(self.loaded_at))} as timestamp) as _loaded_at, "
            f"{quote_literal(self.load_id)} as _load_id"
        )

    def _read(self, group: list[_Member], reader: str, select: str, table: str) -> None:
        """Read the group's files into a temp table; DuckDB's refusal refuses the chunk."""
        self.con.execute("drop table if exists ror_reject_errors")
        self.con.execute("drop table if exists ror_reject_scans")
        try:
            self.con.execute(
                f"create or replace temp table {table} as select {select} from {reader}"
            )
        except duckdb.Error as error:
            reason = str(error).strip().splitlines()[0]
            raise _ChunkFailed(
                FileRefused(
                    group[0].scan.relative, "not CSV/JSON", f"DuckDB cannot read it: {reason}"
                )
            ) from None

    def _register(self, group: list[_Member], table: str) -> dict[int, int]:
        """Rows read per file index; ror_files (each file's index, path, metadata and the rowid
        of its first row) and self._spans. (Rows a transaction adds have rowids from a base of
        its own: only their differences count.)"""
        spans = {
            index: (rows, first, last)
            for index, rows, first, last in self.con.execute(
                f"select _ror_file_index, count(*), min(rowid), max(rowid) from {table} "
                "group by all"
            ).fetchall()
        }
        rows_read = {index: rows for index, (rows, _, _) in spans.items()}
        expected = min((first for _, first, _ in spans.values()), default=0)
        starts = []
        self._spans = []
        for index, member in enumerate(group):
            rows, first, last = spans.pop(index, (0, expected, expected - 1))
            if first != expected or last - first + 1 != rows:
                raise _ChunkFailed(None)
            starts.append(first)
            if rows:
                self._spans.append((index, member, first))
            expected = last + 1
        if spans:  # a file index that is not one of the group's files
            raise _ChunkFailed(None)
        values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(group))
        params: list[object] = []
        for index, member in enumerate(group):
            params += [
                index, member.read_path, member.batch, member.scan.relative,
                member.scan.file_hash, starts[index],
            ]  # fmt: skip
        self.con.execute(
            f"create or replace temp table ror_files as select * from (values {values}) "
            f"as t(_ror_file_index, _read_path, _batch, _file, _file_hash, _start)",
            params,
        )
        return rows_read

    def _rejects(self, group: list[_Member]) -> dict[int, tuple[int, int]]:
        """ror_rejects: one row per rejected line (DuckDB may report several errors for one
        line), with the index of its file; returns {file index: (rejected lines, errors)}."""
        self.con.execute(
            f"""create or replace temp table ror_rejects as
            select m._ror_file_index, e.line as line_number,
                   min(e.error_type || ': ' || e.error_message) as reason,
                   min(e.csv_line) as raw_line,
                   count(*) as errors
            from ror_reject_errors e
            {self._error_file_sql(group)}
            group by all"""
        )
        counts = {
            index: (lines, errors)
            for index, lines, errors in self.con.execute(
                "select _ror_file_index, count(*), sum(errors) from ror_rejects group by all"
            ).fetchall()
        }
        if (
            sum(c[1] for c in counts.values())
            != self.con.execute("select count(*) from ror_reject_errors").fetchone()[0]
        ):  # an error in a file DuckDB names by another path
            raise _ChunkFailed(None)
        return counts

    @staticmethod
    def _error_file_sql(group: list[_Member]) -> str:
        """Joins each row `e` of ror_reject_errors to its file `m` in ror_files (by the path
        DuckDB names it by, unless the read was of one file)."""
        if len(group) == 1:
            return "cross join ror_files m"
        return """join ror_reject_scans s on s.scan_id = e.scan_id and s.file_id = e.file_id
            join ror_files m on m._read_path = s.file_path"""

    def _numbered(self, table: str, where: str, base: int, rejected: bool) -> str:
        """A FROM clause: the rows of `table` that pass `where`, with their _line_number (the
        row's number in its file + `base`, shifted past the rejected lines before it) and
        their file's _batch, _file and _file_hash. Without a join unless lines were rejected:
        DuckDB inserts the rows of a join in parallel, into partly filled row groups that the
        checkpoint then merges and compresses again, while an order-preserving insert fills
        whole row groups."""
        if rejected:
            # A rejected line L (DuckDB numbers records, header = line 1 when base is 1) that
            # is the k-th rejected line of its file has L - base - k accepted rows before it.
            self.con.execute(
                f"""create or replace temp table ror_numbered as
                select f.*, f.ordinal + {base} + coalesce(s.rejected, 0) as _line_number,
                       m._batch, m._file, m._file_hash
                from (
                    select t.*, t.rowid - m._start + 1 as ordinal
                    from {table} t join ror_files m using (_ror_file_index)
                    where {where}
                ) f
                join ror_files m using (_ror_file_index)
                asof left join (
                    select _ror_file_index, accepted_before, max(rejected) as rejected
                    from (
                        select _ror_file_index,
                               line_number - {base} - row_number() over (
                                   partition by _ror_file_index order by line_number
                               ) as accepted_before,
                               row_number() over (
                                   partition by _ror_file_index order by line_number
                               ) as rejected
                        from ror_rejects
                    )
                    group by all
                ) s on s._ror_file_index = f._ror_file_index and f.ordinal > s.accepted_before"""
            )
            return "ror_numbered"
        spans = self._spans
        if len(spans) <= 1:  # one file (or none) with rows: its metadata are constants
            _, member, first = spans[0] if spans else (0, None, 0)
            batch, file, file_hash = (
                (member.batch, member.scan.relative, member.scan.file_hash) if member else ("",) * 3
            )
            return f"""(
                select *, rowid - {first} + 1 + {base} as _line_number,
                       {quote_literal(batch)} as _batch, {quote_literal(file)} as _file,
                       {quote_literal(file_hash)} as _file_hash
                from {table} where {where}
            )"""
        files = spans[-1][0] + 1

        def pick(values: dict[int, str]) -> str:
            return (
                "["
                + ", ".join(values.get(i, "null") for i in range(files))
                + "][_ror_file_index + 1]"
            )

        return f"""(
            select *, rowid - {pick({i: str(o) for i, _, o in spans})} + 1 + {base}
                   as _line_number,
                   {pick({i: quote_literal(m.batch) for i, m, _ in spans})} as _batch,
                   {pick({i: quote_literal(m.scan.relative) for i, m, _ in spans})} as _file,
                   {pick({i: quote_literal(m.scan.file_hash) for i, m, _ in spans})} as _file_hash
            from {table} where {where}
        )"""

    def _add_columns(self, source: Source, columns: list[str]) -> list[str]:
        if self._columns is None:
            self._columns = {}
            for table, column in self.con.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = 'raw'"
            ).fetchall():
                self._columns.setdefault(table, set()).add(column)
        existing = self._columns.setdefault(source.name, set())
        extra = [c for c in columns if c not in source.columns]
        for column in extra:
            if column not in existing:
                self.con.execute(
                    f"alter table raw.{source.name} add column {quote_ident(column)} varchar"
                )
                existing.add(column)
        return extra

    @staticmethod
    def _readable_copy(scan: FileScan) -> Path:
        """A copy of the file with bare CRs stood in for, for DuckDB to read."""
        handle, name = tempfile.mkstemp(suffix=".csv", prefix="ror-bare-cr-")
        stand_in = BARE_CR_STAND_IN.encode()
        carry = b""
        with os.fdopen(handle, "wb") as out, _open_bytes(scan.path) as stream:
            while chunk := stream.read(CHUNK):
                data = carry + chunk
                # A CR at the end of a chunk is decided by the next chunk's first byte.
                data, carry = (data[:-1], b"\r") if data.endswith(b"\r") else (data, b"")
                out.write(re.sub(rb"\r(?!\n)", stand_in, data))
            out.write(stand_in if carry else b"")
        return Path(name)

    def _load_csv(
        self, source: Source, group: list[_Member]
    ) -> dict[str, tuple[int, int, list[str]]]:
        header = group[0].scan.header
        # Columns are read and held under their position (_c0, _c1, ...), named by the header
        # only as they are inserted, so that no header can hide DuckDB's own file_index or
        # rowid. Unnamed columns (a pandas index) are not kept.
        kept = [(f"_c{i}", h) for i, h in enumerate(header) if h]
        extra = self._add_columns(source, [h for _, h in kept])
        bare_crs = group[0].scan.bare_crs > 0  # then the group is this one file
        temporary = self._readable_copy(group[0].scan) if bare_crs else None
        if temporary is not None:
            group[0].read_path = str(temporary)
        paths = "[" + ", ".join(quote_literal(m.read_path) for m in group) + "]"
        columns = "{" + ", ".join(f"'_c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
        reader = (
            f"read_csv({paths}, header = true, auto_detect = false, "
            f"columns = {columns}, delim = {quote_literal(source.delimiter)}, quote = '\"', "
            f"escape = '\"', store_rejects = true, rejects_table = 'ror_reject_errors', "
            f"rejects_scan = 'ror_reject_scans', max_line_size = 16777216)"
        )

        def value(column: str) -> str:
            if bare_crs:
                return f"replace({column}, {quote_literal(BARE_CR_STAND_IN)}, chr(13)) as {column}"
            return column

        select = ", ".join(
            [*(value(c) for c, _ in kept), "cast(file_index as bigint) as _ror_file_index"]
        )
        try:
            self._read(group, reader, select, "ror_file")
        finally:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
        rows_read = self._register(group, "ror_file")
        rejected = {index: lines for index, (lines, _) in self._rejects(group).items()}
        numbered = self._numbered("ror_file", "true", 1, bool(rejected))
        self.con.execute(
            f"""insert into raw.{source.name} by name
            select {", ".join(f"{c} as {quote_ident(h)}" for c, h in kept)},
                   _line_number, _batch, _file, _file_hash, {self._load_sql()}
            from {numbered}"""
        )
        self.con.execute("drop table ror_file")
        if rejected:
            self._insert_rejects(source, "r.reason")
        return {
            m.scan.relative: (rows_read.get(i, 0), rejected.get(i, 0), extra)
            for i, m in enumerate(group)
        }

    def _insert_rejects(self, source: Source, reason: str) -> None:
        """raw.rejected_lines from ror_rejects (one row per rejected line; `reason` is SQL
        over its alias r)."""
        self.con.execute(
            f"""insert into {REJECTED_LINES} by name
            select {quote_literal(source.name)} as source, r.line_number as _line_number,
                   {reason} as reason, r.raw_line, m._batch, m._file, m._file_hash,
                   {self._load_sql()}
            from ror_rejects r join ror_files m using (_ror_file_index)"""
        )

    def _load_jsonl(
        self, source: Source, group: list[_Member]
    ) -> dict[str, tuple[int, int, list[str]]]:
        paths = "[" + ", ".join(quote_literal(m.read_path) for m in group) + "]"
        # One line per row: no quoting, a delimiter JSON never holds raw (control characters
        # must be escaped in JSON strings), so a line splits only if it is not JSON anyway.
        # Blank lines are read (they count in the numbering), as NULL, and not loaded; trim()
        # copies every line, and a line that starts with "{" is not blank anyway.
        reader = f"""(select cast(file_index as bigint) as _ror_file_index,
                   case when starts_with(line, '{{') or trim(line) <> '' then line end as line
            from read_csv({paths}, header = false, auto_detect = false,
                columns = {{'line': 'VARCHAR'}}, delim = '\x1f', quote = '', escape = '',
                store_rejects = true, rejects_table = 'ror_reject_errors',
                rejects_scan = 'ror_reject_scans', max_line_size = 16777216))"""

        def is_object(line: str) -> str:  # (valid JSON that starts with "{" is an object)
            return f"""case when not json_valid({line}) then false
                when starts_with({line}, '{{') then true
                else json_type({line}) = 'OBJECT' end"""

        # Whether a line is a JSON object is decided once, as it is read.
        self._read(
            group, reader, f"_ror_file_index, line, {is_object('line')} as is_object", "ror_lines"
        )
        self._register(group, "ror_lines")
        # A file's first line loses its byte-order marks (DuckDB's reader drops only one).
        firsts = ", ".join(str(first) for _, _, first in self._spans) or "null"
        stripped = "ltrim(line, chr(65279))"
        self.con.execute(
            f"""update ror_lines set line = {stripped}, is_object = {is_object(stripped)}
            where rowid in ({firsts}) and starts_with(line, chr(65279))"""
        )
        # Per file: lines that are JSON objects, lines that are not, and the top-level keys.
        counts: dict[int, tuple[int, int]] = {}
        keys: dict[int, list[str]] = {}
        for index, good, bad, key_lists in self.con.execute(
            """select _ror_file_index, count(*) filter (where is_object),
                   count(*) filter (where not is_object),
                   list(distinct case when is_object then json_keys(line) end)
            from ror_lines where line is not null group by all"""
        ).fetchall():
            counts[index] = (good, bad)
            found = {key for key_list in key_lists for key in key_list or ()}
            keys[index] = sorted(found - EVENT_KNOWN_KEYS)
        for index, member in enumerate(group):
            good, bad = counts.get(index, (0, 0))
            if good == 0 and bad > 0:
                raise _ChunkFailed(
                    FileRefused(member.scan.relative, "not CSV/JSON", "no line is a JSON object")
                )
        # Lines DuckDB did not return (one holding the stand-in delimiter, or too long): not
        # JSON, kept all the same, one row per line (DuckDB may report several errors for
        # one line). The lines after one are numbered past it.
        split = {index: lines for index, (lines, _) in self._rejects(group).items()}
        # One json_extract_string call for all string fields: with a list of paths it returns
        # a list (5x faster than one call per field); `properties` stays JSON text.
        strings = [c for c in source.json_paths if c != "properties"]
        json_paths = ", ".join(quote_literal(source.json_paths[c]) for c in strings)
        extractions = ", ".join(
            f"_fields[{i}] as {quote_ident(c)}" for i, c in enumerate(strings, start=1)
        )
        if "properties" in source.json_paths:
            path = quote_literal(source.json_paths["properties"])
            extractions += f", cast(json_extract(line, {path}) as varchar) as properties"
        numbered = self._numbered("ror_lines", "line is not null and is_object", 0, bool(split))
        self.con.execute(
            f"""insert into raw.{source.name} by name
            select {extractions}, line as _record, _line_number, _batch, _file, _file_hash,
                   {self._load_sql()}
            from (select *, json_extract_string(line, [{json_paths}]) as _fields from {numbered})"""
        )
        if any(bad for _, bad in counts.values()):
            numbered = self._numbered(
                "ror_lines", "line is not null and not is_object", 0, bool(split)
            )
            self.con.execute(
                f"""insert into {REJECTED_LINES} by name
                select {quote_literal(source.name)} as source, _line_number,
                       case when json_valid(line) then 'malformed line: not a JSON object'
                            else 'malformed line: not valid JSON' end as reason,
                       line as raw_line, _batch, _file, _file_hash, {self._load_sql()}
                from {numbered}"""
            )
        if split:
            self._insert_rejects(source, "'malformed line: not valid JSON'")
        self.con.execute("drop table ror_lines")
        return {
            m.scan.relative: (
                counts.get(i, (0, 0))[0],
                counts.get(i, (0, 0))[1] + split.get(i, 0),
                keys.get(i, []),
            )
            for i, m in enumerate(group)
        }


def _weight(scan: FileScan) -> int:
    """What a file costs a chunk: its bytes, a gzip file's as decompressed (roughly)."""
    return scan.size_bytes * (GZIP_WEIGHT if scan.path.name.endswith(".gz") else 1)


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
