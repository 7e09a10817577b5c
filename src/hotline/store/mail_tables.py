"""The mailbox layer's tables (hotline.channels.email, docs/email.md): each tenant's
mailboxes with the IMAP read cursor, and every mail read or sent (its raw MIME is a file under
the storage root, `raw_key`)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hotline.store.schema import ID, metadata
from hotline.store.schema import id_column as _id
from hotline.store.schema import stamp_columns as _stamps
from hotline.store.schema import tenant_column as _tenant

__all__ = ["mailboxes", "mails"]

# A mailbox: the address customers write to, read over IMAP and sent from over SMTP. The read
# cursor (`uidvalidity`, `last_uid`) moves in the same transaction as the mails it read, so a
# restart reads from the first mail not yet kept (RFC 3501 §2.3.1.1).
mailboxes = Table(
    "mailboxes",
    metadata,
    _id(),
    _tenant(),
    Column("address", String(254), nullable=False),
    Column("display_name", String(100), nullable=False),
    Column("imap_host", String(253), nullable=False),
    Column("imap_port", Integer, nullable=False),
    Column("imap_tls", String(16), nullable=False),
    Column("imap_username", String(254), nullable=False),
    Column("imap_password", String(1024), nullable=False),  # sealed (hotline.vault.secrets)
    Column("imap_folder", String(200), nullable=False),
    Column("smtp_host", String(253), nullable=False),
    Column("smtp_port", Integer, nullable=False),
    Column("smtp_tls", String(16), nullable=False),
    Column("smtp_username", String(254), nullable=False),
    Column("smtp_password", String(1024), nullable=False),  # sealed
    Column("verify_tls", Boolean, nullable=False),
    Column("tls_ca_file", String(500)),  # the CA's PEM file; none: the system's CAs
    Column("signature", Text, nullable=False),
    Column("auto_reply", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("poll_s", Double, nullable=False),
    Column("language", String(8), nullable=False),
    Column("uidvalidity", BigInteger),
    Column("last_uid", BigInteger, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "address", name="uq_mailboxes_tenant_address"),
)

# One mail read (direction "in") or sent ("out": a reply, an automatic answer, a notice).
mails = Table(
    "mails",
    metadata,
    _id(),
    _tenant(),
    Column(
        "mailbox_id",
        String(ID),
        ForeignKey("mailboxes.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("direction", String(4), nullable=False),
    Column("kind", String(16), nullable=False),  # customer, reply, auto_reply, notice
    Column("message_id", String(500), nullable=False),
    Column("in_reply_to", String(500)),
    Column("references", JSON, nullable=False),
    Column("thread_key", String(ID), nullable=False),
    Column("token", String(16), nullable=False),
    Column("sender", String(254), nullable=False),
    Column("sender_name", String(200), nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("cc", JSON, nullable=False),
    Column("subject", String(500), nullable=False),
    Column("text", Text, nullable=False),
    Column("safe_html", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("raw_key", String(300)),
    Column("uidvalidity", BigInteger),
    Column("uid", BigInteger),
    Column("at", Double, nullable=False),
    Column("automatic", String(32)),  # why no automatic answer may go to it
    Column("auto_replied_at", Double),
    Column("conversation_id", String(ID)),
    Column("ticket_id", String(ID)),
    Column("customer_id", String(ID)),
    Column("author_id", String(ID)),
    # when a mail read was handed to its conversation (after its transaction committed); none
    # yet: the reader's next pass hands it on (a crash came between the two, ADR 0246)
    Column("taken_at", Double),
    UniqueConstraint("mailbox_id", "uidvalidity", "uid", name="uq_mails_mailbox_uid"),
    Index("ix_mails_tenant_message", "tenant_id", "message_id"),
    Index("ix_mails_tenant_thread", "tenant_id", "thread_key", "at"),
    Index("ix_mails_tenant_token", "tenant_id", "token"),
    Index("ix_mails_tenant_sender", "tenant_id", "sender", "auto_replied_at"),
    Index("ix_mails_mailbox_taken", "mailbox_id", "taken_at"),
)
