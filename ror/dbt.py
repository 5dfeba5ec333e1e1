"""Running dbt for a warehouse: the profile `ror` writes for itself, and `dbt build`."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ror.child import PARENT_PID
from ror.settings import PROJECT_DIR, Paths


@dataclass
class DbtResult:
    returncode: int
    failures: list[str]  # "model.ror.x: error" lines from run_results.json
    log_file: Path


def profile_text(paths: Paths) -> str:
    """The profile of profiles.example.yml, with this run's absolute warehouse path."""
    return (
        "ror:\n"
        "  target: dev\n"
        "  outputs:\n"
        "    dev:\n"
        "      type: duckdb\n"
        f"      path: {json.dumps(str(paths.warehouse))}\n"
        "      schema: main\n"
        f"      threads: {paths.threads}\n"
        "      settings:\n"
        f"        memory_limit: {json.dumps(paths.memory_limit)}\n"
        "        preserve_insertion_order: false\n"
        "      plugins:\n"
        "        - module: python_udfs.plugin\n"
    )


def pseudonym_salt(paths: Paths) -> str:
    """The salt of the marts' person keys: ROR_PSEUDONYM_SALT, else a secret kept beside the
    warehouse (created once, mode 0600), never in the repository."""
    if os.environ.get("ROR_PSEUDONYM_SALT"):
        return os.environ["ROR_PSEUDONYM_SALT"]
    salt_file = paths.home / f"{paths.warehouse.stem}.salt"
    if not salt_file.exists():
        salt_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(salt_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return salt_file.read_text().strip()


def project_hash() -> str:
    """sha256 of dbt_project.yml and of every file in its model, macro, seed and test paths
    (what the data tests and the models are made of; not python_udfs, analyses or the
    profile): a refresh tests only the rows of the latest builds when the project is the
    one the previous refresh was published with (ror.refresh)."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    defaults = {  # dbt's, for a key dbt_project.yml leaves out
        "model-paths": ["models"],
        "macro-paths": ["macros"],
        "seed-paths": ["seeds"],
        "test-paths": ["tests"],
    }
    folders = [folder for key, default in defaults.items() for folder in project.get(key, default)]
    digest = hashlib.sha256((PROJECT_DIR / "dbt_project.yml").read_bytes())
    for folder in sorted(folders):
        for file in sorted((PROJECT_DIR / folder).rglob("*")):
            if file.is_file():
                digest.update(str(file.relative_to(PROJECT_DIR)).encode() + b"\0")
                digest.update(file.read_bytes())
    return digest.hexdigest()


def dbt_executable() -> str:
    local = Path(sys.executable).with_name("dbt")
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def dbt_command(paths: Paths, args: list[str]) -> list[str]:
    paths.dbt_dir.mkdir(parents=True, exist_ok=True)
    (paths.dbt_dir / "profiles.yml").write_text(profile_text(paths))
    return [
        dbt_executable(),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(paths.dbt_dir),
        "--target-path",
        str(paths.dbt_dir / "target"),
        "--log-path",
        str(paths.dbt_dir / "logs"),
    ]


def dbt_env(paths: Paths) -> dict[str, str]:
    """The environment dbt runs in for this warehouse: its path and salt for the profile."""
    env = dict(
        os.environ,
        ROR_WAREHOUSE=str(paths.warehouse),
        ROR_PSEUDONYM_SALT=pseudonym_salt(paths),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.setdefault("DBT_USE_COLORS", "false")
    return env


class PreparedDbt:
    """A dbt child process started before its command is known: it imports dbt (about 1.6 s
    here) while the caller does something else (`ror refresh`: the gate), then `run` sends
    the command and streams dbt's lines (ror.dbt_child). `close` ends a child never run,
    after its imports (it reads its input only then)."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ror.dbt_child"],
            cwd=PROJECT_DIR,
            # The child asks to die with this process itself (ror.dbt_child): no preexec_fn,
            # which is unsafe while this process has other threads (the gate's pool).
            env=dbt_env(paths) | {PARENT_PID: str(os.getpid())},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )

    def run(
        self, args: list[str], echo: Callable[[str], None], env: dict[str, str] | None = None
    ) -> DbtResult:
        """Run `dbt <args>` in the child, streaming its lines to `echo`; `env`: more
        variables."""
        assert self.process.stdin is not None and self.process.stdout is not None
        command = dbt_command(self.paths, args)[1:]  # the child is the executable
        with self.process:
            # A child that failed to start has closed its end: its output says why.
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.write(json.dumps({"args": command, "env": env or {}}) + "\n")
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()  # closed even when its flush fails
            for line in self.process.stdout:
                echo(line.rstrip("\n"))
        return DbtResult(
            self.process.returncode, _failures(self.paths), self.paths.dbt_dir / "logs" / "dbt.log"
        )

    def __enter__(self) -> PreparedDbt:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """End the child if it has not run: it exits when its input ends."""
        if self.process.returncode is None:
            with self.process:
                pass  # closes stdin and stdout, then waits


def run_dbt(
    paths: Paths,
    args: list[str],
    echo: Callable[[str], None],
    env: dict[str, str] | None = None,
) -> DbtResult:
    """Run dbt in a child process, streaming its lines to `echo`; `env`: more variables."""
    return PreparedDbt(paths).run(args, echo, env)


def _failures(paths: Paths) -> list[str]:
    results = paths.dbt_dir / "target" / "run_results.json"
    if not results.exists():
        return []
    try:
        data = json.loads(results.read_text())
    except json.JSONDecodeError:
        return []
    failing = []
    for result in data.get("results", []):
        if result.get("status") in ("error", "fail", "runtime error"):
            message = (result.get("message") or "").strip().splitlines()
            failing.append(f"{result['unique_id']}: {message[0] if message else result['status']}")
    return failing


def incremental_keys(paths: Paths) -> dict[str, tuple[str, ...]]:
    """The unique key of every incremental model, by "schema.table", from the manifest of
    the last dbt run (empty when there is none): what publishing needs to bring such a
    table up to date in the last published copy instead of copying it whole."""
    manifest = paths.dbt_dir / "target" / "manifest.json"
    try:
        nodes = json.loads(manifest.read_text())["nodes"].values()
    except (OSError, json.JSONDecodeError, KeyError):
        return {}
    keys = {}
    for node in nodes:
        config = node.get("config", {})
        key = config.get("unique_key")
        if node.get("resource_type") != "model" or config.get("materialized") != "incremental":
            continue
        if key:
            keys[f"{node['schema']}.{node['alias']}"] = (
                (key,) if isinstance(key, str) else tuple(key)
            )
    return keys
