// Preview dialing at the desk (issue 24): the agent picks a running preview campaign, takes
// its next record and sees the card — the record's fields, the script's opening with its merge
// fields filled in and the questions on the path of the answers so far (the server walks the
// script: a branch is decided in one place). She calls the number (the desk's click-to-call)
// or skips the record, and finishes it with an outcome: the answers are saved into the record's
// custom fields and the campaign's retry rules give the record its next status.
import { get, post } from "./api.js";
import { language, t } from "./i18n.js";
import { el, errorText, show } from "./interaction-format.js";

export class PreviewPanel {
  /** `box` is the panel; `dial(number)` places a click-to-call; `canDial()` says if it may. */
  constructor(box, { dial, canDial }) {
    this.box = box;
    this.dial = dial;
    this.canDial = canDial;
    this.card = null; // the record being worked
    this.answers = {};
    this.labels = {}; // a record's field → its name on screen (the center's custom fields)
    this.part = (role) => box.querySelector(`[data-role="${role}"]`);
    this.part("take").addEventListener("click", (e) => this.take(e.currentTarget));
    this.part("skip").addEventListener("click", (e) => this.skip(e.currentTarget));
    this.part("finish").addEventListener("click", (e) => this.finish(e.currentTarget));
    this.part("dial").addEventListener("click", () => {
      if (!this.card) return;
      if (!this.canDial()) return this.fail(t("Log in to work first, and end the call under way."));
      this.dial(this.card.record.phone);
    });
    this.part("questions").addEventListener("change", () => this.answered());
    this.part("questions").addEventListener("submit", (e) => e.preventDefault());
  }

  /** Shown only when the center runs a preview campaign. */
  async load() {
    const [found, fields] = await Promise.all([
      get("/api/v1/desk/preview/campaigns").catch(() => ({ items: [] })),
      get("/api/v1/custom-fields?limit=500").then((p) => p.items).catch(() => []),
    ]);
    this.labels = { name: t("Full name"), priority: t("Priority") };
    for (const f of fields) this.labels[f.key] = (language() === "en" ? f.label_en : f.label_zh) || f.key;
    const select = this.part("campaign");
    select.replaceChildren(...found.items.map((c) => new Option(c.name, c.id)));
    this.box.hidden = !found.items.length;
  }

  fail(message) {
    show(this.part("error"), message);
  }

  note(message) {
    show(this.part("note"), message);
  }

  async take(button) {
    const campaign = this.part("campaign").value;
    if (!campaign) return;
    button.disabled = true;
    try {
      const { card } = await post(`/api/v1/desk/preview/${encodeURIComponent(campaign)}/take`);
      this.fail("");
      this.render(card);
      this.note(card ? "" : t("No record is due in this campaign now."));
    } catch (error) {
      this.fail(errorText(error));
    } finally {
      button.disabled = false;
    }
  }

  render(card) {
    this.card = card;
    this.answers = {};
    this.part("card").hidden = !card;
    this.part("take").disabled = Boolean(card);
    if (!card) return;
    this.box.dataset.record = card.record.id;
    this.part("phone").textContent = card.record.phone;
    const fields = this.part("fields");
    fields.replaceChildren();
    for (const [name, value] of Object.entries(card.record.fields)) {
      if (value === null || value === "" || typeof value === "object") continue;
      fields.append(el("dt", {}, this.labels[name] || name), el("dd", { dataset: { field: name } }, String(value)));
    }
    this.part("opening").textContent = card.opening;
    const dispositions = card.dispositions || [];
    this.part("disposition").replaceChildren(new Option("—", ""), ...dispositions.map((d) => new Option(d.label, d.code)));
    this.part("disposition-box").hidden = dispositions.length === 0;
    this.part("callback-at").value = "";
    this.part("callback-for").value = "me";
    this.part("callback-zone").textContent = card.time_zone ? t("Time in %(zone)s", { zone: card.time_zone }) : "";
    this.questions(card.questions);
  }

  /** The questions on the path, each with the answer given (kept when the path changes). */
  questions(list) {
    const form = this.part("questions");
    form.replaceChildren();
    for (const q of list) {
      const name = `q-${q.key}`;
      let input;
      if (q.type === "choice") {
        input = el("select", { name, dataset: { testid: `preview-answer-${q.key}` } }, new Option("—", ""), ...q.choices.map((c) => new Option(c, c)));
      } else if (q.type === "boolean") {
        input = el("select", { name, dataset: { testid: `preview-answer-${q.key}` } }, new Option("—", ""), new Option(t("Yes"), "true"), new Option(t("No"), "false"));
      } else {
        const type = { number: "number", date: "date" }[q.type] || "text";
        input = el("input", { name, type, dataset: { testid: `preview-answer-${q.key}` } });
      }
      input.dataset.key = q.key;
      if (this.answers[q.key] !== undefined) input.value = String(this.answers[q.key]);
      const label = el("label", { dataset: { question: q.key } }, q.text + (q.required ? " *" : ""), input);
      form.append(label);
    }
  }

  /** An answer changed: ask the server for the path from here. */
  async answered() {
    if (!this.card) return;
    const answers = {};
    for (const input of this.part("questions").querySelectorAll("[data-key]")) {
      if (input.value !== "") answers[input.dataset.key] = input.value;
    }
    this.answers = answers;
    try {
      const { questions } = await post(`/api/v1/desk/preview/records/${encodeURIComponent(this.card.record.id)}/path`, { answers });
      const keys = new Set(questions.map((q) => q.key));
      for (const key of Object.keys(this.answers)) if (!keys.has(key)) delete this.answers[key];
      this.questions(questions);
      this.fail("");
    } catch (error) {
      this.fail(errorText(error));
    }
  }

  async skip(button) {
    if (!this.card) return;
    button.disabled = true;
    try {
      await post(`/api/v1/desk/preview/records/${encodeURIComponent(this.card.record.id)}/skip`);
      this.render(null);
      this.fail("");
      this.note(t("The record was given back."));
    } catch (error) {
      this.fail(errorText(error));
    } finally {
      button.disabled = false;
    }
  }

  async finish(button) {
    if (!this.card) return;
    button.disabled = true;
    try {
      const record = await post(`/api/v1/desk/preview/records/${encodeURIComponent(this.card.record.id)}/finish`, {
        outcome: this.part("outcome").value,
        answers: this.answers,
        disposition: this.part("disposition").value || null,
        // a callback's date and time are read in the center's zone, on the server
        callback_local: this.part("callback-at").value || null,
        callback_mine: this.part("callback-for").value === "me",
      });
      this.render(null);
      this.fail("");
      this.note(
        record.status === "callback"
          ? t("Record %(phone)s saved; callback set.", { phone: record.phone })
          : t("Record %(phone)s saved.", { phone: record.phone }),
      );
    } catch (error) {
      this.fail(errorText(error));
    } finally {
      button.disabled = false;
    }
  }
}
