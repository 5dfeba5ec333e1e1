"""The house layout of models/, read from the files (no dbt run): a newcomer finds a model's
properties beside its SQL, in the folder's one `_<folder>__models.yml`, and only staging
calls source()."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

MODELS = Path(__file__).resolve().parent.parent / "models"
MODEL_SUFFIXES = (".sql", ".py")


def model_files() -> dict[str, Path]:
    return {
        path.stem: path
        for path in MODELS.rglob("*")
        if path.suffix in MODEL_SUFFIXES and path.parent.name != "docs"
    }


def properties_files() -> list[Path]:
    return sorted(MODELS.rglob("_*__models.yml"))


def test_every_model_has_its_properties_beside_it_in_its_folder_s_file() -> None:
    files = model_files()
    described: dict[str, Path] = {}
    problems = []
    for properties in properties_files():
        expected = f"_{properties.parent.name}__models.yml"
        if properties.name != expected:
            problems.append(f"{properties.relative_to(MODELS)}: expected the name {expected}")
        for model in yaml.safe_load(properties.read_text()).get("models", []):
            name = model["name"]
            if name in described:
                problems.append(f"{name}: described twice")
            described[name] = properties
            if name not in files:
                problems.append(f"{properties.relative_to(MODELS)}: {name} has no model file")
            elif files[name].parent != properties.parent:
                problems.append(
                    f"{name}: described in {properties.relative_to(MODELS)}, "
                    f"its file is {files[name].relative_to(MODELS)}"
                )
    problems += [f"{name}: not described" for name in sorted(set(files) - set(described))]
    assert not problems, "\n".join(problems)


def test_only_staging_calls_source_and_staging_names_its_source() -> None:
    problems = []
    for name, path in sorted(model_files().items()):
        folder = path.relative_to(MODELS).parts
        calls_source = re.search(r"\bsource\s*\(", path.read_text()) is not None
        if folder[0] != "staging":
            if calls_source:
                problems.append(f"{name}: calls source() outside staging")
            continue
        source = folder[1]
        if not name.startswith(f"stg_{source}__"):
            problems.append(f"{name}: a staging model of {source} is named stg_{source}__...")
        if not (path.parent / f"_{source}__sources.yml").exists():
            problems.append(f"{name}: no _{source}__sources.yml beside it")
    assert not problems, "\n".join(problems)
