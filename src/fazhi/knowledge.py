"""Knowledge files: the data the stages run on (catalogue, rules, keywords, divisions).

Each knowledge file is ``fazhi/data/<name>.yaml`` with a JSON Schema beside it
in ``fazhi/data/schema/<name>.schema.json``.  A user extends or replaces one
without touching Python by pointing ``FAZHI_KNOWLEDGE_DIR`` at a folder that
holds a file of the same name: it is used instead of the packaged one, after
passing the same schema.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is several times faster on the larger files
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class KnowledgeError(ValueError):
    """A knowledge file is missing or does not match its schema."""


def data_path(name: str) -> Path:
    """The file a knowledge name resolves to (the user's override first)."""
    override = os.environ.get("FAZHI_KNOWLEDGE_DIR")
    if override:
        p = Path(override) / f"{name}.yaml"
        if p.exists():
            return p
    return Path(str(resources.files("fazhi") / "data" / f"{name}.yaml"))


def schema(name: str) -> dict[str, Any] | None:
    p = Path(str(resources.files("fazhi") / "data" / "schema" / f"{name}.schema.json"))
    if not p.exists():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def validate(name: str, data: Any, where: str = "") -> None:
    sch = schema(name)
    if sch is None:
        return
    import jsonschema

    try:
        jsonschema.validate(data, sch)
    except jsonschema.ValidationError as exc:
        loc = "/".join(str(p) for p in exc.absolute_path)
        raise KnowledgeError(f"{where or name}: {loc or '(top)'}: {exc.message}") from None


@cache
def load(name: str) -> Any:
    """Load and validate a knowledge file (cached for the process)."""
    path = data_path(name)
    if not path.exists():
        raise KnowledgeError(f"knowledge file not found: {path}")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    validate(name, data, str(path))
    return data


def version(name: str) -> str:
    """The ``version`` field of a knowledge file, for provenance in the output."""
    data = load(name)
    if isinstance(data, dict):
        return str(data.get("version", "0"))
    return "0"
