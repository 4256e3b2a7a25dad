"""Copied and formulaic text across a corpus of reports (storage-agnostic).

What it finds
-------------
* **near-duplicate reports**: pairs whose sets of character shingles have a
  Jaccard similarity ≥ ``threshold`` (default 0.5), found with MinHash LSH and
  verified exactly (:meth:`CorpusIndex.pairs`);
* **the closest reports** to one report, exactly ranked, with the **shared
  passages** mapped back to spans in both texts (:meth:`CorpusIndex.similar`,
  :func:`shared_passages`);
* **boilerplate vs copying**: a shingle used by many distinct issuers
  (≥ :attr:`Params.common_issuers`, see :meth:`CorpusIndex.common_df`) or
  inside a known formula (the ``text.boilerplate`` phrases of ``rules.yaml``)
  is *formulaic*; shared text that is not is *copied*;
* **originality**: the share of a report's characters shared with no other
  issuer's report (:func:`originality`), with the copied and formulaic shares,
  which the ``text.copied`` / ``text.formulaic`` rules and the score's
  ``originality`` dimension read from ``review.memo["corpus"]``
  (:func:`apply`).

Representation
--------------
A report's normalised text is cut into sentences (on 。！？；and line ends);
headings, titles, signatures and pieces of fewer than 8 Han characters/digits
are dropped; what is left is reduced to Han characters, digits and Latin
letters (punctuation and spaces go).  Shingles are the 5-character windows
inside one sentence, hashed to 32 bits (a 64-bit polynomial hash, mixed with
murmur3's finaliser); a report is the *set* of its shingle hashes.  Jaccard
over these sets is the report-level similarity ("exact": 32-bit hashes of
~3,000 shingles per pair collide with probability ~0.1 %).

MinHash: one-permutation hashing
--------------------------------
Signatures use one-permutation MinHash (Li, Owen & Zhang 2012) with optimal
densification (Shrivastava 2017): each shingle hash is mixed once, its top 8
bits choose one of 256 bins and the minimum of its low 32 bits is kept per
bin; empty bins borrow from a bin chosen by a fixed per-bin random sequence.
Two signatures agree in a bin with probability equal to the Jaccard
similarity, as with 256 independent permutations, but computing one costs one
hash per shingle instead of 256: measured on generated reports, ~25 µs per
report against ~1.5 ms for the same numpy code with 256 permutations and
~3–5 ms for ``datasketch.MinHash`` (128 permutations, Python-level hashing
per shingle) — at 100,000 reports the difference between seconds and many
minutes.  numpy is the only dependency.

LSH banding: 42 bands × 6 rows (252 of the 256 bins).  Unrelated generated
reports share template text (Jaccard median 0.18, 99.9th percentile 0.33), so
the S-curve must be steep between 0.3 and 0.6: P(candidate) is 0.03 at 0.3,
0.16 at 0.4, 0.48 at 0.5, 0.87 at 0.6 and 0.995 at 0.7.  Near-duplicates
are rarely near the threshold (generated copies: median 0.84), so recall
against exact all-pairs stays above 0.95; a wider curve (5 rows) would
multiply the candidates from the template-sharing background.  Candidates
are filtered by the signature estimate (keep ≥ threshold − 0.1, 3σ at 256
bins) and verified exactly.  Up to ``EXACT_MAX`` reports, and for lower
thresholds, :meth:`CorpusIndex.pairs` compares every pair exactly instead.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from fazhi import knowledge
from fazhi.private import open_private, private_dir
from fazhi.units.identity import issuer_key

FORMAT = "fazhi.similar/1"

_U64 = np.uint64
_M32 = _U64(0xFFFFFFFF)
_POLY = _U64(0x100000001B3)
_EMPTY = np.uint32(0xFFFFFFFF)


@dataclass(frozen=True)
class Params:
    """Parameters of an index; an index is only comparable with itself (persisted with it)."""

    shingle: int = 5  # characters per shingle
    bins: int = 256  # one-permutation MinHash bins (a power of two)
    bands: int = 42
    rows: int = 6
    threshold: float = 0.5  # Jaccard of near-duplicate reports
    margin: float = 0.1  # signature-estimate prefilter: keep candidates ≥ threshold − margin
    min_sentence: int = 8  # kept sentences have at least this many Han characters/digits
    heading_max: int = 40  # a line without 。！？；of at most this many characters is a heading/title
    common_issuers: int = 5  # shingles used by this many distinct issuers are formulaic …
    common_fraction: float = 0.02  # … or by this fraction of them, whichever is fewer (never fewer than 3)
    min_run: int = 10  # shared runs shorter than this (characters) are ordinary words, not shared text
    min_passage: int = 12  # shortest shared passage reported (characters, punctuation not counted)
    max_gap: int = 6  # shared windows this close are one passage (a changed figure does not split it)
    seed: int = 1

    def __post_init__(self) -> None:
        if self.bins & (self.bins - 1) or not 16 <= self.bins <= 65536:
            raise ValueError("bins must be a power of two between 16 and 65536")
        if self.bands * self.rows > self.bins:
            raise ValueError("bands × rows must not exceed bins")

    def lsh_probability(self, s: float) -> float:
        """Probability that a pair of Jaccard ``s`` becomes an LSH candidate."""
        return 1.0 - (1.0 - s ** self.rows) ** self.bands


# =========================================================================== hashing
def _fmix(h: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finaliser (in place on a uint64 array; wraps)."""
    h ^= h >> _U64(33)
    h *= _U64(0xFF51AFD7ED558CCD)
    h ^= h >> _U64(33)
    h *= _U64(0xC4CEB9FE1A85EC53)
    h ^= h >> _U64(33)
    return h


# =========================================================================== sentences
_TERM = "。！？；!?;"
_MARKER = re.compile(
    r"[\s\u3000]*(?:第[一二三四五六七八九十百]+[部分章节条]|[一二三四五六七八九十]+[、.．]|"
    r"[（(][一二三四五六七八九十]+[)）]|\d{1,2}[、.．](?!\d)|[（(]\d{1,2}[)）]|[-•·●○■□◆])")


def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables over the BMP: the code a kept character is hashed as (0: not kept —
    Han characters, 〇, digits and Latin letters are kept, full-width ones as ASCII), and
    the kind of break (1: sentence end 。！？；, 2: line end)."""
    code = np.zeros(0x10000, dtype=np.uint32)
    for lo, hi in ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x3007, 0x3007),
                   (0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)):
        code[lo:hi + 1] = np.arange(lo, hi + 1, dtype=np.uint32)
    for lo, hi in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):
        code[lo:hi + 1] = np.arange(lo, hi + 1, dtype=np.uint32) - 0xFEE0
    brk = np.zeros(0x10000, dtype=np.int8)
    for ch in _TERM:
        brk[ord(ch)] = 1
    for ch in "\n\r\u2028\u2029":
        brk[ord(ch)] = 2
    return code, brk


_CODE, _BREAK = _tables()


@dataclass
class _Pieces:
    codes: np.ndarray  # uint32 hashed code of each character (0: not kept)
    sid: np.ndarray  # piece of each character
    starts: np.ndarray  # first character of each piece
    ends: np.ndarray  # one past the last character of each piece (terminators included)
    kept: np.ndarray  # bool per piece


def _pieces(text: str, p: Params) -> _Pieces:
    raw = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    bmp = np.minimum(raw, 0xFFFF)
    codes = _CODE[bmp]
    brk = _BREAK[bmp]
    n = len(raw)
    cls = codes != 0
    term = brk == 1
    nl = brk == 2
    # a piece starts at 0, after a newline, and after the last of a run of terminators
    start = np.zeros(n, dtype=bool)
    if n:
        start[0] = True
        start[1:] = nl[:-1] | (term[:-1] & ~term[1:])
    starts = np.flatnonzero(start)
    sid = np.cumsum(start) - 1
    ends = np.concatenate((starts[1:], [n]))
    # a piece never includes the newline that ends it
    ends = ends - nl[ends - 1] if n else ends
    chars = np.bincount(sid, weights=cls, minlength=len(starts)) if n else np.zeros(0)
    kept = chars >= p.min_sentence
    # lines without 。！？；of at most heading_max characters: titles, headings, signatures
    line = np.cumsum(nl) - nl
    line_chars = np.bincount(line, weights=cls) if n else np.zeros(0)
    line_term = np.bincount(line, weights=term) if n else np.zeros(0)
    pl = line[starts] if n else starts
    kept &= ~((line_chars[pl] <= p.heading_max) & (line_term[pl] == 0))
    # a short first piece after an outline marker: an inline heading (（一）加强组织领导。)
    first = np.concatenate(([True], pl[1:] != pl[:-1])) if len(pl) else pl.astype(bool)
    for i in np.flatnonzero(kept & first & (chars <= p.heading_max)).tolist():
        if _MARKER.match(text, int(starts[i]), int(ends[i])):
            kept[i] = False
    return _Pieces(codes, sid, starts, ends, kept)


def sentences(text: str, params: Params | None = None) -> list[tuple[int, int]]:
    """The ``(start, end)`` of the sentences of ``text`` that count for similarity.

    Split on 。！？；and line ends; dropped: pieces with fewer than
    ``min_sentence`` Han characters/digits, lines with no sentence
    punctuation of at most ``heading_max`` characters (titles, headings,
    addressee, signature, date), and pieces that start a line with an outline
    marker and are no longer than a heading (``（一）加强组织领导。``).
    """
    pc = _pieces(text, params or DEFAULT)
    return [(int(s), int(e)) for s, e, k in zip(pc.starts, pc.ends, pc.kept, strict=True) if k]


# =========================================================================== features
@dataclass
class Prepared:
    """A text cut for similarity: its kept characters and their shingle windows.

    ``pos[i]`` is the offset in the text of kept character ``i``;
    ``win_at[j]`` the kept-character index where valid window ``j`` starts
    and ``win_hash[j]`` its hash (windows never cross a sentence end).
    """

    text: str
    pos: np.ndarray  # int64, kept char -> text offset
    win_at: np.ndarray  # int64, window -> kept char index of its first character
    win_hash: np.ndarray  # uint32
    chars: int  # kept characters (in kept sentences)

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Text offsets covering kept characters ``first``..``last`` (inclusive)."""
        return int(self.pos[first]), int(self.pos[last]) + 1


def prepare(text: str, params: Params | None = None) -> Prepared:
    """Cut ``text`` into kept sentences and hash its shingle windows (see the module doc)."""
    p = params or DEFAULT
    k = p.shingle
    pc = _pieces(text, p)
    keep = (pc.codes != 0) & pc.kept[pc.sid] if len(pc.sid) else pc.codes != 0
    pos = np.flatnonzero(keep)
    cc = pc.codes[pos].astype(_U64)
    s_of = pc.sid[pos]
    n = len(cc) - k + 1
    if n <= 0:
        return Prepared(text, pos, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint32), len(pos))
    h = cc[:n].copy()
    for j in range(1, k):
        h *= _POLY
        h += cc[j:j + n]
    valid = s_of[:n] == s_of[k - 1:]
    win_at = np.flatnonzero(valid)
    h = _fmix(h[valid])
    return Prepared(text, pos, win_at, (h >> _U64(32)).astype(np.uint32), len(pos))


def _unique(a: np.ndarray) -> np.ndarray:
    """Sorted unique values (sort-based: faster than numpy 2's hash unique on small arrays)."""
    if len(a) < 2:
        return np.sort(a)
    a = np.sort(a)
    return a[np.concatenate(([True], a[1:] != a[:-1]))]


def shingles(text: str, params: Params | None = None) -> np.ndarray:
    """The report's shingle set: sorted unique uint32 hashes."""
    return _unique(prepare(text, params).win_hash)


class MinHasher:
    """One-permutation MinHash with optimal densification (see the module doc)."""

    def __init__(self, params: Params | None = None) -> None:
        self.p = params or DEFAULT
        self.bits = self.p.bins.bit_length() - 1
        rng = np.random.default_rng(self.p.seed)
        self.salt = _U64(int(rng.integers(1, 2 ** 63)))
        self._mult = (rng.integers(1, 2 ** 63, size=self.p.rows, dtype=np.uint64) | _U64(1))
        self._dense_salt = _U64(int(rng.integers(1, 2 ** 63)))

    def signature(self, sh: np.ndarray) -> np.ndarray:
        """uint32[bins] for a set of shingle hashes (all 0xFFFFFFFF for an empty set)."""
        bins = self.p.bins
        sig = np.full(bins, _EMPTY, dtype=np.uint32)
        if len(sh) == 0:
            return sig
        y = _fmix(sh.astype(_U64) ^ self.salt)
        b = (y >> _U64(64 - self.bits)).astype(np.intp)
        v = (y & _M32).astype(np.uint32)
        np.minimum.at(sig, b, v)
        filled = np.zeros(bins, dtype=bool)
        filled[b] = True
        if filled.all():
            return sig
        # optimal densification: empty bin j takes the value of the first filled bin in
        # its own fixed random sequence (the same for every document)
        empty = np.flatnonzero(~filled)
        src = sig.copy()
        attempt = _U64(0)
        while len(empty):
            attempt += _U64(1)
            r = _fmix((empty.astype(_U64) << _U64(20)) + attempt + self._dense_salt)
            cand = (r >> _U64(64 - self.bits)).astype(np.intp)
            ok = filled[cand]
            sig[empty[ok]] = src[cand[ok]]
            empty = empty[~ok]
        return sig

    def band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """uint64[n, bands]: one hash per band of ``rows`` signature values."""
        p = self.p
        s = sigs[:, :p.bands * p.rows].reshape(len(sigs), p.bands, p.rows).astype(_U64)
        key = np.zeros(s.shape[:2], dtype=_U64)
        for j in range(p.rows):
            key ^= _fmix(s[:, :, j] * self._mult[j] + _U64(j + 1))
        return key


@dataclass
class DocFeatures:
    """What the index keeps of one report: computable in a worker process."""

    shingles: np.ndarray  # sorted unique uint32
    signature: np.ndarray  # uint32[bins]
    chars: int


def doc_features(text: str, params: Params | None = None) -> DocFeatures:
    """Shingle set, signature and kept-character count of one text."""
    return features_many([text], params)[0]


@cache
def _hasher(p: Params) -> MinHasher:
    return MinHasher(p)


def features_many(texts: Iterable[str], params: Params | None = None) -> list[DocFeatures]:
    """:func:`doc_features` over many texts (what a worker process runs on a chunk)."""
    p = params or DEFAULT
    mh = _hasher(p)
    out = []
    for t in texts:
        pr = prepare(t, p)
        sh = _unique(pr.win_hash)
        out.append(DocFeatures(sh, mh.signature(sh), pr.chars))
    return out


# =========================================================================== known formulae
def known_phrases() -> tuple[str, ...]:
    """The formulaic phrases of the ``text.boilerplate`` rule of the knowledge files (``rules.yaml``): the
    similarity index is one per database and outlives knowledge versions, so it uses the files'."""
    for r in knowledge.files()["rules"]["rules"]:
        if r.get("id") == "text.boilerplate":
            return tuple((r.get("params") or {}).get("phrases", []))
    return ()


def _known_hashes(p: Params) -> np.ndarray:
    kn = knowledge.files()

    def make() -> np.ndarray:
        hs = [prepare(ph + "。", Params(**{**asdict(p), "min_sentence": 1, "heading_max": 0})).win_hash
              for ph in known_phrases()]
        return np.unique(np.concatenate(hs)) if hs else np.empty(0, dtype=np.uint32)

    return kn.compiled(f"similar.known_hashes.{p}", make)


def known_spans(text: str) -> list[tuple[int, int]]:
    """Where the known formulae occur in ``text`` (longest first, no overlaps)."""
    taken: list[tuple[int, int]] = []
    for ph in sorted(known_phrases(), key=len, reverse=True):
        start = text.find(ph)
        while start >= 0:
            end = start + len(ph)
            if not any(a < end and start < b for a, b in taken):
                taken.append((start, end))
            start = text.find(ph, end)
    return sorted(taken)


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Boolean mask: which ``values`` are in the sorted array ``sorted_set``.

    Many values: a 2^24-entry table of the set's low bits sorts out most
    misses in one gather; only the rest are looked up.
    """
    if len(sorted_set) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    if len(values) < 50_000:
        i = np.searchsorted(sorted_set, values)
        i[i == len(sorted_set)] = 0
        return sorted_set[i] == values
    out = np.zeros(len(values), dtype=bool)
    lut = np.zeros(1 << 24, dtype=bool)
    lut[sorted_set & 0xFFFFFF] = True
    cand = np.flatnonzero(lut[values & 0xFFFFFF])
    out[cand] = _member(values[cand], sorted_set) if len(cand) < 50_000 else _search(values[cand], sorted_set)
    return out


def _search(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    i = np.searchsorted(sorted_set, values)
    i[i == len(sorted_set)] = 0
    return sorted_set[i] == values


# =========================================================================== results
@dataclass
class Passage:
    """Text shared by two reports: spans in both, and whether it is a common formula."""

    a_start: int
    a_end: int
    a_text: str
    b_start: int
    b_end: int
    b_text: str
    chars: int  # shared characters (Han/digits), punctuation not counted
    boilerplate: bool
    common_share: float  # share of its shingles that are formulaic (or known formulae)
    known_share: float = 0.0  # share of its shingles inside a known formula (rules.yaml)
    issuers: int | None = None  # distinct issuers whose reports contain it (corpus mode)
    a_first: int = 0  # kept-character range in A (internal)
    a_last: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"a": {"start": self.a_start, "end": self.a_end, "text": self.a_text},
                "b": {"start": self.b_start, "end": self.b_end, "text": self.b_text},
                "chars": self.chars, "boilerplate": self.boilerplate,
                "common_share": round(self.common_share, 3), "issuers": self.issuers}


@dataclass
class Match:
    """A report of the corpus close to the query."""

    id: str
    label: str
    similarity: float  # Jaccard of the shingle sets
    shared: int  # shingles in common
    rare_shared: int  # of which not formulaic
    same_issuer: bool
    containment: float = 0.0  # share of the query's shingles found in this report
    passages: list[Passage] = field(default_factory=list)

    @property
    def copied_chars(self) -> int:
        return sum(p.chars for p in self.passages if not p.boilerplate)

    @property
    def boilerplate_chars(self) -> int:
        return sum(p.chars for p in self.passages if p.boilerplate)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "similarity": round(self.similarity, 4),
                "containment": round(self.containment, 4), "shared": self.shared,
                "rare_shared": self.rare_shared, "same_issuer": self.same_issuer,
                "copied_chars": self.copied_chars, "boilerplate_chars": self.boilerplate_chars,
                "passages": [p.to_json() for p in self.passages]}


@dataclass
class Pair:
    a: str
    b: str
    similarity: float
    same_issuer: bool

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "similarity": round(self.similarity, 4),
                "same_issuer": self.same_issuer}


# =========================================================================== passages
def _diagonal_runs(a_at: np.ndarray, b_at: np.ndarray, k: int) -> list[tuple[int, int, int]]:
    """Runs of matching windows on one diagonal (``b - a`` constant), windows at most ``k``
    apart (a sentence end skips ``k - 1`` window starts): ``(a_first, a_last, diagonal)``."""
    d = b_at - a_at
    order = np.lexsort((a_at, d))
    a, d = a_at[order], d[order]
    brk = np.flatnonzero((np.diff(d) != 0) | (np.diff(a) > k)) + 1
    starts = np.concatenate(([0], brk))
    ends = np.concatenate((brk, [len(a)])) - 1
    return list(zip(a[starts].tolist(), a[ends].tolist(), d[starts].tolist(), strict=True))


def _match_windows(pa: Prepared, pb: Prepared, max_occ: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of windows with the same hash: ``(a_at, b_at)`` (at most ``max_occ``
    occurrences of one hash in B are paired)."""
    order = np.lexsort((pb.win_at, pb.win_hash))
    hb, atb = pb.win_hash[order], pb.win_at[order]
    lo = np.searchsorted(hb, pa.win_hash, side="left")
    hi = np.minimum(np.searchsorted(hb, pa.win_hash, side="right"), lo + max_occ)
    cnt = hi - lo
    a_at = np.repeat(pa.win_at, cnt)
    if len(a_at) == 0:
        return a_at, a_at
    first = np.repeat(lo - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt)
    b_at = atb[first + np.arange(len(a_at))]
    return a_at, b_at


def shared_passages(a: str | Prepared, b: str | Prepared, *, params: Params | None = None,
                    is_common: Callable[[np.ndarray], np.ndarray] | None = None) -> list[Passage]:
    """The passages ``a`` and ``b`` share, with their spans in both texts.

    Seed and extend: windows with the same hash in both texts are grouped by
    diagonal into runs; the longest runs claim their part of ``a`` first; runs
    then join when they are at most ``max_gap`` characters apart in both texts
    (a changed figure or word does not split a passage).  ``is_common`` marks
    formulaic shingle hashes (the corpus document frequency; known formulae
    are always formulaic); here a passage is boilerplate when at least half of
    its shingles are — :meth:`CorpusIndex.similar` then decides by how many
    issuers' reports contain the passage as a whole.
    """
    p = params or DEFAULT
    pa = a if isinstance(a, Prepared) else prepare(a, p)
    pb = b if isinstance(b, Prepared) else prepare(b, p)
    if len(pa.win_hash) == 0 or len(pb.win_hash) == 0:
        return []
    k = p.shingle
    a_at, b_at = _match_windows(pa, pb)
    if len(a_at) == 0:
        return []
    runs = sorted(_diagonal_runs(a_at, b_at, k), key=lambda r: (r[0] - r[1], r[0]))
    taken = np.zeros(len(pa.pos) + 1, dtype=bool)
    chosen = []
    for a0, a1, d in runs:  # longest first; a run keeps the part of A no longer run claimed
        free = np.flatnonzero(~taken[a0:a1 + 1])
        if len(free) == 0:
            continue
        s, e = a0 + int(free[0]), a0 + int(free[-1])
        if e - s + k < min(p.min_passage, 2 * k) and len(free) < e - s + 1:
            continue
        taken[s:e + 1] = True
        chosen.append([s, e, d])
    chosen.sort()
    merged: list[list[int]] = []
    for s, e, d in chosen:
        if merged:
            _, pe, _, pd = merged[-1]
            if s - (pe + k) <= p.max_gap and abs(d - pd) <= p.max_gap and s > pe:
                merged[-1][1] = e
                merged[-1][3] = d
                continue
        merged.append([s, e, d, d])
    # formulaic windows of A (known formulae; corpus frequency), by kept-character index
    valid = np.zeros(len(pa.pos) + 1, dtype=bool)
    valid[pa.win_at] = True
    known_at = np.zeros(len(pa.pos) + 1, dtype=bool)
    common_at = np.zeros(len(pa.pos) + 1, dtype=bool)
    known_at[pa.win_at] = _member(pa.win_hash, _known_hashes(p))
    common_at[pa.win_at] = known_at[pa.win_at] | is_common(pa.win_hash) if is_common else known_at[pa.win_at]
    out: list[Passage] = []
    for s, e, d0, d1 in merged:
        a0, a1 = s, e + k - 1
        chars = a1 - a0 + 1
        if chars < p.min_passage:
            continue
        b0, b1 = s + d0, min(e + d1 + k - 1, len(pb.pos) - 1)
        wins = np.flatnonzero(valid[s:e + 1]) + s
        share = float(common_at[wins].mean()) if len(wins) else 0.0
        kshare = float(known_at[wins].mean()) if len(wins) else 0.0
        as_, ae = pa.span(a0, a1)
        bs, be = pb.span(b0, b1)
        out.append(Passage(as_, ae, pa.text[as_:ae], bs, be, pb.text[bs:be], chars, share >= 0.5, share,
                           kshare, None, a0, a1))
    return out


# =========================================================================== the index
class CorpusIndex:
    """Reports added incrementally (id, text, issuer key), queried for similar reports.

    Keeps per report its shingle set, MinHash signature and kept-character
    count, optionally its text (``keep_text``) — or fetches texts through
    ``text_source(doc_id)`` (a store adapter) when passages are asked for.
    The issuer-level document-frequency table of shingles and the LSH band
    keys are derived on demand and cached until the next change.
    :meth:`save`/:meth:`load` persist it as one ``.npz`` file.
    """

    def __init__(self, params: Params | None = None, *, keep_text: bool = True,
                 text_source: Callable[[str], str | None] | None = None) -> None:
        self.params = params or DEFAULT
        self.keep_text = keep_text
        self.text_source = text_source
        self._hasher = _hasher(self.params)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._issuer: list[str | None] = []
        self._label: list[str] = []
        self._chars: list[int] = []
        self._sh: list[np.ndarray] = []
        self._sig: list[np.ndarray] = []
        self._texts: dict[str, str] = {}
        self._cache: dict[str, Any] = {}
        self.last_stats: dict[str, Any] = {}

    # -- building ---------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def label(self, doc_id: str) -> str:
        return self._label[self._row[doc_id]]

    def issuer(self, doc_id: str) -> str | None:
        return self._issuer[self._row[doc_id]]

    def add(self, doc_id: str, text: str | None = None, issuer: str | None = None, *,
            label: str | None = None, features: DocFeatures | None = None) -> None:
        """Add (or replace) one report; give ``text`` or precomputed ``features`` (or both)."""
        if features is None:
            if text is None:
                raise ValueError("add() needs the text or its features")
            features = features_many([text], self.params)[0]
        if doc_id in self._row:
            self.remove(doc_id)
        self._row[doc_id] = len(self._ids)
        self._ids.append(doc_id)
        self._issuer.append(issuer)
        self._label.append(label or doc_id)
        self._chars.append(int(features.chars))
        self._sh.append(features.shingles)
        self._sig.append(features.signature)
        if text is not None and self.keep_text:
            self._texts[doc_id] = text
        self._cache.clear()

    def extend(self, docs: Iterable[tuple[str, str, str | None] | tuple[str, str, str | None, str]], *,
               workers: int = 1, chunk: int = 200) -> int:
        """Add many ``(id, text, issuer[, label])``; returns how many.

        ``workers`` > 1 computes features in that many processes; ``docs`` is
        read lazily (by the pool's feeder thread, so producing the texts
        overlaps with the workers) and never held whole.
        """
        it = iter(docs)

        def chunks() -> Iterator[tuple[list[tuple[Any, ...]], Params, bool]]:
            while True:
                part = [tuple(d) for d in itertools.islice(it, chunk)]
                if not part:
                    return
                yield part, self.params, self.keep_text

        n = 0
        pool = _pool(workers) if workers > 1 else None
        try:
            results = pool.imap(_worker, chunks()) if pool is not None else map(_worker, chunks())
            for items, feats in results:
                for item, f in zip(items, feats, strict=True):
                    self.add(item[0], item[1], item[2], label=item[3] if len(item) > 3 else None, features=f)
                    n += 1
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        return n

    def copy(self) -> CorpusIndex:
        """A copy to change while others read this one (the per-report arrays are shared: they are
        never changed in place)."""
        other = CorpusIndex(self.params, keep_text=self.keep_text, text_source=self.text_source)
        other._ids, other._row, other._issuer = list(self._ids), dict(self._row), list(self._issuer)
        other._label, other._chars, other._sh = list(self._label), list(self._chars), list(self._sh)
        other._sig, other._texts = list(self._sig), dict(self._texts)
        return other

    def remove(self, doc_id: str) -> bool:
        row = self._row.pop(doc_id, None)
        if row is None:
            return False
        for lst in (self._ids, self._issuer, self._label, self._chars, self._sh, self._sig):
            del lst[row]
        self._row = {d: i for i, d in enumerate(self._ids)}
        self._texts.pop(doc_id, None)
        self._cache.clear()
        return True

    def text(self, doc_id: str) -> str | None:
        t = self._texts.get(doc_id)
        if t is None and self.text_source is not None:
            t = self.text_source(doc_id)
        return t

    # -- derived tables -----------------------------------------------------
    def _csr(self) -> tuple[np.ndarray, np.ndarray]:
        c = self._cache.get("csr")
        if c is None:
            lens = np.fromiter((len(s) for s in self._sh), dtype=np.int64, count=len(self._sh))
            offsets = np.concatenate(([0], np.cumsum(lens)))
            values = np.concatenate(self._sh) if self._sh else np.empty(0, dtype=np.uint32)
            c = self._cache["csr"] = (values, offsets)
        return c

    def _groups(self) -> list[list[int]]:
        g = self._cache.get("groups")
        if g is None:
            by: dict[str, list[int]] = {}
            g = []
            for i, key in enumerate(self._issuer):
                if key is None:
                    g.append([i])
                else:
                    by.setdefault(key, []).append(i)
            g.extend(by.values())
            self._cache["groups"] = g
        return g

    def df_table(self) -> tuple[np.ndarray, np.ndarray]:
        """``(hashes, counts)``: for each shingle, the number of distinct issuers using it
        (reports without an issuer count as their own)."""
        t = self._cache.get("df")
        if t is None:
            parts = []
            for grp in self._groups():
                if len(grp) == 1:
                    parts.append(self._sh[grp[0]])
                else:
                    parts.append(_unique(np.concatenate([self._sh[i] for i in grp])))
            if parts:
                u, c = np.unique(np.concatenate(parts), return_counts=True)
            else:
                u, c = np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int64)
            t = self._cache["df"] = (u, c.astype(np.int32))
        return t

    def _term_ids(self) -> np.ndarray:
        """Each stored shingle as its row in the document-frequency table (int32, cached)."""
        t = self._cache.get("tid")
        if t is None:
            values, _ = self._csr()
            u, _ = self.df_table()
            t = self._cache["tid"] = np.searchsorted(u, values).astype(np.int32)
        return t

    def df(self, hashes: np.ndarray) -> np.ndarray:
        """Distinct issuers using each of ``hashes`` (0 for unknown shingles)."""
        u, c = self.df_table()
        if len(u) == 0:
            return np.zeros(len(hashes), dtype=np.int32)
        i = np.searchsorted(u, hashes)
        i[i == len(u)] = 0
        return np.where(u[i] == hashes, c[i], 0)

    @property
    def n_issuers(self) -> int:
        return len(self._groups())

    def common_df(self) -> int:
        """Issuers from which a shingle counts as formulaic: ``common_issuers``, or
        ``common_fraction`` of the issuers when that is fewer, but never fewer than 3."""
        p = self.params
        return max(3, min(p.common_issuers, math.ceil(p.common_fraction * self.n_issuers)))

    def is_common(self, hashes: np.ndarray) -> np.ndarray:
        return self.df(hashes) >= self.common_df()

    def _signatures(self) -> np.ndarray:
        s = self._cache.get("sigs")
        if s is None:
            s = self._cache["sigs"] = (np.stack(self._sig) if self._sig
                                       else np.empty((0, self.params.bins), dtype=np.uint32))
        return s

    def _bands(self) -> np.ndarray:
        b = self._cache.get("bands")
        if b is None:
            b = self._cache["bands"] = self._hasher.band_keys(self._signatures())
        return b

    # -- report-level near duplicates ----------------------------------------
    def candidates(self) -> np.ndarray:
        """LSH candidate pairs ``int64[m, 2]`` (row indices, i < j), each once."""
        bands = self._bands()
        n = len(bands)
        nonempty = np.fromiter((len(s) > 0 for s in self._sh), dtype=bool, count=n)
        rows = np.flatnonzero(nonempty)
        codes = []
        for j in range(bands.shape[1]):
            key = bands[rows, j]
            order = np.argsort(key, kind="stable")
            ks = key[order]
            brk = np.flatnonzero(ks[1:] != ks[:-1]) + 1
            starts = np.concatenate(([0], brk))
            lens = np.diff(np.concatenate((starts, [len(ks)])))
            docs = rows[order]
            for m in sorted(set(lens[lens >= 2].tolist())):
                st = starts[lens == m]
                members = docs[st[:, None] + np.arange(m)]
                iu, ju = np.triu_indices(m, 1)
                a, b = members[:, iu].ravel(), members[:, ju].ravel()
                lo, hi = np.minimum(a, b), np.maximum(a, b)
                codes.append(lo * n + hi)
        if not codes:
            return np.empty((0, 2), dtype=np.int64)
        u = _unique(np.concatenate(codes))
        return np.stack((u // n, u % n), axis=1)

    def estimate(self, pairs: np.ndarray, chunk: int = 500_000) -> np.ndarray:
        """MinHash estimates of the Jaccard similarity of row pairs.

        b-bit minwise hashing (Li & König 2010): only the low 8 bits of each bin
        are compared — a quarter of the memory traffic, which is what this step
        costs on millions of pairs — and the chance agreement of 1/256 is taken
        out: ``J = (m − 1/256) / (1 − 1/256)``.
        """
        low = self._cache.get("sig8")
        if low is None:
            low = self._cache["sig8"] = (self._signatures() & 0xFF).astype(np.uint8)
        out = np.empty(len(pairs), dtype=np.float32)
        for s in range(0, len(pairs), chunk):
            p = pairs[s:s + chunk]
            m = np.count_nonzero(low[p[:, 0]] == low[p[:, 1]], axis=1) / low.shape[1]
            out[s:s + chunk] = (m - 1 / 256) / (1 - 1 / 256)
        return out

    def jaccard_rows(self, i: int, j: int) -> float:
        a, b = self._sh[i], self._sh[j]
        if len(a) == 0 and len(b) == 0:
            return 0.0
        inter = len(np.intersect1d(a, b, assume_unique=True))
        return inter / (len(a) + len(b) - inter)

    def pairs(self, threshold: float | None = None, *, exact: bool | None = None) -> list[Pair]:
        """Near-duplicate report pairs: LSH candidates, signature prefilter, exact Jaccard ≥ threshold.

        ``exact`` (default: for at most ``EXACT_MAX`` reports, or a threshold
        below the one LSH is tuned for) compares every pair instead, through
        the inverted index.  Timings and counts of the last call are in
        :attr:`last_stats`.
        """
        import time

        t = self.params.threshold if threshold is None else threshold
        if exact is None:
            exact = len(self) <= EXACT_MAX or t < self.params.threshold - 1e-9
        if exact:
            return self._exact_pairs(t)
        t0 = time.perf_counter()
        cand = self.candidates()
        t1 = time.perf_counter()
        est = self.estimate(cand)
        keep = cand[est >= t - self.params.margin]
        t2 = time.perf_counter()
        out = []
        for i, j in keep.tolist():
            s = self.jaccard_rows(i, j)
            if s >= t:
                out.append(Pair(self._ids[i], self._ids[j], s, self._same(i, j)))
        t3 = time.perf_counter()
        out.sort(key=lambda p: -p.similarity)
        self.last_stats = {"candidates": len(cand), "prefiltered": len(keep), "pairs": len(out),
                           "t_candidates": t1 - t0, "t_estimate": t2 - t1, "t_verify": t3 - t2,
                           "t_total": t3 - t0}
        return out

    def _exact_pairs(self, t: float) -> list[Pair]:
        """Every pair with Jaccard ≥ ``t``: one inverted-index query per report."""
        import time

        t0 = time.perf_counter()
        values, offsets = self._csr()
        n = len(self)
        out = []
        if n >= 2 and len(values):
            tid = self._term_ids()
            lens = np.diff(offsets)
            for i in range(n - 1):
                if lens[i] == 0:
                    continue
                inter = np.bincount(self._docs_with(tid[offsets[i]:offsets[i + 1]]), minlength=n)[i + 1:]
                jac = inter / np.maximum(1, lens[i] + lens[i + 1:] - inter)
                for j in np.flatnonzero(jac >= max(t, 1e-9)).tolist():
                    out.append(Pair(self._ids[i], self._ids[i + 1 + j], float(jac[j]), self._same(i, i + 1 + j)))
        out.sort(key=lambda p: -p.similarity)
        self.last_stats = {"exact": True, "pairs": len(out), "t_total": time.perf_counter() - t0}
        return out

    def _same(self, i: int, j: int) -> bool:
        return self._issuer[i] is not None and self._issuer[i] == self._issuer[j]

    # -- one report against the corpus -------------------------------------
    def _query(self, query: str | DocFeatures | np.ndarray) -> tuple[int | None, np.ndarray, str | None]:
        """(row of the query if it is in the index, its shingles, its text if known)."""
        if isinstance(query, str) and query in self._row:
            row = self._row[query]
            return row, self._sh[row], self.text(query)
        if isinstance(query, DocFeatures):
            return None, query.shingles, None
        if isinstance(query, np.ndarray):
            return None, query, None
        return None, shingles(query, self.params), query

    def similar(self, query: str | DocFeatures | np.ndarray, k: int = 10, *, issuer: str | None = None,
                passages: bool = True, min_similarity: float = 0.0, by: str = "both",
                prepared: Prepared | None = None, among: Collection[str] | None = None) -> list[Match]:
        """The ``k`` reports closest to ``query`` (a doc id of the index, a text or features).

        Exact: every report's shared-shingle count is computed (one vectorised
        pass over the index, ~2 s at 100,000 reports).  ``by="jaccard"`` ranks by
        Jaccard similarity; ``by="copied"`` by shingles shared that are not
        formulaic; ``"both"`` (default) takes the top ``k`` of each, ranked by
        Jaccard — so a report that copied one section from another is found even
        when template text makes unrelated reports look closer as a whole.
        Passages are computed when the texts are available.  ``among``: only these
        doc ids are candidates (a user's region scope).
        """
        row, q, qtext = self._query(query)
        pq = prepared
        if pq is not None:
            qtext = pq.text
        if row is not None:
            issuer = self._issuer[row]
        _, offsets = self._csr()
        n = len(self._ids)
        if n == 0 or len(q) == 0:
            return []
        _, c = self.df_table()
        terms = self._terms(q)
        lens = np.diff(offsets)
        inter = np.bincount(self._docs_with(terms), minlength=n)
        if by != "jaccard":
            rare = np.bincount(self._docs_with(terms[c[terms] < self.common_df()]), minlength=n)
        else:
            rare = np.zeros(n, dtype=np.int64)
        jac = inter / np.maximum(1, len(q) + lens - inter)
        jac[lens == 0] = 0.0
        if row is not None:
            jac[row] = -1.0
            rare[row] = -1
        if among is not None:
            allowed = np.zeros(n, dtype=bool)
            allowed[[self._row[d] for d in among if d in self._row]] = True
            jac[~allowed] = -1.0
            rare[~allowed] = -1
        chosen: list[int] = []
        if by in ("jaccard", "both"):
            chosen += np.argsort(-jac, kind="stable")[:k].tolist()
        if by in ("copied", "both"):
            chosen += [i for i in np.argsort(-rare, kind="stable")[:k].tolist() if rare[i] > 0]
        seen = sorted(set(chosen), key=lambda i: (-jac[i], i))
        out = []
        judged: dict[tuple[int, int], int] = {}
        for i in seen:
            if jac[i] < max(min_similarity, 1e-9) and rare[i] <= 0:
                continue
            m = Match(self._ids[i], self._label[i], float(jac[i]), int(inter[i]), int(max(0, rare[i])),
                      issuer is not None and self._issuer[i] == issuer, float(inter[i] / max(1, len(q))))
            if passages and qtext is not None:
                other = self.text(self._ids[i])
                if other is not None:
                    if pq is None:
                        pq = prepare(qtext, self.params)
                    m.passages = shared_passages(pq, other, params=self.params, is_common=self.is_common)
                    self.judge(pq, m.passages, judged)
            out.append(m)
        return out[:k] if by == "jaccard" else out

    def _group_of(self) -> np.ndarray:
        g = self._cache.get("group_of")
        if g is None:
            g = np.zeros(len(self._ids), dtype=np.int64)
            for gi, rows in enumerate(self._groups()):
                g[rows] = gi
            self._cache["group_of"] = g
        return g

    def _postings(self) -> tuple[np.ndarray, np.ndarray]:
        """Inverted index: ``docs[starts[t]:starts[t + 1]]`` are the rows holding term ``t``
        (a row of :meth:`df_table`).  Built on first use, cached until the next change."""
        post = self._cache.get("post")
        if post is None:
            tid = self._term_ids()
            _, offsets = self._csr()
            u, _ = self.df_table()
            order = np.argsort(tid, kind="stable")
            docs = (np.searchsorted(offsets, order, side="right") - 1).astype(np.int32)
            starts = np.concatenate(([0], np.cumsum(np.bincount(tid, minlength=len(u)))))
            post = self._cache["post"] = (docs, starts)
        return post

    def _docs_with(self, terms: np.ndarray) -> np.ndarray:
        """Rows holding each of ``terms`` (one entry per term and row)."""
        docs, starts = self._postings()
        lo, hi = starts[terms], starts[terms + 1]
        cnt = hi - lo
        if cnt.sum() == 0:
            return np.empty(0, dtype=np.int32)
        shift = np.repeat(lo - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt)
        return docs[shift + np.arange(int(cnt.sum()))]

    def _terms(self, hashes: np.ndarray) -> np.ndarray:
        """Rows of :meth:`df_table` of those ``hashes`` that the corpus holds."""
        u, _ = self.df_table()
        if len(u) == 0 or len(hashes) == 0:
            return np.empty(0, dtype=np.int64)
        i = np.minimum(np.searchsorted(u, hashes), len(u) - 1)
        return i[u[i] == hashes]

    def passage_issuers(self, pr: Prepared, passages: list[Passage], *, cover: float = 0.8) -> list[int]:
        """For each passage of ``pr``: how many distinct issuers' reports contain at least
        ``cover`` of its shingles (from the inverted index)."""
        if not passages or not len(self):
            return [0] * len(passages)
        k = self.params.shingle
        groups = self._group_of()
        n = len(self)
        out = []
        for ps in passages:
            lo = np.searchsorted(pr.win_at, ps.a_first)
            hi = np.searchsorted(pr.win_at, ps.a_last - k + 1, side="right")
            hs = _unique(pr.win_hash[lo:hi])
            need = max(1, math.ceil(cover * len(hs)))
            counts = np.bincount(self._docs_with(self._terms(hs)), minlength=n)
            out.append(len(set(groups[counts >= need].tolist())))
        return out

    def judge(self, pr: Prepared, passages: list[Passage], cache: dict[tuple[int, int], int] | None = None
              ) -> None:
        """Decide boilerplate vs copying for each passage of ``pr``, in place.

        Boilerplate: mostly a known formula, or contained in the reports of at
        least :meth:`common_df` distinct issuers — so a long run of common
        sentences that only two reports share is copying, though each sentence
        alone is formulaic.  A passage whose shingles are mostly rare cannot be
        that common and is not counted; ``cache`` keeps counts across the
        matches of one query (the same passage is shared with many reports).
        """
        need = self.common_df()
        cache = {} if cache is None else cache
        todo = [ps for ps in passages if ps.known_share < 0.5 and ps.common_share >= 0.5
                and (ps.a_first, ps.a_last) not in cache]
        for ps, c in zip(todo, self.passage_issuers(pr, todo), strict=True):
            cache[(ps.a_first, ps.a_last)] = c
        for ps in passages:
            ps.issuers = cache.get((ps.a_first, ps.a_last))
            ps.boilerplate = ps.known_share >= 0.5 or (ps.issuers or 0) >= need

    def analyse(self, text: str, *, doc_id: str | None = None, issuer: str | None = None,
                k: int = 5) -> dict[str, Any]:
        """Originality of ``text`` against the corpus, and the reports it shares text with.

        ``doc_id``: the report's id when it is in the index (excluded from its own
        comparison); ``issuer``: its issuer key (its issuer's other reports are
        not counted as copying).  The result is what :func:`apply` puts into
        ``review.memo["corpus"]``; see :func:`originality`.
        """
        p = self.params
        row = self._row.get(doc_id) if doc_id is not None else None
        if row is not None:
            issuer = self._issuer[row]
        pr = prepare(text, p)
        h = pr.win_hash
        df = self.df(h)
        # the report's own issuer group is counted once in the table: take it out
        own = np.zeros(len(h), dtype=bool)
        if row is not None:
            own[:] = True
        elif issuer is not None:
            grp = [i for i, key in enumerate(self._issuer) if key == issuer]
            if grp:
                own = _member(h, _unique(np.concatenate([self._sh[i] for i in grp])))
        others = df - own
        n_other_issuers = self.n_issuers - (1 if (row is not None or own.any()) else 0)
        common_min = self.common_df()
        shared = others >= 1
        formula = shared & (others + 1 >= common_min)  # used by many issuers (known formulae: below)
        copied = shared & ~formula
        k_ = p.shingle
        n = pr.chars
        state = np.zeros(n, dtype=np.int8)  # 0 own, 1 copied, 2 formulaic
        min_w = max(1, p.min_run - k_ + 1)
        for mask, val in ((copied | formula, 1), (formula, 2)):
            state[_cover(pr.win_at, _long_runs(pr.win_at, mask, min_w), k_, n)] = val
        matches = []
        known_cover = np.zeros(n, dtype=bool)
        for s0, e0 in known_spans(text):
            known_cover[np.searchsorted(pr.pos, s0):np.searchsorted(pr.pos, e0)] = True
        for m in self.similar(doc_id if row is not None and doc_id is not None else text, k=k, issuer=issuer,
                              prepared=pr):
            if not m.passages:
                continue
            matches.append({**m.to_json(), "issuer": self._issuer[self._row[m.id]]})
            if m.same_issuer:
                continue
            for ps in m.passages:  # a passage judged copied is copied, though its sentences are common
                if not ps.boilerplate:
                    state[ps.a_first:ps.a_last + 1] = 1
        state[known_cover] = 2
        chars = max(1, n)
        copied_c, formula_c = int((state == 1).sum()), int((state == 2).sum())
        form_spans = [pr.span(s, e) for s, e in _segments(state == 2)]
        return {
            "corpus_size": len(self) - (1 if row is not None else 0),
            "issuers": n_other_issuers,
            "common_issuers": common_min,
            "chars": n,
            "originality": round(1 - (copied_c + formula_c) / chars, 4) if n else 1.0,
            "copied": round(copied_c / chars, 4) if n else 0.0,
            "formulaic": round(formula_c / chars, 4) if n else 0.0,
            "formulaic_spans": [{"start": s, "end": e, "text": text[s:e]} for s, e in form_spans],
            "matches": matches,
        }

    # -- persistence ----------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the index to ``path`` (one ``.npz`` file, no pickles); returns the path."""
        path = Path(path)
        values, offsets = self._csr()
        u, c = self.df_table()
        text_ids = sorted(self._texts)
        meta = {"format": FORMAT, "params": asdict(self.params), "ids": self._ids, "issuers": self._issuer,
                "labels": self._label, "chars": self._chars, "texts": text_ids}
        blob = [self._texts[d].encode("utf-8") for d in text_ids]
        arrays = {
            "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
            "values": values, "offsets": offsets, "sigs": self._signatures(), "df_hash": u, "df_count": c,
            "text_blob": np.frombuffer(b"".join(blob), dtype=np.uint8),
            "text_offsets": np.concatenate(([0], np.cumsum([len(b) for b in blob]))).astype(np.int64),
        }
        private_dir(path.parent)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # concurrent savers never share one
        try:
            with open_private(tmp) as f:  # 0600: the index holds report text
                np.savez(f, **arrays)  # type: ignore[arg-type]
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    @classmethod
    def load(cls, path: str | Path, *, text_source: Callable[[str], str | None] | None = None) -> CorpusIndex:
        with np.load(Path(path), allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"{path}: not a fazhi similarity index ({meta.get('format')!r})")
            idx = cls(Params(**meta["params"]), text_source=text_source)
            values, offsets, sigs = z["values"], z["offsets"], z["sigs"]
            idx._ids = list(meta["ids"])
            idx._row = {d: i for i, d in enumerate(idx._ids)}
            idx._issuer = list(meta["issuers"])
            idx._label = list(meta["labels"])
            idx._chars = list(meta["chars"])
            idx._sh = [values[offsets[i]:offsets[i + 1]] for i in range(len(idx._ids))]
            idx._sig = list(sigs)
            blob, toff = z["text_blob"].tobytes(), z["text_offsets"]
            idx._texts = {d: blob[toff[i]:toff[i + 1]].decode("utf-8") for i, d in enumerate(meta["texts"])}
            idx._cache = {"csr": (values, offsets), "sigs": sigs, "df": (z["df_hash"], z["df_count"])}
        return idx


DEFAULT = Params()
EXACT_MAX = 500  # pairs(): compare every pair exactly up to this many reports


def _worker(args: tuple[list[tuple[Any, ...]], Params, bool]
            ) -> tuple[list[tuple[Any, ...]], list[DocFeatures]]:
    """Features of a chunk of ``(id, text, issuer[, label])``; the texts go back only when kept."""
    items, params, keep_text = args
    feats = features_many([d[1] for d in items], params)
    if not keep_text:
        items = [(d[0], None, *d[2:]) for d in items]
    return items, feats


def _pool(workers: int) -> Any:
    import multiprocessing as mp

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    return ctx.Pool(workers)


def _long_runs(win_at: np.ndarray, mask: np.ndarray, min_windows: int) -> np.ndarray:
    """``mask`` restricted to runs of at least ``min_windows`` consecutive windows."""
    out = np.zeros(len(mask), dtype=bool)
    on = np.flatnonzero(mask)
    if len(on) == 0:
        return out
    pos = win_at[on]
    brk = np.flatnonzero(np.diff(pos) != 1) + 1
    starts = np.concatenate(([0], brk))
    ends = np.concatenate((brk, [len(on)]))
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if e - s >= min_windows:
            out[on[s:e]] = True
    return out


def _cover(win_at: np.ndarray, mask: np.ndarray, k: int, n: int) -> np.ndarray:
    """Kept characters covered by the windows in ``mask``."""
    d = np.zeros(n + 1, dtype=np.int32)
    at = win_at[mask]
    np.add.at(d, at, 1)
    np.add.at(d, np.minimum(at + k, n), -1)
    return np.cumsum(d[:n]) > 0


def _segments(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` index of each run of True."""
    if not mask.any():
        return []
    m = np.concatenate(([False], mask, [False])).astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1).tolist(), (np.flatnonzero(d == -1) - 1).tolist(), strict=True))


# =========================================================================== reviews
def _text_of(review: Any) -> tuple[str, str | None, str | None]:
    """(text, sha256, issuer key) of a Review, a review JSON with ``text``, or a text."""
    if isinstance(review, str):
        return review, None, None
    if isinstance(review, Mapping):
        text = review.get("text")
        if text is None:
            raise ValueError("the review JSON has no text: produce it with to_json(with_text=True)")
        return text, (review.get("source") or {}).get("sha256"), issuer_key(review.get("issuer"))
    iss = review.issuer.to_json() if getattr(review, "issuer", None) else None
    return review.text, review.source.sha256, issuer_key(iss)



def originality(review_json_or_text: Any, corpus_index: CorpusIndex, *, doc_id: str | None = None,
                issuer: str | None = None, k: int = 5) -> dict[str, Any]:
    """A report's originality against ``corpus_index``, in [0, 1], with what it shares.

    ``review_json_or_text``: a :class:`~fazhi.review.model.Review`, its JSON (with
    ``text``) or the normalised text.  The report is found in the index by
    ``doc_id`` or its sha256 (and excluded from its own comparison).

    Returns ``originality`` (share of its characters shared with no other
    issuer's report), ``copied`` (shared, not formulaic), ``formulaic``
    (shared by many issuers or a known formula), ``formulaic_spans`` and
    ``matches``: the closest reports with their shared passages (spans in
    this report under ``a``, in the other under ``b``).
    """
    text, sha, key = _text_of(review_json_or_text)
    if doc_id is None and sha is not None and sha in corpus_index:
        doc_id = sha
    return corpus_index.analyse(text, doc_id=doc_id, issuer=issuer or key, k=k)


def apply(review: Any, corpus_index: CorpusIndex, *, doc_id: str | None = None, issuer: str | None = None,
          k: int = 5) -> dict[str, Any]:
    """Corpus mode for one review: set ``review.memo["corpus"]`` and redo its findings and score.

    The ``text.copied`` and ``text.formulaic`` rules and the ``originality``
    score dimension read ``memo["corpus"]``; without it they behave as for a
    single report.
    """
    from fazhi.review import findings, score

    ctx = originality(review, corpus_index, doc_id=doc_id, issuer=issuer, k=k)
    review.memo["corpus"] = ctx
    review.findings = findings.check(review)
    review.score = score.compute(review)
    return ctx


def index_texts(docs: Iterable[tuple[str, str] | tuple[str, str, str | None]], *, params: Params | None = None,
                workers: int = 1, keep_text: bool = True) -> CorpusIndex:
    """A new index over ``(id, text[, issuer])``."""
    idx = CorpusIndex(params, keep_text=keep_text)
    idx.extend(((d[0], d[1], d[2] if len(d) > 2 else None) for d in docs), workers=workers)
    return idx


__all__ = ["DEFAULT", "CorpusIndex", "DocFeatures", "Match", "MinHasher", "Pair", "Params", "Passage",
           "Prepared", "apply", "doc_features", "features_many", "index_texts", "issuer_key",
           "known_phrases", "known_spans", "originality", "prepare", "sentences", "shared_passages", "shingles"]

