"""Optional smoothing of a draft's wording by a language model on the intranet, never trusted with facts.

A draft assembled from the record reads like a list.  An office may configure an OpenAI-compatible endpoint
(``Settings.smoothing_url``, off by default; nothing is sent anywhere otherwise) to smooth it, one paragraph
at a time.  Its answer is refused — the paragraph keeps its own wording — if it adds, drops or changes any
number (digits and the review's quantities, Chinese numerals included), any date, any name of a unit or a
place (the divisions table, the names the caller knows), any 《document title》 or any “quotation”
(:func:`changes`).  Paragraphs with 【待补充】 gaps are not sent.  After smoothing, each sentence keeps the
citations of the sentence it came from (by position when the count is unchanged, else by the figures it
carries).
"""

from __future__ import annotations

import json
import re
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fazhi.supervision.record import sentences

_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_DATES = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}")
_TITLES = re.compile(r"《[^《》]*》")
_QUOTES = re.compile(r"“[^“”]*”")
_GAP = "【待补充"
MAX_ANSWER = 20_000  # characters of one smoothed paragraph


class SmoothingError(RuntimeError):
    """The endpoint could not be used (message in Chinese)."""


@dataclass(frozen=True)
class Smoother:
    """An OpenAI-compatible chat-completions endpoint: ``url`` is its base URL (…/v1) or the full
    …/chat/completions address."""

    url: str
    model: str = "default"
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Any) -> Smoother | None:
        """The smoother :class:`fazhi.config.Settings` configures (None: smoothing is off)."""
        url = getattr(settings, "smoothing_url", None)
        if not url:
            return None
        return cls(url, settings.smoothing_model, settings.smoothing_timeout_seconds)

    @property
    def endpoint(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else url + "/chat/completions"

    def __call__(self, text: str, prompt: str) -> str:
        body = json.dumps({"model": self.model, "temperature": 0,
                           "messages": [{"role": "system", "content": prompt}, {"role": "user", "content": text}]},
                          ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.endpoint, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read(4 * MAX_ANSWER).decode("utf-8"))
            content = answer["choices"][0]["message"]["content"]
        except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise SmoothingError(f"润色服务 {self.endpoint} 不可用（{type(exc).__name__}: {exc}）") from None
        if not isinstance(content, str) or not content.strip() or len(content) > MAX_ANSWER:
            raise SmoothingError(f"润色服务 {self.endpoint} 的回答不可用")
        return content.strip()


# =========================================================================== the check
def _quantities(text: str) -> Counter[tuple[float, str | None]]:
    from fazhi.review.pipeline import review_text

    return Counter((float(q.value), q.unit) for q in review_text(text).quantities)


def _places(text: str) -> Counter[str]:
    from fazhi.units import divisions

    plain = divisions.simplified(text)
    return Counter(plain[s:e] for s, e, _ in divisions.load().scan(plain))


def _names(text: str, known: Iterable[str]) -> Counter[str]:
    out = _places(text)
    out.update(_TITLES.findall(text))
    out.update(_QUOTES.findall(text))
    for name in {n for n in known if n}:
        if text.count(name):
            out[name] = text.count(name)
    return out


def _show(counter: Counter[Any]) -> str:
    items = [str(k if not isinstance(k, tuple) else f"{k[0]:g}{k[1] or ''}") for k in sorted(counter.elements(), key=str)]
    return "、".join(items) or "无"


def changes(original: str, smoothed: str, names: Iterable[str] = ()) -> list[str]:
    """Why ``smoothed`` may not replace ``original`` (Chinese reasons; empty: it may)."""
    a, b = unicodedata.normalize("NFKC", original), unicodedata.normalize("NFKC", smoothed)
    known = list(names)
    counts: list[tuple[str, Callable[[str], Counter[Any]]]] = [
        ("数字", lambda t: Counter(_DIGITS.findall(t))), ("数量", _quantities),
        ("日期", lambda t: Counter(_DATES.findall(t))), ("名称、文件名或引文", lambda t: _names(t, known))]
    out = []
    for what, count in counts:
        before, after = count(a), count(b)
        if before != after:
            out.append(f"{what}有变化：原文为{_show(before - after)}，润色后为{_show(after - before)}")
    return out


# =========================================================================== a draft's content
def _recite(old: Sequence[Mapping[str, Any]], text: str) -> list[dict[str, Any]]:
    new = sentences(text)
    if len(new) == len(old):
        return [{"text": s, "cites": list(o.get("cites") or [])} for s, o in zip(new, old, strict=True)]
    out = []
    for s in new:
        figures = set(_DIGITS.findall(unicodedata.normalize("NFKC", s)))
        cites: list[Any] = []
        for o in old:
            if figures & set(_DIGITS.findall(unicodedata.normalize("NFKC", o["text"]))):
                cites += [c for c in o.get("cites") or [] if c not in cites]
        out.append({"text": s, "cites": cites})
    return out


def smooth_content(content: Mapping[str, Any], smoother: Any, *, names: Iterable[str] = ()
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A draft's content with its text paragraphs smoothed where the answer changes no fact, and a summary:
    ``{"sent", "accepted", "refused": [{"text", "reasons"}], "errors"}``."""
    from fazhi.supervision.drafting import wording

    prompt = wording()["smoothing_prompt"]
    known = list(names)
    summary: dict[str, Any] = {"sent": 0, "accepted": 0, "refused": [], "errors": []}
    sections = []
    for sec in content.get("sections", []):
        paras = []
        for p in sec.get("paragraphs", []):
            if p.get("kind") != "text" or sec.get("part") == "opening" or _GAP in p.get("text", ""):
                paras.append(p)
                continue
            summary["sent"] += 1
            try:
                answer = smoother(p["text"], prompt)
            except SmoothingError as exc:
                summary["errors"].append(str(exc))
                paras.append(p)
                continue
            reasons = changes(p["text"], answer, known)
            if reasons:
                summary["refused"].append({"text": p["text"], "reasons": reasons})
                paras.append(p)
                continue
            summary["accepted"] += 1
            new = _recite(p.get("sentences") or [], answer)
            paras.append({"kind": "text", "text": "".join(s["text"] for s in new), "sentences": new})
        sections.append({**sec, "paragraphs": paras})
    return {**content, "sections": sections, "smoothed": summary["accepted"] > 0}, summary


__all__ = ["Smoother", "SmoothingError", "changes", "smooth_content"]
