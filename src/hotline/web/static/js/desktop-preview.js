// Preview dialing at the desk (issue 24): the agent picks a running preview campaign, takes
// its next record and sees the card — the record's fields, the script's opening with its merge
// fields filled in and the questions on the path of the answers so far (the server walks the
// script: a branch is decided in one place). She calls the number (the desk's click-to-call)
// or skips the record, and finishes it with an outcome: the answers are saved into the record's
// custom fields and the campaign's retry rules give the record its next status.
import { get, post } from "./api.js";
import { t } from "./i18n.js";
import { errorText, show } from "./interaction-format.js";
import { ScriptForm, fieldLabels, showFields } from "./desktop-script.js";

export class PreviewPanel {
  /** `box` is the panel; `dial(number)` places a click-to-call; `canDial()` says if it may. */
  constructor(box, { dial, canDial }) {
    this.box = box;
    this.dial = dial;
    this.canDial = canDial;
    this.card = null; // the record being worked
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
    this.script = new ScriptForm(this.part("questions"), {
      testid: "preview-answer",
      pathUrl: () => `/api/v1/desk/preview/records/${encodeURIComponent(this.card.record.id)}/path`,
      fail: (message) => this.fail(message),
    });
  }

  /** Shown only when the center runs a preview campaign. */
  async load() {
    const [found, labels] = await Promise.all([
      get("/api/v1/desk/preview/campaigns").catch(() => ({ items: [] })),
      fieldLabels(),
    ]);
    this.labels = labels;
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
    this.part("card").hidden = !card;
    this.part("take").disabled = Boolean(card);
    if (!card) return this.script.show([]);
    this.box.dataset.record = card.record.id;
    this.part("phone").textContent = card.record.phone;
    showFields(this.part("fields"), card.record.fields, this.labels);
    this.part("opening").textContent = card.opening;
    const dispositions = card.dispositions || [];
    this.part("disposition").replaceChildren(new Option("—", ""), ...dispositions.map((d) => new Option(d.label, d.code)));
    this.part("disposition-box").hidden = dispositions.length === 0;
    this.part("callback-at").value = "";
    this.part("callback-for").value = "me";
    this.part("callback-zone").textContent = card.time_zone ? t("Time in %(zone)s", { zone: card.time_zone }) : "";
    this.script.show(card.questions);
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
        answers: this.script.answers,
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
