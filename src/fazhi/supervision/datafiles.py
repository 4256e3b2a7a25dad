"""Load the supervision cycle's knowledge files, each checked against its JSON Schema.

Synonyms of column headers, unit-name patterns and indicator systems are data a
user extends without Python: YAML files in ``supervision/data`` with a schema in
``supervision/data/schema/<name>.schema.json``.  This module is the one place
that reads and validates them, so every loader reports a bad file the same way
(a Chinese message naming the file and the value the schema refuses).
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml


class DataFileError(ValueError):
    """A knowledge file cannot be parsed or does not match its schema."""


def data_path(*parts: str) -> Path:
    """Path of a file shipped in ``supervision/data`` (``data_path("frameworks", "x.yaml")``)."""
    return Path(str(resources.files("fazhi.supervision").joinpath("data", *parts)))


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``data/schema/<name>.schema.json``."""
    result: dict[str, Any] = json.loads(data_path("schema", f"{name}.schema.json").read_text("utf-8"))
    return result


def parse(text: str, schema_name: str, where: str) -> Any:
    """Parse YAML ``text`` and validate it with schema ``schema_name``; ``where`` names the file in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise DataFileError(f"{where}：YAML 格式错误{at}（{getattr(exc, 'problem', exc)}）") from exc
    try:
        jsonschema.validate(data, schema(schema_name))
    except jsonschema.ValidationError as exc:
        location = "/".join(str(p) for p in exc.absolute_path) or "（顶层）"
        raise DataFileError(f"{where}：{location} 不符合格式要求：{exc.message}") from exc
    return data


def load(path: Path, schema_name: str) -> Any:
    """Read and validate the YAML file ``path`` with schema ``schema_name``."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}：无法读取（{exc}）") from exc
    return parse(text, schema_name, str(path))


@functools.cache
def packaged(name: str) -> Any:
    """The packaged knowledge file ``data/<name>.yaml``, validated with ``schema/<name>.schema.json``."""
    return load(data_path(f"{name}.yaml"), name)
