"""Stage 9 — score: 0–100 as the sum of named, weighted dimensions.

Dimensions and weights are data (``score:`` in ``data/rules.yaml``); each
dimension scores a fraction in [0, 1] of its weight and says why in Chinese.
Originality is measured against other reports in corpus mode; on a single
report it only counts formulaic phrases.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fazhi import knowledge
from fazhi.review.findings import boilerplate_hits, core_indicators, gives_causes, rule, unanswered
from fazhi.review.model import REQUIRED_PARTS, Dimension, Review, Score
from fazhi.review.parts import items

Scorer = Callable[[Review, dict[str, Any]], tuple[float, str]]
_CONCRETE = re.compile(r"\d|[一二三四五六七八九十]+(项|个|次|件|批)|(完成|建成|实现|出台|制定|修订|开展|覆盖)")


def _completeness(review: Review, params: dict) -> tuple[float, str]:
    w = {"dedicated": 1.0, "embedded": 0.5, "missing": 0.0}
    st = [review.parts[p].status if p in review.parts else "missing" for p in REQUIRED_PARTS]
    frac = sum(w[s] for s in st) / len(REQUIRED_PARTS)
    return frac, (f"四项必备内容中单列 {st.count('dedicated')} 项、散见于正文或下级标题 {st.count('embedded')} 项、"
                  f"缺失 {st.count('missing')} 项")


def _quantification(review: Review, params: dict) -> tuple[float, str]:
    core = core_indicators(review.kn)
    n_ind = len({f.indicator for f in review.facts if f.indicator in core})
    dens = 1000 * len(review.quantities) / max(1, len(review.text))
    a = min(1.0, n_ind / float(params.get("full_indicators", 8)))
    b = min(1.0, dens / float(params.get("full_density", 4.0)))
    return 0.6 * a + 0.4 * b, (f"{len(review.quantities)} 个统计数字（每千字 {dens:.1f} 个），"
                               f"覆盖 {n_ind} 项核心指标")


def _self_criticism(review: Review, params: dict) -> tuple[float, str]:
    p = review.parts.get("shortcomings")
    if p is None or p.status == "missing":
        return 0.0, "未查摆存在的不足"
    its = items(review, "shortcomings")
    r = rule(review.kn, "shortcomings.no_causes")
    causes = bool(r and gives_causes(review, r["params"]["causes"]))
    frac = 0.5 * min(1.0, len(its) / float(params.get("full_items", 3)))
    frac += 0.3 if causes else 0.0
    frac += 0.2 if p.status == "dedicated" else 0.1
    return frac, (f"查摆不足 {len(its)} 条，{'分析了原因' if causes else '未分析原因'}，"
                  f"{'单列一部分' if p.status == 'dedicated' else '未单列'}")


def _plan(review: Review, params: dict) -> tuple[float, str]:
    p = review.parts.get("next_year_plan")
    if p is None or p.status == "missing":
        return 0.0, "没有下一年度工作安排"
    its = items(review, "next_year_plan")
    r = rule(review.kn, "plan.unanswered_shortcomings")
    short, left = unanswered(review, (r or {}).get("params") or {})
    answered = (len(short) - len(left)) / len(short) if short else 0.0
    concrete = sum(1 for it in its if _CONCRETE.search(it.text))
    c_frac = concrete / len(its) if its else 0.0
    frac = 0.4 * min(1.0, len(its) / float(params.get("full_items", 3))) + 0.4 * answered + 0.2 * c_frac
    what = f"回应了 {len(short) - len(left)}/{len(short)} 条不足" if short else "无可对照的不足"
    return frac, f"安排 {len(its)} 项，{what}，{concrete} 项有具体措施或目标"


def _originality(review: Review, params: dict) -> tuple[float, str]:
    ctx = review.memo.get("corpus")  # corpus mode: set by fazhi.corpus.similar.apply
    if ctx:
        copied, formulaic = float(ctx.get("copied", 0.0)), float(ctx.get("formulaic", 0.0))
        frac = (1.0 - float(params.get("copied_weight", 1.0)) * copied
                - float(params.get("formulaic_weight", 0.5)) * formulaic)
        return frac, (f"与语料库 {ctx.get('corpus_size', 0)} 篇报告比对：原创 {float(ctx.get('originality', 1.0)):.0%}，"
                      f"与其他单位报告相同 {copied:.0%}，多篇共用的套话 {formulaic:.0%}")
    r = rule(review.kn, "text.boilerplate")
    hits = boilerplate_hits(review, ((r or {}).get("params") or {}).get("phrases", []))
    frac = max(0.4, 1.0 - 0.06 * len(hits))
    return frac, f"单篇模式（未与其他报告比对）：常见套话 {len(hits)} 处"


SCORERS: dict[str, Scorer] = {
    "completeness": _completeness,
    "quantification": _quantification,
    "self_criticism": _self_criticism,
    "plan_specificity": _plan,
    "originality": _originality,
}


def compute(review: Review) -> Score:
    """Score ``review`` on every dimension listed in the rules file."""
    dims: dict[str, Dimension] = {}
    for name, spec in review.kn["rules"]["score"].items():
        fn = SCORERS.get(name)
        if fn is None:
            raise knowledge.KnowledgeError(f"score dimension {name!r} has no scorer")
        frac, why = fn(review, spec.get("params") or {})
        frac = max(0.0, min(1.0, frac))
        dims[name] = Dimension(score=frac * spec["weight"], weight=spec["weight"], label=spec["label"],
                               explanation=why)
    return Score(total=sum(d.score for d in dims.values()), dimensions=dims)
