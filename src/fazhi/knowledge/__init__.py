"""Knowledge: the data the review stages run on (part phrasings, rules, the indicator catalogue, units).

Each knowledge file is ``fazhi/knowledge/data/<name>.yaml`` with a JSON Schema
beside it in ``fazhi/knowledge/data/schema/<name>.schema.json``.  A user extends
or replaces one without touching Python by pointing ``FAZHI_KNOWLEDGE_DIR`` at a
folder that holds a file of the same name: it is used instead of the packaged
one, after passing the same schema.  A database keeps versions of them too
(:mod:`fazhi.knowledge.versions`).

Knowledge is a value
--------------------
A :class:`Knowledge` holds one parsed, validated set (``parts``, ``rules``,
``indicators``, ``units``) with their versions.  The reviewer is given one
(:class:`fazhi.review.pipeline.Reviewer`); a review carries it
(``Review.knowledge``), and every stage reads what it needs from it.  Nothing
is switched process-wide: two reviews under two versions run side by side in
one process, in threads, at once.  What stages compile from knowledge (the
catalogue's phrase index, the part patterns, the units lexicon) is kept on the
:class:`Knowledge` itself (:meth:`Knowledge.compiled`), so it is compiled once
per set, and the same texts always give the same :class:`Knowledge` instance
(:func:`from_texts` keeps the sets it made, by content).

- :func:`files` — the packaged files, each replaced by ``FAZHI_KNOWLEDGE_DIR``'s
  file of the same name where there is one;
- :func:`from_texts` — those with some files replaced by YAML texts (a
  database's active versions);
- :func:`parse` — one text, parsed and validated (YAML, schema, regular
  expressions: see :mod:`fazhi.knowledge.patterns`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from fazhi.knowledge.patterns import PatternError, check_data
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



# =========================================================================== the value
class Knowledge:
    """One set of knowledge: the parsed, validated ``parts``, ``rules``, ``indicators`` and ``units``.

    ``origin[name]`` says where each came from (a file path, or ``"override"``
    for a text such as a database version).  Immutable: a change is a new
    :class:`Knowledge`.  ``key`` names the content (the sha256 of each file's
    text), so equal keys mean equal knowledge."""

    __slots__ = ("_compiled", "_data", "_lock", "key", "origin", "shas")

    def __init__(self, data: Mapping[str, Any], origin: Mapping[str, str], shas: Mapping[str, str]) -> None:
        self._data = dict(data)
        self.origin = dict(origin)
        self.shas = dict(shas)
        self.key = ";".join(f"{n}={self.shas[n][:16]}" for n in NAMES)
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def version(self, name: str) -> str:
        """The ``version`` field of a knowledge file, for provenance in the output."""
        data = self._data[name]
        return str(data.get("version", "0")) if isinstance(data, dict) else "0"

    @property
    def versions(self) -> dict[str, str]:
        """Versions of fazhi, of every knowledge file and of the divisions table (stored with each review)."""
        return dict(self.compiled("versions", lambda: _versions(self)))

    def compiled(self, what: str, make: Callable[[], R]) -> R:
        """What a stage compiles from this knowledge (``what`` names it), made once per :class:`Knowledge`."""
        try:
            return self._compiled[what]  # type: ignore[no-any-return,unused-ignore]
        except KeyError:
            pass
        value = make()  # outside the lock: making one thing may need another
        with self._lock:
            return self._compiled.setdefault(what, value)  # type: ignore[no-any-return,unused-ignore]

    def with_texts(self, texts: Mapping[str, str] | None) -> Knowledge:
        """This knowledge with some files replaced by YAML ``texts`` (``name -> text``), each parsed and
        validated first (:class:`KnowledgeError` names the file and the place)."""
        if not texts:
            return self
        for name in texts:
            if name not in NAMES:
                raise KnowledgeError(f"{name}: not a knowledge file that can be replaced (one of {', '.join(NAMES)})",
                                     where=name, reason="unknown name")
        data, origin, shas = dict(self._data), dict(self.origin), dict(self.shas)
        for name, text in texts.items():
            data[name] = _parse_once(name, text)
            origin[name] = "override"
            shas[name] = _sha(text)
        return Knowledge(data, origin, shas)

    def __repr__(self) -> str:
        return f"Knowledge({', '.join(f'{n}={self.version(n)}' for n in NAMES)})"


def _versions(kn: Knowledge) -> dict[str, str]:
    from fazhi._version import __version__

    out = {"fazhi": __version__}
    for name in NAMES:
        out[name] = kn.version(name)
    meta = Path(str(resources.files("fazhi.knowledge") / "data" / "divisions.meta.json"))
    if meta.exists():
        src = json.loads(meta.read_text(encoding="utf-8")).get("source", {})
        out["divisions"] = str(src.get("current_version", "0"))
    return out


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# =========================================================================== files
def data_path(name: str) -> Path:
    """The file a knowledge name resolves to (the user's override first)."""
    override = os.environ.get("FAZHI_KNOWLEDGE_DIR")
    if override:
        p = Path(override) / f"{name}.yaml"
        if p.exists():
            return p
    return packaged_path(name)


@functools.cache
def packaged_path(name: str) -> Path:
    """The file shipped with fazhi (whatever ``FAZHI_KNOWLEDGE_DIR`` says); found once per name (each
    ``fazhi.review()`` call checks the files' stamps, and resolving a package resource is not free)."""
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
    try:
        check_data(name, data)
    except PatternError as exc:
        raise KnowledgeError(f"{where}: {exc.location}: {exc}", where=where, location=exc.location,
                             reason=str(exc)) from None
    return data



def _read(name: str) -> tuple[str, str]:
    path = data_path(name)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except FileNotFoundError:
        raise KnowledgeError(f"knowledge file not found: {path}", where=str(path), reason="not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path}: {exc}", where=str(path), reason=str(exc)) from None


_files_lock = threading.Lock()
_files: dict[tuple[Any, ...], Knowledge] = {}


def _files_stamp() -> tuple[Any, ...]:
    """What decides the files' knowledge: the override folder and each file's modification time."""
    out: list[Any] = [os.environ.get("FAZHI_KNOWLEDGE_DIR") or ""]
    for name in NAMES:
        p = data_path(name)
        try:
            st = p.stat()
            out.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(p), None))
    return tuple(out)


def files() -> Knowledge:
    """The packaged knowledge, each file replaced by ``FAZHI_KNOWLEDGE_DIR``'s file of the same name where
    there is one — loaded, validated and kept (read again when a file or the folder changes)."""
    stamp = _files_stamp()
    got = _files.get(stamp)
    if got is not None:
        return got
    with _files_lock:
        got = _files.get(stamp)
        if got is None:
            data, origin, shas = {}, {}, {}
            for name in NAMES:
                text, where = _read(name)
                data[name] = _parse_once(name, text, where)
                origin[name], shas[name] = where, _sha(text)
            got = Knowledge(data, origin, shas)
            _files.clear()
            _files[stamp] = got
    return got


_sets: LRU[Knowledge] = LRU(16, 1 << 30, entries_only)


def from_texts(texts: Mapping[str, str] | None) -> Knowledge:
    """:func:`files` with some files replaced by YAML ``texts`` (``name -> text``; ``None``/``{}``: the
    files).  The same texts give the same :class:`Knowledge` (what stages compiled from it included)."""
    base = files()
    if not texts:
        return base
    key = (base.key, tuple(sorted((n, _sha(t)) for n, t in texts.items())))
    return _sets.get_or_make(key, lambda: base.with_texts(texts))


_parsed: LRU[Any] = LRU(32, 1 << 30, entries_only)  # (name, sha256) -> parsed text


def _parse_once(name: str, text: str, where: str | None = None) -> Any:
    return _parsed.get_or_make((name, _sha(text)), lambda: parse(name, text, where))


def load(name: str) -> Any:
    """The file knowledge ``name`` (:func:`files`), for callers that review nothing (e.g. the CLI's listing)."""
    return files()[name]


def version(name: str) -> str:
    """The ``version`` of the file knowledge ``name`` (``FAZHI_KNOWLEDGE_DIR`` or packaged)."""
    return files().version(name)


def source(name: str) -> str:
    """Where the file knowledge ``name`` comes from: a file path."""
    return files().origin[name]


__all__ = ["NAMES", "Knowledge", "KnowledgeError", "PatternError", "data_path", "files", "from_texts", "load",
           "packaged_path", "parse", "schema", "source", "validate", "version"]
