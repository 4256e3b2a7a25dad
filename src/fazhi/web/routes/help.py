"""使用说明: what each page does, the roles, how to read a score.

The text is written once, in Markdown, as ``web/templates/使用说明.md`` (shipped with the package;
``docs/使用说明.md`` is a link to it) and rendered here with markdown-it (CommonMark and
tables; raw HTML in the text is shown as text, never passed through)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from fazhi.web.deps import PageUser

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api")

#: the Markdown of 使用说明 inside the package (``docs/使用说明.md`` is a link to it)
SOURCE = "使用说明.md"


def source_text() -> str:
    """The Markdown of 使用说明."""
    return (resources.files("fazhi.web") / "templates" / SOURCE).read_text(encoding="utf-8")


@cache
def rendered() -> tuple[Markup, tuple[tuple[str, str], ...]]:
    """The help text as HTML, and its sections ``(id, title)`` for the table of contents (rendered once per
    process)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    tokens = md.parse(source_text())
    toc: list[tuple[str, str]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3"):
            title = tokens[i + 1].content if i + 1 < len(tokens) else ""
            hid = f"s{len(toc) + 1}"
            tok.attrSet("id", hid)
            if tok.tag == "h2":
                toc.append((hid, re.sub(r"\s+", " ", title).strip()))
        elif tok.type == "table_open":
            tok.attrSet("class", "list mini help-table")
    html = md.renderer.render(tokens, md.options, {})
    return Markup(html), tuple(toc)


@pages.get("/help", response_class=HTMLResponse)
def help_page(request: Request, p: PageUser) -> Response:
    from fazhi.web.routes.pages import render

    body, toc = rendered()
    ctx: dict[str, Any] = {"title": "使用说明", "nav": "help", "body": body, "toc": toc}
    return render(request, "help.html.j2", **ctx)


__all__ = ["api", "help_page", "pages", "rendered", "source_text"]
