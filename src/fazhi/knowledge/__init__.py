"""Knowledge files: the data the stages run on (catalogue, rules, keywords, divisions).

Each knowledge file is ``fazhi/knowledge/data/<name>.yaml`` with a JSON Schema beside it
in ``fazhi/knowledge/data/schema/<name>.schema.json``.  A user extends or replaces one
without touching Python by pointing ``FAZHI_KNOWLEDGE_DIR`` at a folder that
holds a file of the same name: it is used instead of the packaged one, after
passing the same schema.

In-process overrides
--------------------
A database can hold versions of ``parts``, ``rules``, ``indicators`` and
``units`` and say which one is in effect (:mod:`fazhi.knowledge.versions`).
The store hands their YAML text to :func:`use`; from then on :func:`load`
returns the override instead of the file, for every stage.  :func:`use`
validates first (a bad text changes nothing), and a switch clears every cache
of data derived from knowledge: stages cache what they compile with
:func:`cached` (not ``functools.cache``), whose entries are tagged with a
*generation* that every switch bumps, so nothing compiled from the previous
knowledge survives — not even a value a concurrent thread was computing
during the switch.

:func:`using` holds a process-wide lock with the given texts in effect:
callers that review in several threads (the web app) hold it around "apply,
then review", so no review sees a switch halfway.  The stages themselves
never touch a database.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from fazhi.lru import LRU, entries_only

try:  # the C loader is several times faster on the larger files
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: the knowledge files a database can keep versions of (and override)
NAMES = ("parts", "rules", "indicators", "units")

R = TypeVar("R")


class KnowledgeError(ValueError):
    """A knowledge file is missing or does not match its schema.

    ``where`` names the file, ``location`` the place in it (a JSON path such as
    ``rules/3/severity``, or ``line 4, column 7`` for YAML syntax), ``reason``
    what is wrong; ``str()`` is ``"where: location: reason"``.
    """

    def __init__(self, message: str, *, where: str = "", location: str = "", reason: str = "",
                 line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.where, self.location, self.reason = where, location, reason
        self.line, self.column = line, column  # of a YAML syntax error (1-based)

    @property
    def syntax(self) -> bool:
        """A YAML syntax error (else the schema refused a value)."""
        return self.line is not None or self.location == "(YAML)"


# =========================================================================== state
_lock = threading.RLock()
_overrides: dict[str, str] = {}  # name -> YAML text in effect instead of the file
_data: dict[str, Any] = {}  # name -> the parsed, validated override
_generation = 0
_caches: list[Callable[[], None]] = []
_parsed: LRU[Any] = LRU(16, 1 << 30, entries_only)  # (name, sha256) -> parsed text (a few kept)


def cached(fn: Callable[..., R]) -> Callable[..., R]:
    """Like ``functools.cache`` for data derived from knowledge files: cleared by every switch.

    An entry is kept with the generation it was computed in and used only in
    that generation, so a value computed while another thread switched the
    knowledge is computed again at the next call."""
    store: dict[tuple[Any, ...], tuple[int, R]] = {}

    @wraps(fn)
    def wrapper(*args: Any) -> R:
        gen = _generation
        hit = store.get(args)
        if hit is not None and hit[0] == gen:
            return hit[1]
        value = fn(*args)
        store[args] = (gen, value)
        return value

    wrapper.cache_clear = store.clear  # type: ignore[attr-defined]
    _caches.append(store.clear)
    return wrapper


def clear_caches() -> None:
    """Forget everything loaded or compiled from knowledge (e.g. after ``FAZHI_KNOWLEDGE_DIR`` changed)."""
    global _generation
    with _lock:
        _generation += 1
        for clear in _caches:
            clear()


def generation() -> int:
    """A number that changes whenever the knowledge in effect may have changed."""
    return _generation


# =========================================================================== files
def data_path(name: str) -> Path:
    """The file a knowledge name resolves to (the user's override first)."""
    override = os.environ.get("FAZHI_KNOWLEDGE_DIR")
    if override:
        p = Path(override) / f"{name}.yaml"
        if p.exists():
            return p
    return packaged_path(name)


def packaged_path(name: str) -> Path:
    """The file shipped with fazhi (whatever ``FAZHI_KNOWLEDGE_DIR`` says)."""
    return Path(str(resources.files("fazhi.knowledge") / "data" / f"{name}.yaml"))


def schema(name: str) -> dict[str, Any] | None:
    p = Path(str(resources.files("fazhi.knowledge") / "data" / "schema" / f"{name}.schema.json"))
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
        loc = "/".join(str(p) for p in exc.absolute_path) or "(top)"
        where = where or name
        raise KnowledgeError(f"{where}: {loc}: {exc.message}", where=where, location=loc,
                             reason=exc.message) from None


def parse(name: str, text: str, where: str | None = None) -> Any:
    """Parse the YAML ``text`` of knowledge file ``name`` and validate it with the file's schema.

    Raises :class:`KnowledgeError` naming ``where`` (default ``<name>.yaml``)
    and the place: the line and column of a YAML syntax error, or the JSON
    path of the value the schema refuses."""
    where = where or f"{name}.yaml"
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(YAML)"
        reason = " ".join(x for x in (exc.context, exc.problem) if x) or str(exc)
        raise KnowledgeError(f"{where}: {loc}: {reason}", where=where, location=loc, reason=reason,
                             line=mark.line + 1 if mark is not None else None,
                             column=mark.column + 1 if mark is not None else None) from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{where}: {exc}", where=where, location="(YAML)", reason=str(exc)) from None
    validate(name, data, where)
    return data


def _read_file(name: str) -> Any:
    path = data_path(name)
    if not path.exists():
        raise KnowledgeError(f"knowledge file not found: {path}", where=str(path), reason="not found")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    validate(name, data, str(path))
    return data


@cached
def _load_file(name: str) -> Any:
    return _read_file(name)


def load(name: str) -> Any:
    """The knowledge ``name`` in effect: the override given to :func:`use`, else the file
    (loaded, validated and cached)."""
    data = _data.get(name)
    if data is not None:
        return data
    return _load_file(name)


load.cache_clear = clear_caches  # type: ignore[attr-defined]  # what tests used to call


def version(name: str) -> str:
    """The ``version`` field of a knowledge file, for provenance in the output."""
    data = load(name)
    if isinstance(data, dict):
        return str(data.get("version", "0"))
    return "0"


def base_version(name: str) -> str:
    """The ``version`` of the file (``FAZHI_KNOWLEDGE_DIR`` or packaged), whatever override is in effect."""
    data = _load_file(name)
    return str(data.get("version", "0")) if isinstance(data, dict) else "0"


def source(name: str) -> str:
    """Where the knowledge ``name`` in effect comes from: a file path, or ``"override"``."""
    return "override" if name in _data else str(data_path(name))


# =========================================================================== overrides
def overrides() -> dict[str, str]:
    """The YAML texts in effect instead of the files (``{}``: the files)."""
    return dict(_overrides)


def _parse_once(name: str, text: str) -> Any:
    key = (name, hashlib.sha256(text.encode("utf-8")).hexdigest())
    return _parsed.get_or_make(key, lambda: parse(name, text))


def use(texts: Mapping[str, str] | None) -> bool:
    """Put the YAML ``texts`` (``name -> text``, names from :data:`NAMES`) in effect instead of the
    files; ``None`` or ``{}``: back to the files.  Returns whether anything changed.

    Every text is parsed and validated first: on a :class:`KnowledgeError`
    nothing changes.  A change clears every :func:`cached` value."""
    global _overrides, _data, _generation
    new = {k: v for k, v in (texts or {}).items()}
    if new == _overrides:  # the usual case (the same database): no work
        return False
    for name in new:
        if name not in NAMES:
            raise KnowledgeError(f"{name}: not a knowledge file that can be replaced (one of {', '.join(NAMES)})",
                                 where=name, reason="unknown name")
    parsed = {name: _parse_once(name, text) for name, text in new.items()}
    with _lock:
        if new == _overrides:
            return False
        _overrides, _data = new, parsed  # first the data, then the generation (see cached)
        _generation += 1
        for clear in _caches:
            clear()
    return True


def reset() -> bool:
    """Back to the files (``use({})``)."""
    return use({})


@contextmanager
def using(texts: Mapping[str, str] | None = None) -> Iterator[None]:
    """Hold the process-wide knowledge lock with ``texts`` in effect (``None``: whatever is in
    effect now, unchanged; ``{}``: the files).  Reviews run inside see one knowledge throughout.

    The texts stay in effect afterwards: a process serving one database keeps its
    knowledge and pays for a switch only when the database's active set changes."""
    with _lock:
        if texts is not None:
            use(texts)
        yield


__all__ = ["NAMES", "KnowledgeError", "base_version", "cached", "clear_caches", "data_path", "generation", "load",
           "overrides", "packaged_path", "parse", "reset", "schema", "source", "use", "using", "validate",
           "version"]
