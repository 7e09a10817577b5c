"""The public help page of each center (帮助中心, docs/knowledge.md): `/help/<tenant code>`, no
login, only published articles whose audience is public, in zh-CN or en — a search box, the
articles by category, and one article with its related articles. Server-rendered, no script.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment

from hotline import __version__
from hotline.knowledge.bot import BotPolicy
from hotline.knowledge.search import IndexedText
from hotline.store.auth_repo import SqlTenants
from hotline.store.knowledge_repo import SqlKnowledge
from hotline.web.i18n import best_language

__all__ = ["install_help"]

LANG_COOKIE = "hotline_lang"  # the same cookie as the shell's language switch
RESULTS = 5


def _short(lang: str) -> str:
    return "zh" if lang.startswith("zh") else "en"


def install_help(app: FastAPI, env: Environment) -> None:
    def render(template: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(lang=lang, version=__version__, **context)
        return HTMLResponse(html, status_code=status)

    async def center(request: Request, slug: str, lang: str | None) -> tuple[Any, ...] | None:
        services = request.app.state.services
        async with services.engine.connect() as conn:
            tenant = await SqlTenants(conn).by_slug(slug)
            if tenant is None or tenant.get("kind") != "center" or tenant["status"] != "active":
                return None
            repo = SqlKnowledge(conn)
            texts = [
                t for t in await repo.published_texts(str(tenant["id"])) if t.audience == "public"
            ]
            categories = await repo.categories(str(tenant["id"]))
        language = best_language(lang, request.cookies.get(LANG_COOKIE), str(tenant["language"]))
        return tenant, language, texts, categories

    def pick(texts: list[IndexedText], lang: str) -> dict[str, IndexedText]:
        """One text per article: the page's language where the article has it."""
        out: dict[str, IndexedText] = {}
        for text in texts:
            if text.article_id not in out or text.language == _short(lang):
                out[text.article_id] = text
        return out

    def not_found(lang: str) -> HTMLResponse:
        return render("help/missing.html", lang, 404)

    @app.get("/help/{slug}", include_in_schema=False)
    async def help_home(
        request: Request, slug: str, q: str | None = None, lang: str | None = None
    ) -> Response:
        found = await center(request, slug, lang)
        if found is None:
            return not_found(best_language(lang))
        tenant, language, texts, categories = found
        shown = pick(texts, language)
        hits: list[IndexedText] | None = None
        query = (q or "").strip()[:200]
        if query:
            results = await request.app.state.services.knowledge.search(
                str(tenant["id"]), query, audiences=("public",), limit=RESULTS,
                language=_short(language),
            )  # fmt: skip
            # Articles that share a word or two with the question are noise to a visitor.
            hits = [
                shown[h.article_id]
                for h in results
                if h.article_id in shown and h.confidence >= BotPolicy().hand_off_below
            ]
        name_key = "name_zh" if language.startswith("zh") else "name_en"
        groups = [
            (c[name_key], [t for t in shown.values() if t.category_id == c["id"]])
            for c in categories
        ]
        others = [t for t in shown.values() if t.category_id not in {c["id"] for c in categories}]
        if others:
            groups.append(("", others))
        return render(
            "help/index.html", language, slug=slug, center=tenant["name"], query=query,
            hits=hits, groups=[g for g in groups if g[1]],
        )  # fmt: skip

    @app.get("/help/{slug}/articles/{article_id}", include_in_schema=False)
    async def help_article(
        request: Request, slug: str, article_id: str, lang: str | None = None
    ) -> Response:
        found = await center(request, slug, lang)
        if found is None:
            return not_found(best_language(lang))
        tenant, language, texts, _ = found
        shown = pick(texts, language)
        text = shown.get(article_id)
        if text is None:
            return not_found(language)
        async with request.app.state.services.engine.connect() as conn:
            article = await SqlKnowledge(conn).article(str(tenant["id"]), article_id)
        related = [shown[i] for i in (article.links if article else ()) if i in shown]
        return render(
            "help/article.html", language, slug=slug, center=tenant["name"], article=text,
            paragraphs=[p for p in text.body.split("\n") if p.strip()], related=related,
        )  # fmt: skip
