"""Mailboxes and mails (issue 22, docs/email.md): admins set up each mailbox and test its
servers; agents read a mail (sanitized, never the raw HTML), answer it with attachments and
CC, and make a ticket of it, which answers the customer with the ticket number."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import Uow, require, services_of
from hotline.api.present import present
from hotline.api.tickets import ticket_service, ticket_view
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.channels.email.compose import OutgoingFile
from hotline.channels.email.desk import MailDesk, mail_view, mailbox_view
from hotline.channels.email.limits import DEFAULT_TYPES, MailLimits
from hotline.channels.email.model import ImapServer, Mailbox, SmtpServer, Tls
from hotline.channels.email.smtp import SmtpTransport
from hotline.ids import new_id
from hotline.store.attachments import FileAttachmentStore
from hotline.tickets.numbers import grouped
from hotline.tickets.schemas import TicketIn

__all__ = ["mail_desk", "router"]

router = APIRouter(prefix="/api/v1", tags=["email"])

Admin = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
Agent = Annotated[Principal, Depends(require(Permission.TICKETS_WRITE))]
MailId = Annotated[str, PathParam(max_length=26)]


def mail_desk(request: Request) -> MailDesk:
    services = services_of(request)
    settings = services.settings
    root = settings.tickets.attachments_dir or Path(settings.var_dir) / "attachments"
    limits = MailLimits(
        attachment_max_bytes=settings.tickets.attachment_max_mb << 20,
        attachment_types=DEFAULT_TYPES | frozenset(settings.tickets.attachment_types),
    )
    return MailDesk(
        services.engine,
        services.clock,
        FileAttachmentStore(root),
        SmtpTransport(),
        limits,
        secrets=services.secrets,
    )


_HOST = r"^[A-Za-z0-9][A-Za-z0-9.\-]*$|^\[?[0-9A-Fa-f:.]+\]?$"  # a name or an address


class MailboxIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address: str = Field(min_length=3, max_length=254)
    display_name: str = Field("", max_length=100)
    imap_host: str = Field(min_length=1, max_length=253, pattern=_HOST)
    imap_port: int = Field(993, ge=1, le=65535)
    imap_tls: Literal["tls", "starttls", "none"] = "tls"
    imap_username: str = Field("", max_length=254)
    imap_password: str = Field("", max_length=500, description="empty on a change: kept")
    imap_folder: str = Field("INBOX", min_length=1, max_length=200)
    smtp_host: str = Field(min_length=1, max_length=253, pattern=_HOST)
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_tls: Literal["tls", "starttls", "none"] = "starttls"
    smtp_username: str = Field("", max_length=254)
    smtp_password: str = Field("", max_length=500, description="empty on a change: kept")
    verify_tls: bool = True
    tls_ca_file: str = Field(
        "", max_length=500, description="PEM file of the CA that vouches for the servers"
    )
    signature: str = Field("", max_length=2000)
    auto_reply: bool = True
    active: bool = True
    poll_s: float = Field(60.0, ge=5, le=3600)
    language: Literal["zh-CN", "en"] = "zh-CN"

    def mailbox(self, tenant_id: str, mailbox_id: str) -> Mailbox:
        return Mailbox(
            id=mailbox_id,
            tenant_id=tenant_id,
            address=self.address.strip(),
            display_name=self.display_name.strip(),
            imap=ImapServer(
                self.imap_host.strip(), self.imap_port, Tls(self.imap_tls),
                self.imap_username, self.imap_password, self.imap_folder, self.verify_tls,
                self.tls_ca_file.strip(),
            ),
            smtp=SmtpServer(
                self.smtp_host.strip(), self.smtp_port, Tls(self.smtp_tls),
                self.smtp_username, self.smtp_password, self.verify_tls,
                self.tls_ca_file.strip(),
            ),
            signature=self.signature,
            auto_reply=self.auto_reply,
            active=self.active,
            poll_s=self.poll_s,
            language=self.language,
        )  # fmt: skip


def _refresh(request: Request, mailbox: Mailbox) -> None:
    host = services_of(request).mail_host
    if host is not None:
        host.refresh(mailbox)


@router.get("/mailboxes", summary="The center's mailboxes (passwords are never shown)")
async def list_mailboxes(request: Request, principal: Admin) -> dict[str, Any]:
    boxes = await mail_desk(request).mailboxes(principal.tenant_id)
    return {"items": [mailbox_view(b) for b in boxes]}


@router.post("/mailboxes", status_code=201, summary="Add a mailbox (IMAP in, SMTP out)")
async def add_mailbox(request: Request, principal: Admin, body: MailboxIn) -> dict[str, Any]:
    now = services_of(request).clock.now()
    mailbox = await mail_desk(request).save_mailbox(
        body.mailbox(principal.tenant_id, new_id(now)), new=True
    )
    _refresh(request, mailbox)
    return mailbox_view(mailbox)


@router.put("/mailboxes/{mailbox_id}", summary="Change a mailbox; an empty password is kept")
async def change_mailbox(
    request: Request, principal: Admin, mailbox_id: MailId, body: MailboxIn
) -> dict[str, Any]:
    desk = mail_desk(request)
    await desk.mailbox(principal.tenant_id, mailbox_id)  # 404 when not the tenant's
    mailbox = await desk.save_mailbox(body.mailbox(principal.tenant_id, mailbox_id), new=False)
    _refresh(request, mailbox)
    return mailbox_view(mailbox)


@router.post(
    "/mailboxes/{mailbox_id}/test",
    summary="Test the IMAP and SMTP servers: connect, TLS, log in (nothing is sent)",
)
async def test_mailbox(request: Request, principal: Admin, mailbox_id: MailId) -> dict[str, Any]:
    return await mail_desk(request).test_connection(principal.tenant_id, mailbox_id)


@router.get("/mails", summary="The latest mails received, newest first")
async def list_mails(
    request: Request,
    principal: Agent,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    items = await mail_desk(request).recent(principal.tenant_id, limit)
    return {"items": [present(i) for i in items]}


@router.get("/mails/{mail_id}", summary="One mail, sanitized, with its thread")
async def read_mail(request: Request, principal: Agent, mail_id: MailId) -> dict[str, Any]:
    return present(await mail_desk(request).read(principal.tenant_id, mail_id))


@router.get(
    "/mails/{mail_id}/attachments/{number}",
    summary="An attachment of a mail (numbered from 0, as the mail lists them)",
)
async def mail_attachment(
    request: Request,
    principal: Agent,
    mail_id: MailId,
    number: Annotated[int, PathParam(ge=0, le=100)],
) -> StreamingResponse:
    desk = mail_desk(request)
    name, kind, stream = await desk.attachment(principal.tenant_id, mail_id, number)
    quoted = name.replace('"', "")
    return StreamingResponse(
        stream,
        media_type=kind,
        headers={
            # always a download, never shown inline on our origin
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(quoted)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _quote(name: str) -> str:
    return quote(name, safe="")


@router.post("/mails/{mail_id}/reply", status_code=201, summary="Answer a mail by e-mail")
async def reply_to_mail(
    request: Request,
    principal: Agent,
    mail_id: MailId,
    body: Annotated[str, Form(max_length=50_000)] = "",
    cc: Annotated[str, Form(max_length=2000, description="addresses, comma-separated")] = "",
    quick_reply_id: Annotated[str, Form(max_length=26)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> dict[str, Any]:
    desk = mail_desk(request)
    outgoing = []
    for index, upload in enumerate(files or []):
        data = await upload.read(desk.limits.attachment_max_bytes + 1)
        name = (upload.filename or "attachment")[:200]
        kind = upload.content_type or "application/octet-stream"
        desk.check_file(name, kind, len(data), index)
        outgoing.append(OutgoingFile(name, kind, data))
    sent = await desk.reply(
        principal.tenant_id,
        mail_id,
        body,
        author_id=principal.user_id,
        cc=[a.strip() for a in cc.split(",") if a.strip()],
        files=outgoing,
        quick_reply_id=quick_reply_id or None,
    )
    return {"id": sent.mail_id, "message_id": sent.message_id, "thread_key": sent.thread_key}


class MailTicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: str = Field("客服部", min_length=1, max_length=64)


@router.post(
    "/mails/{mail_id}/ticket",
    status_code=201,
    summary="Make a ticket of a mail; the customer is answered with its number",
)
async def mail_to_ticket(
    request: Request, uow: Uow, principal: Agent, mail_id: MailId, body: MailTicketIn
) -> dict[str, Any]:
    desk = mail_desk(request)
    mail = mail_view(await desk.read_row(principal.tenant_id, mail_id))
    tickets = ticket_service(request, uow, principal, check_interactions=False)
    description = mail["text"][:10_000]
    ticket = await tickets.create(
        TicketIn(
            subject=(mail["subject"] or mail["sender"])[:200],
            department=body.department,
            description=f"{mail['sender']}\n\n{description}",
        )
    )
    await uow.commit()
    sent = await desk.ticket_opened(principal.tenant_id, mail_id, ticket.id, grouped(ticket.number))
    return {"ticket": ticket_view(ticket), "answered": sent is not None}
