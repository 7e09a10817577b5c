// Agent assist (坐席辅助): articles of the knowledge base suggested for the contact under way —
// from the caller's IVR choices and flow variables as soon as the call is up, then from what
// the agent types of the customer's question. One click inserts an article into the notes (or
// into a reply, where a chat pane gives `send`), and the use is recorded on the contact.
import { get, post } from "./api.js";
import { language, t } from "./i18n.js";
import { el, errorText, show } from "./interaction-format.js";

export class AssistBox {
  /**
   * @param {HTMLElement} root  the box (desktop.html #kb-assist)
   * @param {{insert: (text: string) => void, send?: (text: string) => Promise<void>}} actions
   */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
    this.interactionId = null;
    this.form = root.querySelector("form");
    this.list = root.querySelector("[data-role=hits]");
    this.note = root.querySelector("[data-role=note]");
    this.error = root.querySelector("[data-role=error]");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.suggest(this.form.elements.text.value);
    });
  }

  /** A new contact is under way (or none): suggest from its IVR choices and variables. */
  async forContact(interactionId) {
    if (interactionId === this.interactionId) return;
    this.interactionId = interactionId;
    this.form.reset();
    this.list.replaceChildren();
    show(this.error, "");
    if (interactionId) await this.suggest("");
    else show(this.note, t("Suggestions appear here during a contact; you may also search."));
  }

  async suggest(text) {
    const body = { text, limit: 3 };
    if (this.interactionId) body.interaction_id = this.interactionId;
    try {
      const answer = await post("/api/v1/knowledge/assist", body);
      show(this.error, "");
      this.render(answer.items, text);
    } catch (error) {
      show(this.error, errorText(error));
    }
  }

  render(items, text) {
    this.list.replaceChildren(...items.map((hit) => this.item(hit)));
    if (items.length) show(this.note, "");
    else if (text.trim()) show(this.note, t("No article matches. Try other words."));
    else show(this.note, t("Type the customer's question to get suggestions."));
  }

  item(hit) {
    const sure = Math.round(hit.confidence * 100);
    const body = el("p", { className: "kb-body", hidden: true, dataset: { testid: "kb-assist-body" } });
    const open = el("button", { type: "button", className: "link", dataset: { testid: "kb-assist-open" } }, t("Read"));
    const snippet = el("p", { className: "muted kb-snippet" }, hit.snippet);
    const buttons = [open];
    open.addEventListener("click", async () => {
      body.textContent = await this.text(hit);
      body.hidden = !body.hidden;
      snippet.hidden = !body.hidden; // the whole text replaces its beginning
    });
    if (this.interactionId) {
      // Into this contact's notes (or reply): only while there is a contact.
      const insert = el("button", { type: "button", dataset: { testid: "kb-assist-insert" } }, t("Insert"));
      insert.addEventListener("click", () => this.use(hit, "insert", insert));
      buttons.push(insert);
    }
    if (this.actions.send && this.interactionId) {
      const send = el("button", { type: "button", className: "primary", dataset: { testid: "kb-assist-send" } }, t("Send"));
      send.addEventListener("click", () => this.use(hit, "send", send));
      buttons.push(send);
    }
    return el(
      "li",
      { className: "kb-hit", dataset: { testid: "kb-assist-hit", article: hit.article_id } },
      el("strong", { dataset: { testid: "kb-assist-title" } }, hit.title),
      el("span", { className: "muted kb-fit", title: t("How much of the question the article covers") }, t("Fit %(percent)s", { percent: `${sure}%` })),
      snippet,
      body,
      el("div", { className: "kb-actions" }, ...buttons),
    );
  }

  /** The article's text in the language the hit came in (else the agent's). */
  async text(hit) {
    const article = await get(`/api/v1/knowledge/articles/${encodeURIComponent(hit.article_id)}`);
    const lang = hit.language || (language() === "en" ? "en" : "zh");
    const other = lang === "zh" ? "en" : "zh";
    const title = article[`title_${lang}`] || article[`title_${other}`];
    const body = article[`body_${lang}`] || article[`body_${other}`];
    return `${title}\n${body}`;
  }

  async use(hit, how, button) {
    button.disabled = true;
    try {
      const text = await this.text(hit);
      if (how === "send") await this.actions.send(text);
      else this.actions.insert(text);
      if (this.interactionId) {
        await post(`/api/v1/knowledge/articles/${encodeURIComponent(hit.article_id)}/used`, {
          interaction_id: this.interactionId,
          how,
          language: hit.language,
        });
      }
      show(this.note, how === "send" ? t("Sent.") : t("Inserted into the notes."));
    } catch (error) {
      show(this.error, errorText(error));
    } finally {
      button.disabled = false;
    }
  }
}
