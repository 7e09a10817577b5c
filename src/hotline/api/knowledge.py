"""The knowledge base over HTTP (docs/knowledge.md): articles, their versions, publishing,
links and attachments, categories and synonyms for editors; search and agent assist for agents.
Handlers only translate HTTP; `hotline.knowledge` decides, the shelf searches."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import present
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.errors import NotFound
from hotline.ids import new_id
from hotline.knowledge import (
    Article,
    ArticleIn,
    ArticleStatus,
    CategoryIn,
    Hit,
    KnowledgeService,
    SynonymsIn,
    assist_query,
)
from hotline.knowledge.assist import ivr_choices
from hotline.knowledge.errors import ArticleNotFound, AttachmentRefused
from hotline.knowledge.figures import bot_figures
from hotline.store.attachments import FileAttachmentStore
from hotline.store.bot_events import SqlBotEvents
from hotline.store.eventlog import SqlEventReader
from hotline.store.knowledge_repo import SqlKnowledge
from hotline.store.references import SqlInteractionRefs
from hotline.store.uow import UnitOfWork

__all__ = ["attachment_store", "hit_view", "knowledge_service", "router"]

router = APIRouter(prefix="/api/v1/knowledge", tags=["knowledge"])

Reader = Annotated[Principal, Depends(require(Permission.KNOWLEDGE_READ))]
Writer = Annotated[Principal, Depends(require(Permission.KNOWLEDGE_WRITE))]
Agent = Annotated[Principal, Depends(require(Permission.DESK))]


def knowledge_service(request: Request, uow: UnitOfWork, principal: Principal) -> KnowledgeService:
    return KnowledgeService(
        SqlKnowledge(uow.conn),
        tenant_id=principal.tenant_id,
        emit=uow.emit,
        now=services_of(request).clock.now,
        user_id=principal.user_id,
    )


def attachment_store(request: Request) -> FileAttachmentStore:
    """Article files share the tickets' attachment store and limits (`tickets.attachment_*`)."""
    settings = services_of(request).settings
    root = settings.tickets.attachments_dir or Path(settings.var_dir) / "attachments"
    return FileAttachmentStore(root)


def _editor(principal: Principal) -> bool:
    return principal.can(Permission.KNOWLEDGE_WRITE)


async def _article_view(uow: UnitOfWork, article: Article) -> dict[str, Any]:
    repo = SqlKnowledge(uow.conn)
    titles = await repo.titles(article.tenant_id, list(article.links))
    files = await repo.attachments(article.tenant_id, article.id)
    return present(
        {
            "id": article.id, "status": article.status.value, "audience": article.audience.value,
            "category_id": article.category_id, "tags": list(article.tags),
            "version": article.version, "published_version": article.published_version,
            "title_zh": article.title_zh, "body_zh": article.body_zh,
            "title_en": article.title_en, "body_en": article.body_en,
            "created_at": article.created_at, "updated_at": article.updated_at,
            "links": [
                {"id": i, "title_zh": titles[i]["title_zh"], "title_en": titles[i]["title_en"],
                 "status": titles[i]["status"]}
                for i in article.links if i in titles
            ],
            "attachments": [
                present({k: f[k] for k in ("id", "filename", "content_type", "size", "created_at")})
                for f in files
            ],
        }
    )  # fmt: skip


def _summary(article: Article) -> dict[str, Any]:
    return present(
        {
            "id": article.id, "status": article.status.value, "audience": article.audience.value,
            "category_id": article.category_id, "tags": list(article.tags),
            "version": article.version, "published_version": article.published_version,
            "title_zh": article.title_zh, "title_en": article.title_en,
            "updated_at": article.updated_at,
        }
    )  # fmt: skip


def hit_view(hit: Hit) -> dict[str, Any]:
    return {
        "article_id": hit.article_id, "language": hit.language, "title": hit.title,
        "snippet": hit.snippet, "score": hit.score, "confidence": hit.confidence,
        "audience": hit.audience, "category_id": hit.category_id,
    }  # fmt: skip


# -- articles -------------------------------------------------------------------------------


@router.get("/articles", summary="Articles; agents see the published ones only")
async def list_articles(
    uow: Uow,
    principal: Reader,
    status: ArticleStatus | None = None,
    audience: Literal["public", "internal"] | None = None,
    category_id: Annotated[str | None, Query(max_length=26)] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    if not _editor(principal):
        status = ArticleStatus.PUBLISHED
    items = await SqlKnowledge(uow.conn).articles(
        principal.tenant_id,
        status=status.value if status else None,
        audience=audience,
        category_id=category_id,
        tag=tag,
    )
    summaries = [_summary(a) for a in items]
    if not _editor(principal):
        # Agents see the published titles, not an editor's newer draft.
        live = await SqlKnowledge(uow.conn).published_texts(principal.tenant_id)
        titles = {(t.article_id, t.language): t.title for t in live}
        for row in summaries:
            for lang in ("zh", "en"):
                row[f"title_{lang}"] = titles.get((row["id"], lang), "")
    return {"items": summaries, "total": len(summaries)}


@router.post("/articles", status_code=201, summary="Write a new article (a draft)")
async def create_article(
    body: ArticleIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    article = await knowledge_service(request, uow, principal).create(body)
    await uow.commit()
    return await _article_view(uow, article)


@router.get("/articles/{article_id}", summary="An article with its links and attachments")
async def get_article(
    article_id: str, request: Request, uow: Uow, principal: Reader
) -> dict[str, Any]:
    article = await knowledge_service(request, uow, principal).get(article_id)
    if not _editor(principal) and not article.live:
        raise ArticleNotFound(article_id)
    view = await _article_view(uow, article)
    if not _editor(principal) and article.published_version != article.version:
        # Agents read what is published, not the editor's newer draft.
        versions = await SqlKnowledge(uow.conn).versions(principal.tenant_id, article_id)
        live = next(v for v in versions if v.version == article.published_version)
        for lang in ("zh", "en"):
            view[f"title_{lang}"], view[f"body_{lang}"] = live.text(lang)
    return view


@router.put("/articles/{article_id}", summary="Save a new version of an article")
async def update_article(
    article_id: str, body: ArticleIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    article = await knowledge_service(request, uow, principal).update(article_id, body)
    await uow.commit()
    return await _article_view(uow, article)


@router.delete("/articles/{article_id}", status_code=204, summary="Delete an article")
async def delete_article(
    article_id: str, request: Request, uow: Uow, principal: Writer
) -> Response:
    keys = [
        f["storage_key"]
        for f in await SqlKnowledge(uow.conn).attachments(principal.tenant_id, article_id)
    ]
    await knowledge_service(request, uow, principal).delete(article_id)
    await uow.commit()
    store = attachment_store(request)
    for key in keys:
        store.delete(key)
    return Response(status_code=204)


@router.post("/articles/{article_id}/publish", summary="Put the newest version live")
async def publish(article_id: str, request: Request, uow: Uow, principal: Writer) -> dict[str, Any]:
    article = await knowledge_service(request, uow, principal).publish(article_id)
    await uow.commit()
    return await _article_view(uow, article)


@router.post("/articles/{article_id}/unpublish", summary="Take the article off search and help")
async def unpublish(
    article_id: str, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    article = await knowledge_service(request, uow, principal).unpublish(article_id)
    await uow.commit()
    return await _article_view(uow, article)


@router.get("/articles/{article_id}/versions", summary="Every saved version, newest first")
async def versions(
    article_id: str, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    items = await knowledge_service(request, uow, principal).versions(article_id)
    return {
        "items": [
            present({
                "version": v.version, "title_zh": v.title_zh, "body_zh": v.body_zh,
                "title_en": v.title_en, "body_en": v.body_en, "saved_at": v.saved_at,
                "saved_by": v.saved_by,
            })
            for v in items
        ]
    }  # fmt: skip


# -- attachments ----------------------------------------------------------------------------


@router.post("/articles/{article_id}/attachments", status_code=201, summary="Attach a file")
async def attach(
    article_id: str,
    request: Request,
    uow: Uow,
    principal: Writer,
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    settings = services_of(request).settings.tickets
    max_bytes = settings.attachment_max_mb << 20
    await knowledge_service(request, uow, principal).get(article_id)
    data = await file.read(max_bytes + 1)
    kind = (file.content_type or "application/octet-stream").split(";")[0].strip().lower()
    if not data:
        raise AttachmentRefused("The file is empty.")
    if len(data) > max_bytes:
        raise AttachmentRefused("The file is too large.", size=len(data), max_bytes=max_bytes)
    if kind not in settings.attachment_types:
        raise AttachmentRefused("This type of file is not accepted.", content_type=kind)
    now = services_of(request).clock.now()
    attachment_id = new_id(now)
    key = f"kb/{principal.tenant_id}/{article_id}/{attachment_id}"
    row = {
        "id": attachment_id, "tenant_id": principal.tenant_id, "article_id": article_id,
        "filename": (file.filename or "file")[:200], "content_type": kind, "size": len(data),
        "storage_key": key, "created_at": now, "created_by": principal.user_id,
    }  # fmt: skip
    attachment_store(request).write(key, io.BytesIO(data))
    await SqlKnowledge(uow.conn).add_attachment(row)
    await uow.commit()
    return present({
        "id": attachment_id, "filename": row["filename"], "content_type": kind,
        "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "created_at": now,
    })  # fmt: skip


async def _attachment(
    uow: UnitOfWork, principal: Principal, article_id: str, attachment_id: str
) -> dict[str, Any]:
    row = await SqlKnowledge(uow.conn).attachment(principal.tenant_id, attachment_id)
    if row is None or row["article_id"] != article_id:
        raise ArticleNotFound(attachment_id)
    return row


@router.get("/articles/{article_id}/attachments/{attachment_id}", summary="Download a file")
async def download(
    article_id: str, attachment_id: str, request: Request, uow: Uow, principal: Reader
) -> Response:
    row = await _attachment(uow, principal, article_id, attachment_id)
    with attachment_store(request).open_read(row["storage_key"]) as stream:
        data = stream.read()
    return Response(
        data,
        media_type=row["content_type"],
        headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"},
    )


@router.delete(
    "/articles/{article_id}/attachments/{attachment_id}", status_code=204, summary="Remove a file"
)
async def remove_attachment(
    article_id: str, attachment_id: str, request: Request, uow: Uow, principal: Writer
) -> Response:
    row = await _attachment(uow, principal, article_id, attachment_id)
    await SqlKnowledge(uow.conn).delete_attachment(principal.tenant_id, attachment_id)
    await uow.commit()
    attachment_store(request).delete(row["storage_key"])
    return Response(status_code=204)


# -- categories and synonyms ------------------------------------------------------------------


@router.get("/categories", summary="Article categories")
async def categories(uow: Uow, principal: Reader) -> dict[str, Any]:
    items = await SqlKnowledge(uow.conn).categories(principal.tenant_id)
    return {"items": [present(c) for c in items], "total": len(items)}


@router.post("/categories", status_code=201, summary="Add a category")
async def add_category(
    body: CategoryIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await knowledge_service(request, uow, principal).add_category(body)
    await uow.commit()
    return present(row)


@router.put("/categories/{category_id}", summary="Rename or move a category")
async def update_category(
    category_id: str, body: CategoryIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    row = await knowledge_service(request, uow, principal).update_category(category_id, body)
    await uow.commit()
    return present(row)


@router.delete("/categories/{category_id}", status_code=204, summary="Delete an empty category")
async def delete_category(
    category_id: str, request: Request, uow: Uow, principal: Writer
) -> Response:
    await knowledge_service(request, uow, principal).delete_category(category_id)
    await uow.commit()
    return Response(status_code=204)


@router.get("/synonyms", summary="The center's synonym groups")
async def synonyms(uow: Uow, principal: Reader) -> dict[str, Any]:
    return {"groups": await SqlKnowledge(uow.conn).synonyms(principal.tenant_id)}


@router.put("/synonyms", summary="Replace the center's synonym groups")
async def set_synonyms(
    body: SynonymsIn, request: Request, uow: Uow, principal: Writer
) -> dict[str, Any]:
    groups = await knowledge_service(request, uow, principal).set_synonyms(body.groups)
    await uow.commit()
    return {"groups": groups}


# -- search and assist ----------------------------------------------------------------------


@router.get("/search", summary="Search the published articles (every audience)")
async def search(
    request: Request,
    principal: Reader,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> dict[str, Any]:
    hits = await services_of(request).knowledge.search(principal.tenant_id, q, limit=limit)
    return {"items": [hit_view(h) for h in hits]}


Text = Annotated[str, StringConstraints(max_length=20_000)]


class AssistIn(BaseModel):
    """What the customer said so far (chat: the visitor's messages; calls: notes or nothing),
    the contact (its IVR choices and flow variables are read from the log) and extra
    variables."""

    model_config = ConfigDict(extra="forbid")
    text: Text = ""
    interaction_id: Annotated[str, StringConstraints(min_length=1, max_length=26)] | None = None
    variables: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, max_length=100
    )
    limit: int = Field(3, ge=1, le=10)


async def _contact_exists(uow: UnitOfWork, principal: Principal, interaction_id: str) -> None:
    if not await SqlInteractionRefs(uow.conn).exists(principal.tenant_id, interaction_id):
        raise NotFound("No such contact.", code="interaction.not_found",
                       details={"id": interaction_id, "field": "interaction_id"})  # fmt: skip


@router.post("/assist", summary="Articles suggested for the conversation")
async def assist(body: AssistIn, request: Request, uow: Uow, principal: Agent) -> dict[str, Any]:
    services = services_of(request)
    choices: list[str] = []
    variables: dict[str, Any] = {}
    if body.interaction_id:
        await _contact_exists(uow, principal, body.interaction_id)
        records = await SqlEventReader(services.engine).for_interaction(
            principal.tenant_id, body.interaction_id
        )
        rows: list[dict[str, Any]] = [{"type": r.type, "payload": r.payload} for r in records]
        choices = ivr_choices(rows)
        variables = {
            str(r["payload"].get("name")): r["payload"].get("value")
            for r in rows
            if r["type"] == "flow.variable_set"
        }
    variables.update(body.variables)
    query = assist_query(body.text, variables=variables, choices=choices)
    hits = (
        []
        if query.empty
        else await services.knowledge.search(principal.tenant_id, query.text, limit=body.limit)
    )
    return {"query": query.text, "parts": list(query.parts), "items": [hit_view(h) for h in hits]}


class UsedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interaction_id: Annotated[str, StringConstraints(min_length=1, max_length=26)]
    how: Literal["insert", "send"]
    language: Literal["zh", "en"]


@router.post(
    "/articles/{article_id}/used", status_code=204, summary="I inserted or sent this article"
)
async def used(
    article_id: str, body: UsedIn, request: Request, uow: Uow, principal: Agent
) -> Response:
    await _contact_exists(uow, principal, body.interaction_id)
    await knowledge_service(request, uow, principal).used(
        article_id, body.how, body.language, body.interaction_id
    )
    await uow.commit()
    return Response(status_code=204)


# -- the bot's figures ----------------------------------------------------------------------


@router.get(
    "/bot/figures",
    summary="The bot's containment, hand-off reasons and unanswered questions (last N days)",
)
async def bot_figures_view(
    request: Request,
    principal: Writer,
    days: Annotated[int, Query(ge=1, le=90, description="how many days back, up to now")] = 7,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    services = services_of(request)
    until = services.clock.now()
    since = until - days * 86_400
    records = await SqlBotEvents(services.engine).records(principal.tenant_id, since, until)
    return {
        "since": since,
        "until": until,
        **bot_figures(records, unanswered_limit=limit).as_dict(),
    }
