"""Server-rendered pages (Jinja2) and the static ES modules and CSS, all served by the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from hotline import __version__
from hotline.api.deps import principal_from
from hotline.auth.model import Principal
from hotline.auth.roles import Permission, oversees
from hotline.errors import HotlineError
from hotline.store.auth_repo import SqlTenants
from hotline.web.admin import ENTITIES, audit_field_labels, translate_descriptor
from hotline.web.error_text import ErrorText
from hotline.web.help import install_help
from hotline.web.i18n import LANGUAGES, Catalogs, best_language
from hotline.web.survey_page import install_survey_pages
from hotline.web.vendor import default_vendor_dir, install_vendor

__all__ = ["LANG_COOKIE", "install_pages", "page_environment"]

_HERE = Path(__file__).parent
LANG_COOKIE = "hotline_lang"


def page_environment(catalogs: Catalogs) -> Environment:
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )

    @pass_context
    def gettext(context: Context, message: str, **params: Any) -> str:
        return catalogs.gettext(context.get("lang", LANGUAGES[0]), message, **params)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int, **params: Any) -> str:
        return gettext(context, singular if n == 1 else plural, n=n, **params)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def _nav(principal: Principal) -> list[tuple[str, str]]:
    items = [("/", "Home")]
    if principal.agent_id is not None:
        items.append(("/desktop", "Desktop"))
    if principal.can(Permission.EVENTS_READ):
        items.append(("/wallboard", "Wallboard"))
    if principal.can(Permission.INTERACTIONS_READ):
        items.append(("/interactions", "Interactions"))
        items.append(("/missed", "Missed calls"))
    if principal.can(Permission.TICKETS_READ):
        items.append(("/tickets", "Tickets"))
    if principal.can(Permission.KNOWLEDGE_READ):
        items.append(("/knowledge", "Knowledge base"))

    if principal.can(Permission.TICKETS_WRITE):
        items.append(("/mail", "Mail"))

    if oversees(principal.roles):
        items.append(("/reviews", "Reviews of low ratings"))  # forced reviews (quality)
    if {"admin", "qa"} & set(principal.roles):
        items.append(("/qa-tasks", "QA tasks"))  # contacts sampled for evaluation (quality)
        items.append(("/qa-sampling", "QA sampling rules"))  # which contacts are sampled
    if principal.can(Permission.INTERACTIONS_READ):
        items.append(("/qa-evaluations", "QA evaluations"))  # an agent: her own
    if principal.can(Permission.REPORTS_READ):
        overseer = {"admin", "qa", "supervisor"} & set(principal.roles)
        items.append(("/reports", "Reports" if overseer else "My figures"))
    if principal.agent_id is not None:
        items.append(("/my-schedule", "My schedule"))
    if principal.can(Permission.WFM_READ):
        items.append(("/wfm", "Workforce planning"))
    if principal.can(Permission.FLOWS_READ):
        items.append(("/admin/flows", "Flows"))
    if principal.can(Permission.DATA_IMPORT):
        items.append(("/admin/imports", "Import & export"))
    # The center's configuration is in the menus of those who configure it and of supervisors;
    # an agent reads parts of it (dispositions, reasons, queues) through her desktop, and her
    # menu names her work only: desktop, contacts, missed calls, schedule, customers, tickets.
    configures = principal.can(Permission.CONFIG_WRITE) or principal.can(Permission.SUPERVISE)
    for slug, descriptor in ENTITIES.items():
        if descriptor["read"] is Permission.CONFIG_READ and not configures:
            continue
        if (
            descriptor.get("menu", True)
            and principal.can(descriptor["read"])
            and (slug != "audit" or principal.can(Permission.AUDIT_READ))
        ):
            items.append((f"/admin/{slug}", descriptor["title"]))
    if principal.can(Permission.CONFIG_WRITE):
        items.append(("/admin/trunks", "Trunks"))
        items.append(("/admin/sip-bans", "SIP bans"))
        items.append(("/admin/mailboxes", "Mailboxes"))
        items.append(("/admin/sms", "SMS"))
        items.append(("/admin/chat", "Web chat"))
        items.append(("/admin/surveys", "Surveys"))
        items.append(("/admin/scorecards", "Scorecards"))
    if principal.can(Permission.CONFIG_READ) and configures:
        items.append(("/admin/campaigns", "Outbound campaigns"))
    return items


def install_pages(app: FastAPI) -> None:
    catalogs = Catalogs()
    env = page_environment(catalogs)
    app.state.catalogs = catalogs
    app.state.page_env = env  # the report printed as PDF (web/report_print.py)
    app.state.error_text = ErrorText(catalogs).render  # the API's errors in the user's language
    vendor = app.state.services.settings.http.vendor_dir or default_vendor_dir()
    install_vendor(app, vendor)  # before /static, which would shadow it
    app.state.vendor_dir = vendor
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    install_help(app, env)  # the centers' public help pages (docs/knowledge.md)

    install_survey_pages(app, env)  # the public link survey (docs/quality.md)

    def render(template: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(lang=lang, version=__version__, **context)
        return HTMLResponse(html, status_code=status)

    async def caller(request: Request) -> Principal | None:
        try:
            return await principal_from(request)
        except HotlineError:
            return None

    def lang_of(request: Request, principal: Principal | None) -> str:
        return best_language(
            principal.language if principal else None,
            request.cookies.get(LANG_COOKIE),
            request.app.state.services.settings.default_language,
        )

    @app.get("/i18n/{lang}.json", include_in_schema=False)
    async def catalog(lang: str) -> JSONResponse:
        return JSONResponse(catalogs.as_dict(best_language(lang)))

    @app.get("/login", include_in_schema=False)
    async def login_page(request: Request, lang: str | None = None) -> Response:
        language = best_language(lang, request.cookies.get(LANG_COOKIE))
        if lang is None and request.cookies.get(LANG_COOKIE) is None:
            language = request.app.state.services.settings.default_language
        response = render("login.html", language, next=request.query_params.get("next", "/"))
        if lang:
            response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, samesite="lax")
        return response

    def screen(template: str, lang: str, principal: Principal, **context: Any) -> HTMLResponse:
        """A page of the shell: the user and the menu, plus the page's own context."""
        return render(template, lang, me=principal, nav=_nav(principal), **context)

    async def zoned(
        request: Request, template: str, lang: str, principal: Principal, **context: Any
    ) -> HTMLResponse:
        """A screen that knows the tenant's time zone (every time on it is shown in it)."""
        context.setdefault("time_zone", await time_zone(request, principal))
        return screen(template, lang, principal, **context)

    def forbidden(lang: str, principal: Principal) -> HTMLResponse:
        return render(
            "error.html",
            lang,
            403,
            me=principal,
            nav=_nav(principal),
            message="You may not open this page",
        )

    async def open_page(
        request: Request, allowed: Callable[[Principal], bool] = lambda _: True
    ) -> tuple[Principal, str] | Response:
        """The signed-in user and their language, or the response instead of the page: the
        login page (coming back here afterwards), or 403 when `allowed` says no."""
        principal = await caller(request)
        if principal is None:
            target = "/login" if request.url.path == "/" else f"/login?next={request.url.path}"
            return RedirectResponse(target, 303)
        if principal.must_change_password and request.url.path != "/account":
            return RedirectResponse("/account", 303)  # a one-time password: change it first
        lang = lang_of(request, principal)
        if not allowed(principal):
            return forbidden(lang, principal)
        return principal, lang

    def may(permission: Permission) -> Callable[[Principal], bool]:
        return lambda principal: principal.can(permission)

    def plain(path: str, template: str, allowed: Callable[[Principal], bool]) -> None:
        """A screen that needs nothing but who may open it: the shell renders the rest."""

        async def page(request: Request) -> Response:
            opened = await open_page(request, allowed)
            if isinstance(opened, Response):
                return opened
            principal, lang = opened
            return await zoned(request, template, lang, principal)

        app.get(path, include_in_schema=False, name=template)(page)

    async def time_zone(request: Request, principal: Principal) -> str:
        """The tenant's time zone: the desk and the interaction pages show its times."""
        async with request.app.state.services.engine.connect() as conn:
            tenant = await SqlTenants(conn).get(principal.tenant_id)
        return str(tenant["timezone"]) if tenant else "Asia/Shanghai"

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        opened = await open_page(request)
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(request, "home.html", lang, principal)

    @app.get("/account", include_in_schema=False)
    async def account_page(request: Request) -> Response:
        opened = await open_page(request)
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(request, "account.html", lang, principal)

    plain("/wallboard", "wallboard.html", may(Permission.EVENTS_READ))

    plain("/wallboard/tv", "wallboard-tv.html", may(Permission.EVENTS_READ))

    plain("/desktop", "desktop.html", lambda principal: principal.agent_id is not None)

    plain("/interactions", "interactions.html", may(Permission.INTERACTIONS_READ))

    @app.get("/interactions/{interaction_id}", include_in_schema=False)
    async def interaction_page(interaction_id: str, request: Request) -> Response:
        opened = await open_page(request, may(Permission.INTERACTIONS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(
            request,
            "interactions-detail.html",
            lang,
            principal,
            interaction_id=interaction_id,
            can_wrap_up=principal.can(Permission.INTERACTIONS_WRAP_UP),
        )

    @app.get("/missed", include_in_schema=False)
    async def missed_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.INTERACTIONS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(
            request,
            "missed.html",
            lang,
            principal,
            can_call=principal.agent_id is not None,
            can_wrap_up=principal.can(Permission.INTERACTIONS_WRAP_UP),
            me_agent=principal.agent_id or "",
            overseer=principal.can(Permission.SUPERVISE) or principal.can(Permission.AUDIT_READ),
        )

    @app.get("/reviews", include_in_schema=False)
    async def reviews_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.INTERACTIONS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        can_close = principal.can(Permission.SUPERVISE)
        return await zoned(request, "reviews.html", lang, principal, can_close=can_close)

    plain("/qa-tasks", "qa_tasks.html", lambda p: bool({"admin", "qa"} & set(p.roles)))

    plain("/qa-sampling", "qa_sampling.html", lambda p: bool({"admin", "qa"} & set(p.roles)))

    plain("/qa-evaluations", "qa_evaluations.html", may(Permission.INTERACTIONS_READ))

    @app.get("/qa-evaluations/{evaluation_id}", include_in_schema=False)
    async def qa_evaluation_page(evaluation_id: str, request: Request) -> Response:
        opened = await open_page(request, may(Permission.INTERACTIONS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(
            request, "qa_evaluation.html", lang, principal, evaluation_id=evaluation_id,
            me_agent=principal.agent_id or "",
        )  # fmt: skip

    @app.get("/tickets", include_in_schema=False)
    async def tickets_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.TICKETS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        can_write = principal.can(Permission.TICKETS_WRITE)
        return await zoned(request, "tickets.html", lang, principal, can_write=can_write)

    @app.get("/tickets/{ticket_id}", include_in_schema=False)
    async def ticket_page(ticket_id: str, request: Request) -> Response:
        opened = await open_page(request, may(Permission.TICKETS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(
            request,
            "ticket.html",
            lang,
            principal,
            ticket_id=ticket_id,
            can_write=principal.can(Permission.TICKETS_WRITE),
        )

    @app.get("/customers/{customer_id}", include_in_schema=False)
    async def customer_page(customer_id: str, request: Request) -> Response:
        opened = await open_page(request, may(Permission.CUSTOMERS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(
            request,
            "customer.html",
            lang,
            principal,
            customer_id=customer_id,
            can_write_tickets=principal.can(Permission.TICKETS_WRITE),
        )

    @app.get("/wfm", include_in_schema=False)
    async def wfm_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.WFM_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(
            request,
            "wfm.html",
            lang,
            principal,
            can_write=principal.can(Permission.WFM_WRITE),
        )

    @app.get("/reports", include_in_schema=False)
    async def reports_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.REPORTS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        overseer = bool({"admin", "qa", "supervisor"} & set(principal.roles))
        return await zoned(
            request,
            "reports.html",
            lang,
            principal,
            overseer=overseer,
            can_targets=principal.can(Permission.CONFIG_WRITE),
            can_settings=principal.can(Permission.CONFIG_WRITE)
            or principal.can(Permission.DATA_EXPORT),
        )

    @app.get("/reports/settings", include_in_schema=False)
    async def report_settings_page(request: Request) -> Response:
        def manages(principal: Principal) -> bool:
            return principal.can(Permission.CONFIG_WRITE) or principal.can(Permission.DATA_EXPORT)

        opened = await open_page(request, manages)
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(
            request,
            "report-settings.html",
            lang,
            principal,
            can_configure=principal.can(Permission.CONFIG_WRITE),
            can_subscribe=principal.can(Permission.DATA_EXPORT),
        )

    plain("/my-schedule", "my-schedule.html", lambda principal: principal.agent_id is not None)

    @app.get("/knowledge", include_in_schema=False)
    async def knowledge_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.KNOWLEDGE_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        async with request.app.state.services.engine.connect() as conn:
            tenant = await SqlTenants(conn).get(principal.tenant_id)
        return await zoned(
            request, "knowledge.html", lang, principal,
            can_write=principal.can(Permission.KNOWLEDGE_WRITE),
            slug=tenant["slug"] if tenant else "",
        )  # fmt: skip

    @app.get("/admin/flows", include_in_schema=False)
    async def flows_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.FLOWS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        can_write = principal.can(Permission.FLOWS_WRITE)
        return await zoned(request, "admin/flows.html", lang, principal, can_write=can_write)

    @app.get("/admin/flows/{name}", include_in_schema=False)
    async def flow_page(name: str, request: Request) -> Response:
        opened = await open_page(request, may(Permission.FLOWS_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(
            request,
            "admin/flow.html",
            lang,
            principal,
            name="" if name == "new" else name,
            can_write=principal.can(Permission.FLOWS_WRITE),
        )

    @app.get("/admin/imports", include_in_schema=False)
    async def imports_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.DATA_IMPORT))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        targets = request.app.state.services.imports.registry.describe()
        can_export = principal.can(Permission.DATA_EXPORT)
        return await zoned(
            request, "admin/imports.html", lang, principal, targets=targets, can_export=can_export
        )

    @app.get("/admin/imports/{import_id}", include_in_schema=False)
    async def import_page(import_id: str, request: Request) -> Response:
        opened = await open_page(request, may(Permission.DATA_IMPORT))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(request, "admin/import.html", lang, principal, import_id=import_id)

    plain("/admin/trunks", "admin/trunks.html", may(Permission.CONFIG_WRITE))

    @app.get("/admin/campaigns", include_in_schema=False)
    async def campaigns_page(request: Request) -> Response:
        # Supervisors see the campaigns and their figures; those who configure change them.
        def oversees_campaigns(principal: Principal) -> bool:
            return principal.can(Permission.CONFIG_READ) and (
                principal.can(Permission.CONFIG_WRITE) or principal.can(Permission.SUPERVISE)
            )

        opened = await open_page(request, oversees_campaigns)
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        can_write = principal.can(Permission.CONFIG_WRITE)
        return await zoned(request, "admin/campaigns.html", lang, principal, can_write=can_write)

    plain("/admin/sip-bans", "admin/sip-bans.html", may(Permission.CONFIG_WRITE))

    @app.get("/admin/audit", include_in_schema=False)
    async def audit_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.AUDIT_READ))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened

        def gettext(message: str) -> str:
            return catalogs.gettext(lang, message)

        return await zoned(
            request,
            "admin/audit.html",
            lang,
            principal,
            descriptor=translate_descriptor(ENTITIES["audit"], gettext),
            field_labels=audit_field_labels(gettext),
        )

    @app.get("/mail", include_in_schema=False)
    async def mail_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.TICKETS_WRITE))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        return await zoned(request, "mail.html", lang, principal, can_write=True)

    plain("/admin/mailboxes", "admin/mailboxes.html", may(Permission.CONFIG_WRITE))

    @app.get("/admin/sms", include_in_schema=False)
    async def sms_page(request: Request) -> Response:
        opened = await open_page(request, may(Permission.CONFIG_WRITE))
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        tenant_id = principal.tenant_id
        return await zoned(request, "admin/sms.html", lang, principal, tenant_id=tenant_id)

    plain("/admin/chat", "admin/chat.html", may(Permission.CONFIG_WRITE))

    plain("/admin/scorecards", "admin/scorecards.html", may(Permission.CONFIG_WRITE))

    plain("/admin/surveys", "admin/surveys.html", may(Permission.CONFIG_WRITE))

    @app.get("/admin/{entity}", include_in_schema=False)
    async def admin_page(entity: str, request: Request) -> Response:
        opened = await open_page(request)
        if isinstance(opened, Response):
            return opened
        principal, lang = opened
        descriptor = ENTITIES.get(entity)
        if descriptor is None:
            return render(
                "error.html",
                lang,
                me=principal,
                nav=_nav(principal),
                status=404,
                message="Page not found",
            )
        if not principal.can(descriptor["read"]):
            return forbidden(lang, principal)

        def gettext(message: str) -> str:
            return catalogs.gettext(lang, message)

        can_write = descriptor["write"] is not None and principal.can(descriptor["write"])
        act = descriptor.get("act")
        return await zoned(
            request,
            "admin/entity.html",
            lang,
            principal,
            entity=entity,
            descriptor=translate_descriptor(descriptor, gettext),
            can_write=can_write,
            can_act=act is not None and principal.can(act),
        )
