"""Mail on the conversation core (ADR 0228), on the real lifecycle and router: a new thread's
mail is named a contact inside its transaction and opened only once it committed (`taken`),
routed to the e-mail queue; the thread's next mail joins the parked contact and resumes it; an
automatic mail opens nothing."""

from __future__ import annotations

from pathlib import Path

from hotline.channels.chat import ChatService
from hotline.channels.email.conversations import MailConversations
from hotline.channels.email.desk import MailDesk
from hotline.channels.email.model import InboundMail
from hotline.channels.email.smtp import SmtpTransport
from hotline.channels.text import InMemoryMessageStore, Message, NewMessage, TextFlows, TextKind
from hotline.events import ListSink
from hotline.flows import FlowService, InMemoryFlowRepository, parse_flow, read_document
from hotline.ids import AgentId, InteractionId
from hotline.interactions import ContactState
from hotline.store.attachments import FileAttachmentStore
from hotline.store.engine import create_engine
from hotline.vault.keyring import Keyring
from hotline.vault.secrets import SecretBox
from tests.unit.channels.test_text_conversations import TENANT, kit
from tests.unit.interactions.harness import until


def mail(mail_id: str, thread: str, text: str, *, automatic: bool = False) -> InboundMail:
    return InboundMail(
        id=mail_id, mailbox_id="mb1", message_id=f"<{mail_id}@example.test>",
        thread_key=thread, resumes=None if mail_id == thread else thread,
        sender="customer@example.test", sender_name="王芳", to=("help@center.test",), cc=(),
        subject="订单未送达", text=text, safe_html="", received_at=1_800_000_000.0,
        automatic=automatic,
    )  # fmt: skip


class OfferWatch(InMemoryMessageStore):
    """Notes, for each message stored, whether its contact had been offered to an agent yet."""

    def __init__(self, sink: ListSink) -> None:
        super().__init__()
        self.sink = sink
        self.offered_before: list[bool] = []

    async def append(self, message: NewMessage, *, at: float) -> tuple[Message, bool]:
        self.offered_before.append(any(e.type == "queue.offered" for e in self.sink.events))
        return await super().append(message, at=at)


async def test_the_agent_offered_a_new_mail_can_already_read_it(tmp_path: Path) -> None:
    k = kit(TextKind.EMAIL)
    store = OfferWatch(k.sink)
    chat = ChatService(lambda _t: k.center, store, clock=k.clock, sink=k.sink)
    desk = MailDesk(
        create_engine(f"sqlite+aiosqlite:///{tmp_path}/unused.db"), k.clock,
        FileAttachmentStore(tmp_path / "files"), SmtpTransport(),
        secrets=SecretBox(Keyring(tmp_path / "keys")),
    )  # fmt: skip
    inbox = MailConversations(desk)
    inbox.attach(chat)
    k.center.add_channel(chat.conversations(TENANT, TextKind.EMAIL).channel)
    await inbox.receive(TENANT, mail("m1", "m1", "你好，我的订单还没有到。"))
    await inbox.taken(TENANT, "m1")
    await until(lambda: any(e.type == "queue.offered" for e in k.sink.events))
    assert store.offered_before[0] is False  # the mail, stored before any agent was offered it


EMAIL_FLOW = """
format: 1
name: email
title: 邮件 / Mail
language: zh-CN
start: to_sales
nodes:
  to_sales:
    type: queue
    queue: sales
    max_wait: 86400
"""


async def test_a_new_thread_runs_the_centers_email_flow(tmp_path: Path) -> None:
    k = kit(TextKind.EMAIL)
    flows = FlowService(InMemoryFlowRepository(), k.sink, k.clock)
    await flows.publish(TENANT, parse_flow(read_document(EMAIL_FLOW)))
    chat = ChatService(
        lambda _t: k.center, InMemoryMessageStore(), clock=k.clock, sink=k.sink,
        flows=TextFlows(flows),
    )  # fmt: skip
    desk = MailDesk(
        create_engine(f"sqlite+aiosqlite:///{tmp_path}/unused.db"), k.clock,
        FileAttachmentStore(tmp_path / "files"), SmtpTransport(),
        secrets=SecretBox(Keyring(tmp_path / "keys")),
    )  # fmt: skip
    inbox = MailConversations(desk)
    inbox.attach(chat)
    k.center.add_channel(chat.conversations(TENANT, TextKind.EMAIL).channel)
    await inbox.receive(TENANT, mail("m1", "m1", "我想买一台新的路由器"))
    await inbox.taken(TENANT, "m1")
    await until(lambda: any(e.type == "queue.entered" for e in k.sink.events))
    (entered,) = [e for e in k.sink.events if e.type == "queue.entered"]
    assert entered.queue_id == "sales"  # type: ignore[attr-defined]  # the flow's, not the first
    assert any(e.type == "flow.node_entered" for e in k.sink.events)


async def test_a_thread_opens_a_contact_after_commit_and_its_reply_resumes_it(
    tmp_path: Path,
) -> None:
    k = kit(TextKind.EMAIL)
    chat = ChatService(lambda _t: k.center, InMemoryMessageStore(), clock=k.clock, sink=k.sink)
    desk = MailDesk(
        create_engine(f"sqlite+aiosqlite:///{tmp_path}/unused.db"), k.clock,
        FileAttachmentStore(tmp_path / "files"), SmtpTransport(),
        secrets=SecretBox(Keyring(tmp_path / "keys")),
    )  # fmt: skip
    inbox = MailConversations(desk)
    inbox.attach(chat)
    mails = chat.conversations(TENANT, TextKind.EMAIL)
    k.center.add_channel(mails.channel)  # the kit attached an e-mail channel of its own

    decision = await inbox.receive(TENANT, mail("m1", "m1", "你好，我的订单还没有到。"))
    assert not decision.resumed
    contact_id = InteractionId(decision.conversation_id)
    assert k.center.registry.get(contact_id) is None  # not before the commit
    await inbox.taken(TENANT, "m1")
    room = mails.channel.room(contact_id)
    assert room is not None
    await until(lambda: AgentId("a1") in room.rings or AgentId("a2") in room.rings)
    agent = AgentId("a1") if AgentId("a1") in room.rings else AgentId("a2")
    await mails.accept(agent, contact_id)
    contact = k.center.registry.get(contact_id)
    assert contact is not None
    await until(lambda: contact.state is ContactState.CONNECTED)
    await k.center.park(agent)
    assert contact.state is ContactState.PARKED

    again = await inbox.receive(TENANT, mail("m2", "m1", "单号是 SF123456"))
    assert (again.conversation_id, again.resumed) == (contact_id, True)
    await inbox.taken(TENANT, "m2")
    await until(lambda: bool(room.rings))
    bodies = [m.body for m in await mails.history(contact_id) if m.sender.value == "customer"]
    assert bodies == ["订单未送达\n\n你好，我的订单还没有到。", "单号是 SF123456"]
    assert inbox.latest_mail(TENANT, contact_id) == "m2"

    bounce = await inbox.receive(TENANT, mail("m3", "m3", "Undeliverable", automatic=True))
    await inbox.taken(TENANT, "m3")
    assert bounce.conversation_id == "m3"
    assert k.center.registry.get(InteractionId("m3")) is None
