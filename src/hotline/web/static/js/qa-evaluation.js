// One QA evaluation (GET /api/v1/quality/evaluations/{id}, docs/quality.md "Evaluating"): the
// stereo recording with its waveform drawn from the audio (Web Audio API on a canvas; the
// customer above, the agent below), the contact's timeline, the scorecard's questions and the
// comments anchored at times (click the waveform → a comment at that time). The evaluator fills
// and submits; the agent acknowledges or disputes; the second evaluator upholds or changes.
import { get, post, put } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { Names, clock, describeEvent, el, errorText, show, timeOfDay } from "./interaction-format.js";

const zh = () => (document.body.dataset.lang || "zh-CN").startsWith("zh");

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const root = document.getElementById("evaluation");
  const id = root.dataset.id;
  const me = root.dataset.me;
  const meAgent = root.dataset.meAgent;
  const names = await new Names().load({ dispositions: false });
  const pageError = document.getElementById("page-error");
  const cardError = document.getElementById("card-error");
  const card = document.getElementById("card");
  const audio = document.getElementById("audio");
  const canvas = document.getElementById("waveform");
  const commentForm = document.getElementById("comment-form");
  const commentAt = document.getElementById("comment-at");
  let evaluation = null;
  let duration = 0;
  let atS = null;
  let drawnFor = null;

  const STATES = () => ({
    draft: t("Draft"), submitted: t("Submitted"), acknowledged: t("Acknowledged"),
    disputed: t("Disputed"), resolved: t("Resolved"),
  });

  function editable() {
    if (!evaluation) return false;
    if (evaluation.state === "draft") return evaluation.evaluator_id === me;
    if (evaluation.state === "disputed") return evaluation.second_evaluator_id === me;
    return false;
  }

  function question(item) {
    const given = evaluation.answers[item.key];
    const choices = item.kind === "yes_no"
      ? [["yes", t("Yes")], ["no", t("No")]]
      : Array.from({ length: item.scale }, (_, i) => [i + 1, String(i + 1)]);
    if (item.allow_na) choices.push(["na", t("N/A")]);
    const points = evaluation.points[item.key];
    return el(
      "fieldset",
      { className: "question", dataset: { key: item.key, testid: `question-${item.key}` } },
      el("legend", {}, zh() ? item.text_zh : item.text_en,
        item.critical ? el("span", { className: "tag", dataset: { testid: "critical" } }, t("Critical item")) : null,
        item.weight !== 1 ? el("span", { className: "muted" }, ` ×${item.weight}`) : null),
      ...choices.map(([value, label]) => el(
        "label", { className: "inline" },
        el("input", {
          type: "radio", name: item.key, value: String(value), checked: String(given) === String(value),
          disabled: !editable(), dataset: { testid: `answer-${item.key}-${value}` },
        }),
        ` ${label}`,
      )),
      points === undefined || points === null ? null : el("span", { className: "muted" }, ` ${points}`),
    );
  }

  function answers() {
    const out = {};
    for (const input of card.querySelectorAll("input[type=radio]:checked")) {
      out[input.name] = /^\d+$/.test(input.value) ? Number(input.value) : input.value;
    }
    return out;
  }

  function renderCard() {
    const form = evaluation.form;
    document.getElementById("card-title").textContent =
      `${zh() ? form.title_zh : form.title_en} · v${evaluation.version}`;
    card.replaceChildren(...form.sections.map((section) => el(
      "section", { dataset: { section: section.key } },
      el("h3", {}, zh() ? section.title_zh : section.title_en),
      ...section.items.map(question),
    )));
  }

  function renderComments() {
    document.getElementById("comments").replaceChildren(...evaluation.comments.map((c) => el(
      "li", { dataset: { testid: "comment", at: c.at_s ?? "" } },
      c.at_s === null ? null : el("button", {
        type: "button", className: "link", dataset: { testid: "comment-time" },
        onclick: () => { audio.currentTime = c.at_s; },
      }, clock(c.at_s)),
      " ", el("span", {}, c.text), " ", el("span", { className: "muted", dataset: { testid: "comment-by" } }, evaluation.people?.[c.by] || ""),
    )));
  }

  function render() {
    document.getElementById("state").textContent = STATES()[evaluation.state] || evaluation.state;
    document.getElementById("state").dataset.state = evaluation.state;
    const score = document.getElementById("score");
    score.textContent = evaluation.score === null ? "" : `${evaluation.score}%`;
    if (evaluation.critical_failed.length) score.textContent += ` · ${t("Critical item failed")}`;
    document.getElementById("title").textContent = `${t("QA evaluation")} · ${names.agent(evaluation.agent_id)}`;
    renderCard();
    renderComments();
    document.getElementById("evaluator-actions").hidden = !(evaluation.state === "draft" && editable());
    document.getElementById("agent-actions").hidden = !(
      evaluation.state === "submitted" && meAgent && evaluation.agent_id === meAgent
    );
    const resolving = evaluation.state === "disputed" && editable();
    document.getElementById("resolver-actions").hidden = !resolving;
    root.querySelector("[data-testid=dispute-reason]").textContent =
      evaluation.dispute_reason ? `${t("Dispute reason")}: ${evaluation.dispute_reason}` : "";
    const outcome = [];
    if (evaluation.state === "disputed") outcome.push(`${t("Dispute reason")}: ${evaluation.dispute_reason}`);
    if (evaluation.resolution === "upheld") outcome.push(t("The second evaluator upheld the score."));
    if (evaluation.resolution === "changed") {
      outcome.push(t("The second evaluator changed the score from %(before)s to %(after)s.", {
        before: `${evaluation.original_score}%`, after: `${evaluation.score}%`,
      }));
    }
    document.getElementById("outcome").textContent = outcome.join(" ");
    root.dataset.loaded = "true";
  }

  async function drawWaveform(url) {
    if (drawnFor === url) return;
    drawnFor = url;
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(response.statusText);
    const data = await response.arrayBuffer();
    const decoded = await new OfflineAudioContext(1, 1, 8000).decodeAudioData(data);
    duration = decoded.duration;
    const ctx = canvas.getContext("2d");
    const { width, height } = canvas;
    ctx.clearRect(0, 0, width, height);
    const lanes = Math.min(decoded.numberOfChannels, 2);
    const lane = height / lanes;
    const colours = ["#1f6feb", "#2da44e"]; // customer (left), agent (right)
    for (let ch = 0; ch < lanes; ch += 1) {
      const samples = decoded.getChannelData(ch);
      const step = Math.max(1, Math.floor(samples.length / width));
      ctx.fillStyle = colours[ch];
      const middle = lane * ch + lane / 2;
      for (let x = 0; x < width; x += 1) {
        let peak = 0;
        const end = Math.min(samples.length, (x + 1) * step);
        for (let i = x * step; i < end; i += 1) peak = Math.max(peak, Math.abs(samples[i]));
        const h = Math.max(1, peak * (lane / 2 - 2));
        ctx.fillRect(x, middle - h, 1, 2 * h);
      }
    }
    canvas.dataset.duration = String(duration);
    canvas.dataset.drawn = "true";
  }

  async function loadRecording() {
    const [recording] = evaluation.recordings;
    document.getElementById("no-recording").hidden = Boolean(recording);
    if (!recording) return;
    audio.src = recording.url;
    audio.hidden = false;
    canvas.hidden = false;
    try {
      await drawWaveform(recording.url);
    } catch (error) {
      show(pageError, t("The recording could not be read."));
    }
  }

  async function loadTimeline() {
    let item;
    try {
      item = await get(evaluation.timeline_url);
    } catch (error) {
      return; // the contact's page may not be visible to everyone who sees the evaluation
    }
    document.getElementById("timeline-rows").replaceChildren(...item.timeline.map((record) => {
      const [label, details] = describeEvent(record, names);
      return el(
        "tr", { dataset: { type: record.type } },
        el("td", { className: "nowrap" }, timeOfDay(record.at_iso || record.at)),
        el("td", {}, label || el("code", {}, record.type)),
        el("td", {}, details.join(" · ")),
      );
    }));
  }

  async function loadCalibration() {
    if (!evaluation.calibration_id) return;
    let session;
    try {
      session = await get(`/api/v1/quality/calibrations/${encodeURIComponent(evaluation.calibration_id)}`);
    } catch (error) {
      return; // only QA users and admins see a calibration's spread
    }
    const box = document.getElementById("calibration");
    box.hidden = false;
    document.getElementById("calibration-pending").hidden = session.complete;
    const texts = {};
    for (const section of evaluation.form.sections) {
      for (const item of section.items) texts[item.key] = zh() ? item.text_zh : item.text_en;
    }
    const number = (x) => (x === null ? "—" : String(x));
    document.getElementById("spread-rows").replaceChildren(...(session.spread || []).map((s) => el(
      "tr", { dataset: { key: s.key } },
      el("td", {}, s.key === "score" ? t("Score") : texts[s.key] || s.key),
      el("td", {}, String(s.answered)),
      el("td", { dataset: { testid: "min" } }, number(s.min)),
      el("td", { dataset: { testid: "max" } }, number(s.max)),
      el("td", { dataset: { testid: "stddev" } }, number(s.stddev)),
    )));
    box.dataset.complete = String(session.complete);
  }

  async function load() {
    try {
      evaluation = await get(`/api/v1/quality/evaluations/${encodeURIComponent(id)}`);
    } catch (error) {
      show(pageError, errorText(error));
      return;
    }
    if (scope.closed) return;
    show(pageError, "");
    render();
    await loadCalibration();
  }

  async function act(call) {
    try {
      evaluation = { ...evaluation, ...(await call()) };
    } catch (error) {
      show(cardError, errorText(error)); // the server says it in my language, naming the question
      return;
    }
    show(cardError, "");
    await load();
  }

  canvas.addEventListener("click", (event) => {
    if (!duration) return;
    const box = canvas.getBoundingClientRect();
    atS = Math.round(((event.clientX - box.left) / box.width) * duration * 100) / 100;
    audio.currentTime = atS;
    commentAt.textContent = clock(atS);
    commentAt.dataset.seconds = String(atS);
    commentForm.hidden = false;
    commentForm.elements.body.focus();
  });
  commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = commentForm.elements.body.value;
    try {
      await post(`/api/v1/quality/evaluations/${id}/comments`, { at_s: atS, body });
    } catch (error) {
      show(cardError, errorText(error));
      return;
    }
    commentForm.elements.body.value = "";
    commentForm.hidden = true;
    await load();
  });
  document.getElementById("save").addEventListener("click", () =>
    act(() => put(`/api/v1/quality/evaluations/${id}/answers`, { answers: answers() })));
  document.getElementById("submit").addEventListener("click", () =>
    act(() => post(`/api/v1/quality/evaluations/${id}/submit`, { answers: answers() })));
  document.getElementById("acknowledge").addEventListener("click", () =>
    act(() => post(`/api/v1/quality/evaluations/${id}/acknowledge`)));
  document.getElementById("dispute").addEventListener("click", () =>
    act(() => post(`/api/v1/quality/evaluations/${id}/dispute`, { reason: document.getElementById("reason").value })));
  const note = () => document.getElementById("resolution-note").value;
  document.getElementById("uphold").addEventListener("click", () =>
    act(() => post(`/api/v1/quality/evaluations/${id}/resolve`, { note: note() })));
  document.getElementById("change").addEventListener("click", () =>
    act(() => post(`/api/v1/quality/evaluations/${id}/resolve`, { answers: answers(), note: note() })));

  await load();
  if (evaluation) await Promise.all([loadRecording(), loadTimeline()]);
}
