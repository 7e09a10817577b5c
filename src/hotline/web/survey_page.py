"""The link survey's page (ADR 0213): `/s/<token>`, public, small and made for a phone. It asks
the survey's questions in the link's language (or the one chosen on the page), posts a plain
form back to itself (no script needed) and says plainly when the link was used, has expired or
is not ours. One refused answer shows the form again with the sentence under that question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment

from hotline import __version__
from hotline.quality.errors import QualityInvalid, SurveyLinkRefused
from hotline.quality.links import LinkSurveys
from hotline.store.quality_repo import SqlQuality
from hotline.web.i18n import best_language

__all__ = ["install_survey_pages"]

# A refused link → the page's status: gone for used and expired, not found for forged.
_STATUS = {"quality.link.used": 410, "quality.link.expired": 410, "quality.link.forged": 404}
_FIELD_PREFIX = "q_"


def install_survey_pages(app: FastAPI, env: Environment) -> None:
    def render(lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template("survey.html").render(lang=lang, version=__version__, **context)
        response = HTMLResponse(html, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"  # the token stays out of referrers
        return response

    def surveys(request: Request, uow: Any) -> LinkSurveys:
        services = request.app.state.services
        settings = services.settings.quality
        return LinkSurveys(
            SqlQuality(uow.conn), uow.emit, services.clock.now,
            public_url=settings.public_url, link_hours=settings.link_hours,
        )  # fmt: skip

    def language(request: Request, fallback: str | None) -> str:
        return best_language(request.query_params.get("lang"), fallback)

    def refused(request: Request, error: SurveyLinkRefused) -> HTMLResponse:
        lang = language(request, request.headers.get("accept-language"))
        return render(lang, _STATUS[error.code], refused=error.message, code=error.code)

    @app.get("/s/{token}", include_in_schema=False)
    async def survey_page(token: str, request: Request) -> Response:
        uows: Callable[..., Any] = request.app.state.services.uow
        async with uows(write=False) as uow:
            try:
                opened = await surveys(request, uow).open(token)
            except SurveyLinkRefused as error:
                return refused(request, error)
        lang = language(request, opened.language)
        return render(lang, survey=opened.survey, token=token, values={}, problem=None)

    @app.post("/s/{token}", include_in_schema=False)
    async def survey_answer(token: str, request: Request) -> Response:
        form = await request.form()
        answers = {
            str(k)[len(_FIELD_PREFIX) :]: str(v)
            for k, v in form.multi_items()
            if str(k).startswith(_FIELD_PREFIX)
        }
        uows: Callable[..., Any] = request.app.state.services.uow
        async with uows() as uow:
            service = surveys(request, uow)
            try:
                opened = await service.answer(token, answers)
            except SurveyLinkRefused as error:
                return refused(request, error)
            except QualityInvalid as error:
                shown = await service.open(token)
                lang = language(request, str(form.get("lang") or shown.language))
                return render(
                    lang, 422, survey=shown.survey, token=token, values=answers,
                    problem={"field": error.details.get("field"), "message": error.message},
                )  # fmt: skip
            await uow.commit()
        lang = language(request, str(form.get("lang") or opened.language))
        return render(lang, thanks=True)
