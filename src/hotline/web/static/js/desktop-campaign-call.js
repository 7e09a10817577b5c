// A progressive or predictive campaign's call at the desk (issue 24): when the live dialer puts
// an answered callee through to this agent, the call comes with the campaign's record — its
// fields, the script's opening with the merge fields filled in and the questions on the path of
// the answers (those the record already holds come back filled in). "Save answers" writes them
// into the record's fields, by the preview card's rules (the server checks them: a missing
// required answer or a bad value is refused naming the question). The panel stays through the
// call's wrap-up, where the campaign's dispositions are offered (desktop.js).
import { get, post } from "./api.js";
import { t } from "./i18n.js";
import { errorText, show } from "./interaction-format.js";
import { ScriptForm, fieldLabels, showFields } from "./desktop-script.js";

export class CampaignCallPanel {
  /** `after(fn, ms)` runs `fn` later unless the screen closed. */
  constructor(box, { after }) {
    this.box = box;
    this.after = after;
    this.call = null; // the campaign call shown
    this.interactionId = null; // the contact last asked about (a campaign call or not)
    this.labels = {};
    this.part = (role) => box.querySelector(`[data-role="${role}"]`);
    this.script = new ScriptForm(this.part("questions"), {
      testid: "campaign-answer",
      pathUrl: () => this.url("path"),
      fail: (message) => show(this.part("error"), message),
    });
    this.part("save").addEventListener("click", (e) => this.save(e.currentTarget));
  }

  async load() {
    this.labels = await fieldLabels();
  }

  url(what) {
    return `/api/v1/desk/campaign-calls/${encodeURIComponent(this.call.interaction_id)}/${what}`;
  }

  /** The call under way (or being wrapped up) is `interactionId` (null: none). */
  showFor(interactionId) {
    if (interactionId === this.interactionId) return;
    this.interactionId = interactionId;
    if (!interactionId) return this.render(null);
    this.ask(interactionId, 0);
  }

  async ask(interactionId, tries) {
    const path = `/api/v1/desk/campaign-call?interaction_id=${encodeURIComponent(interactionId)}`;
    const { call } = await get(path).catch(() => ({ call: null }));
    if (this.interactionId !== interactionId) return; // another contact came meanwhile
    this.render(call);
    // The answer reaches the interaction log a moment after the desk shows the call: ask
    // again a few times before taking it for a call of no campaign.
    if (!call && tries < 5) this.after(() => this.ask(interactionId, tries + 1), 1000);
  }

  render(call) {
    this.call = call;
    this.box.hidden = !call;
    show(this.part("error"), "");
    show(this.part("note"), "");
    if (!call) return this.script.show([]);
    this.box.dataset.interaction = call.interaction_id;
    this.box.dataset.record = call.record_id;
    this.part("campaign").textContent = call.campaign;
    this.part("phone").textContent = call.record.phone;
    showFields(this.part("fields"), call.record.fields, this.labels);
    this.part("opening").textContent = call.opening;
    this.script.show(call.questions, call.answers);
  }

  async save(button) {
    if (!this.call) return;
    button.disabled = true;
    try {
      const record = await post(this.url("answers"), { answers: this.script.answers });
      this.call = { ...this.call, record };
      showFields(this.part("fields"), record.fields, this.labels);
      show(this.part("error"), "");
      show(this.part("note"), t("Answers saved into record %(phone)s.", { phone: record.phone }));
    } catch (error) {
      show(this.part("note"), "");
      show(this.part("error"), errorText(error));
    } finally {
      button.disabled = false;
    }
  }
}
