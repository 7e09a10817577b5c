// The desktop's conversation pane (issue 21): chats offered to me (accept), my open chats, the
// history of the chosen one, the visitor typing, a composer whose quick replies send at once,
// transfer to an agent or a queue, close → the desktop's wrap-up panel. Everything comes from the
// server (docs/desktop.md): `GET /chat/mine` and each chat's history on load and after every
// reconnect of the chat desk socket; messages are kept by `seq`, so nothing shows twice. The
// pane never touches the call: a chat taken during a call lives beside the call panel. Files:
// images the server checked show inline, other files as downloads; the agent sends one with
// the composer's file button.
import { get, post, postForm } from "./api.js";
import { t } from "./i18n.js";
import { el, errorText, show, timeOfDay } from "./interaction-format.js";

const TYPING_SHOWN_MS = 4000;
const TYPING_SENT_EVERY_MS = 2500;
const INLINE_IMAGES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

function clientId() {
  return (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replaceAll("-", "").slice(0, 32);
}

export class ChatPane {
  /**
   * @param root the pane's <section>
   * @param names agent and queue names (interaction-format `Names`)
   * @param quickReplies the center's quick replies [{title, text, queue}]
   * @param hooks { closed(contactId): the chat ended → wrap-up; changed(): my chats changed;
 *   after(fn, ms); me(): my agent id }
   */
  constructor(root, names, quickReplies, hooks) {
    this.root = root;
    this.names = names;
    this.quickReplies = quickReplies;
    this.hooks = hooks;
    this.chats = new Map(); // contact id → { state, messages: Map(seq → message), typingUntil }
    this.selected = null;
    this.socket = null;
    this.retries = 0;
    this.stopped = false;
    this.lastTypingSent = 0;
    const q = (role) => root.querySelector(`[data-role="${role}"]`);
    this.ui = {
      list: q("list"),
      empty: q("empty"),
      conversation: q("conversation"),
      title: q("title"),
      history: q("history"),
      typing: q("typing"),
      replies: q("replies"),
      form: q("compose"),
      error: q("error"),
      transfer: q("transfer"),
      transferForm: q("transfer-form"),
    };
    this.wire();
  }

  // Loading ----------------------------------------------------------------------------------
  start() {
    this.open();
    return this.reload();
  }

  stop() {
    this.stopped = true;
    if (this.socket) this.socket.close();
  }

  /** Rebuild from the server: my chats now, and what each one said since what we have. */
  async reload() {
    let mine;
    try {
      mine = (await get("/api/v1/chat/mine")).items;
    } catch (error) {
      show(this.ui.error, errorText(error));
      return;
    }
    const now = new Set(mine.map((c) => c.contact_id));
    for (const id of [...this.chats.keys()]) if (!now.has(id)) this.chats.delete(id);
    for (const item of mine) {
      const chat = this.chat(item.contact_id);
      chat.state = item.state;
    }
    if (this.selected && !this.chats.has(this.selected)) this.selected = null;
    if (!this.selected) this.selected = mine.find((c) => c.state === "connected")?.contact_id || null;
    await Promise.all(mine.filter((c) => c.state === "connected").map((c) => this.fetchHistory(c.contact_id)));
    this.render();
  }

  /** Is this contact one of my chats (not a call)? */
  has(id) {
    return this.chats.has(id);
  }

  chat(id) {
    if (!this.chats.has(id)) this.chats.set(id, { state: "offered", messages: new Map(), read: 0, typingUntil: 0 });
    return this.chats.get(id);
  }

  async fetchHistory(id) {
    // `read` is the history read so far: a live frame (seq 3, "an agent joined") may come
    // before the history of seqs 1–2 is read, so the socket's frames never move it.
    const chat = this.chat(id);
    try {
      const page = await get(`/api/v1/chat/conversations/${encodeURIComponent(id)}/messages?after_seq=${chat.read}`);
      for (const m of page.items) {
        chat.messages.set(m.seq, m);
        chat.read = Math.max(chat.read, m.seq);
      }
    } catch (error) {
      show(this.ui.error, errorText(error));
    }
  }

  open() {
    if (this.stopped) return;
    const url = new URL("/api/v1/chat/desk", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onmessage = (event) => this.frame(JSON.parse(event.data));
    socket.onclose = (event) => {
      if (this.stopped || event.code === 4401 || event.code === 4403 || event.code === 1013 && event.reason === "chat.unavailable") return;
      this.retries += 1;
      this.hooks.after(() => this.open(), Math.min(15000, 500 * 2 ** this.retries));
    };
  }

  frame(frame) {
    if (frame.type === "ready") {
      // (re)connected: whatever happened while the socket was down is read from the store
      if (this.retries) this.reload();
      this.retries = 0;
    } else if (frame.type === "offer") {
      this.chat(frame.contact_id).state = this.chats.get(frame.contact_id)?.state === "connected" ? "connected" : "offered";
      this.render();
    } else if (frame.type === "withdrawn") {
      if (this.chats.get(frame.contact_id)?.state === "offered") this.chats.delete(frame.contact_id);
      this.render();
    } else if (frame.type === "message") {
      const chat = this.chats.get(frame.contact_id);
      if (!chat) return;
      chat.messages.set(frame.seq, frame);
      if (frame.sender === "customer") chat.typingUntil = 0;
      if (frame.contact_id !== this.selected) chat.unread = true;
      this.render();
    } else if (frame.type === "typing") {
      const chat = this.chats.get(frame.contact_id);
      if (!chat) return;
      chat.typingUntil = Date.now() + TYPING_SHOWN_MS;
      this.renderTyping();
      this.hooks.after(() => this.renderTyping(), TYPING_SHOWN_MS + 50);
    }
  }

  // Commands ---------------------------------------------------------------------------------
  async command(id, path, body = {}) {
    try {
      const result = await post(`/api/v1/chat/conversations/${encodeURIComponent(id)}/${path}`, body);
      show(this.ui.error, "");
      return result ?? {};
    } catch (error) {
      show(this.ui.error, errorText(error));
      return null;
    }
  }

  async accept(id) {
    if ((await this.command(id, "accept")) === null) {
      await this.reload(); // taken elsewhere, or withdrawn meanwhile
      return;
    }
    this.chat(id).state = "connected";
    this.selected = id;
    await this.fetchHistory(id);
    this.render();
    this.ui.form.body.focus();
  }

  async send(text) {
    const id = this.selected;
    const body = text.trim();
    if (!id || !body) return false;
    const stored = await this.command(id, "messages", { client_id: clientId(), body });
    if (stored === null) return false;
    this.chat(id).messages.set(stored.seq, stored);
    this.render();
    return true;
  }

  async sendFile(file) {
    const id = this.selected;
    if (!id || !file) return;
    const form = new FormData();
    form.append("client_id", clientId());
    form.append("file", file);
    try {
      const stored = await postForm(`/api/v1/chat/conversations/${encodeURIComponent(id)}/files`, form);
      show(this.ui.error, "");
      this.chat(id).messages.set(stored.seq, stored);
      this.render();
    } catch (error) {
      show(this.ui.error, errorText(error));
    }
  }

  /** A message's text, or its file: an image inline, anything else a download. */
  body(m) {
    if (!m.attachment) return el("p", {}, m.body);
    const a = m.attachment;
    const url = `/api/v1/chat/conversations/${encodeURIComponent(m.contact_id)}/files/${encodeURIComponent(a.id)}`;
    if (INLINE_IMAGES.includes(a.content_type)) {
      return el("p", {}, el("a", { href: url, target: "_blank", rel: "noopener" },
        el("img", { src: url, alt: a.name, className: "chat-image", dataset: { testid: "chat-image" } })));
    }
    return el("p", {}, el("a", { href: url, download: a.name, dataset: { testid: "chat-download" } }, a.name));
  }

  async close(id) {
    if ((await this.command(id, "close")) === null) return;
    this.chats.delete(id);
    if (this.selected === id) this.selected = null;
    this.render();
    this.hooks.closed(id);
  }

  // Wiring -----------------------------------------------------------------------------------
  wire() {
    const form = this.ui.form;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = event.submitter || form.querySelector("[type=submit]");
      button.disabled = true;
      try {
        if (await this.send(form.body.value)) form.reset();
      } finally {
        button.disabled = false;
      }
    });
    form.body.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.body.addEventListener("input", () => {
      const now = Date.now();
      if (!this.selected || now - this.lastTypingSent < TYPING_SENT_EVERY_MS) return;
      this.lastTypingSent = now;
      post(`/api/v1/chat/conversations/${encodeURIComponent(this.selected)}/typing`, {}).catch(() => {});
    });
    const file = this.root.querySelector('[data-role="file"]');
    file.addEventListener("change", async () => {
      const chosen = file.files[0];
      file.value = "";
      await this.sendFile(chosen);
    });
    this.root.querySelector('[data-role="close"]').addEventListener("click", () => this.selected && this.close(this.selected));
    this.root.querySelector('[data-role="open-transfer"]').addEventListener("click", () => this.openTransfer());
    const tf = this.ui.transferForm;
    tf.addEventListener("change", () => this.showTransferTarget());
    tf.querySelector('[data-role="transfer-cancel"]').addEventListener("click", () => (this.ui.transfer.hidden = true));
    tf.addEventListener("submit", async (event) => {
      event.preventDefault();
      const kind = tf.target_kind.value;
      const target = kind === "agent" ? tf.agent.value : tf.queue.value;
      const id = this.selected;
      if (!id) return;
      if (!target) {
        show(this.ui.error, t("Choose who to transfer to."));
        return;
      }
      const body = { kind, target };
      if (tf.note.value.trim()) body.note = tf.note.value.trim();
      if ((await this.command(id, "transfer", body)) === null) return;
      this.ui.transfer.hidden = true;
      this.chats.delete(id);
      this.selected = null;
      this.render();
    });
  }

  openTransfer() {
    const tf = this.ui.transferForm;
    tf.reset();
    tf.agent.replaceChildren(
      ...Object.entries(this.names.agents).filter(([id]) => id !== this.hooks.me()).map(([id, name]) => el("option", { value: id }, name)),
    );
    tf.queue.replaceChildren(...Object.entries(this.names.queues).map(([id, name]) => el("option", { value: id }, name)));
    this.showTransferTarget();
    this.ui.transfer.hidden = false;
  }

  showTransferTarget() {
    const kind = this.ui.transferForm.target_kind.value;
    for (const field of this.ui.transferForm.querySelectorAll("[data-target]")) field.hidden = field.dataset.target !== kind;
  }

  // Rendering --------------------------------------------------------------------------------
  render() {
    const { list, empty, conversation } = this.ui;
    // the pane shows while I have chats: a desk without any keeps its calm
    this.root.hidden = this.chats.size === 0;
    empty.hidden = this.chats.size > 0;
    list.replaceChildren(
      ...[...this.chats.entries()].map(([id, chat]) => {
        const first = [...chat.messages.values()].find((m) => m.sender === "customer");
        const item = el("li", { dataset: { contact: id, state: chat.state, testid: "chat-item" }, className: id === this.selected ? "selected" : "" });
        if (chat.state === "offered") {
          item.append(el("span", {}, t("New chat")), " ");
          const accept = el("button", { type: "button", className: "primary", dataset: { testid: "chat-accept" } }, t("Accept"));
          accept.addEventListener("click", () => this.accept(id));
          item.append(accept);
        } else {
          const pick = el("button", { type: "button", className: "link", dataset: { testid: "chat-open" } }, first ? first.body.slice(0, 40) : t("Chat"));
          pick.addEventListener("click", () => {
            this.selected = id;
            chat.unread = false;
            this.render();
          });
          item.append(pick);
          if (chat.unread) item.append(" ", el("span", { className: "badge", dataset: { testid: "chat-unread" } }, t("new")));
        }
        return item;
      }),
    );
    const chat = this.selected ? this.chats.get(this.selected) : null;
    conversation.hidden = !chat || chat.state !== "connected";
    this.hooks.changed();
    if (conversation.hidden) {
      this.ui.transfer.hidden = true;
      return;
    }
    conversation.dataset.contact = this.selected;
    chat.unread = false;
    const messages = [...chat.messages.values()].sort((a, b) => a.seq - b.seq);
    const history = this.ui.history;
    const atBottom = history.scrollTop + history.clientHeight >= history.scrollHeight - 8;
    history.replaceChildren(
      ...messages.map((m) =>
        el("li", { className: `chat-msg chat-${m.sender}`, dataset: { seq: String(m.seq), sender: m.sender, testid: "chat-message" } },
          el("span", { className: "chat-who" }, m.sender === "customer" ? t("Visitor") : m.sender === "agent" ? this.names.agent(m.agent_id) : m.sender === "bot" ? t("Bot") : t("System")),
          el("span", { className: "chat-time muted" }, m.at ? timeOfDay(m.at) : ""),
          this.body(m),
        ),
      ),
    );
    if (atBottom || messages.length) history.scrollTop = history.scrollHeight;
    this.ui.replies.replaceChildren(
      ...this.quickReplies.map((q) => {
        const b = el("button", { type: "button", className: "chip", title: q.text, dataset: { testid: "chat-quick-reply" } }, q.title);
        b.addEventListener("click", async () => {
          b.disabled = true;
          try {
            await this.send(q.text);
          } finally {
            b.disabled = false;
          }
        });
        return b;
      }),
    );
    this.renderTyping();
  }

  renderTyping() {
    const chat = this.selected ? this.chats.get(this.selected) : null;
    this.ui.typing.hidden = !chat || chat.typingUntil < Date.now();
  }
}
