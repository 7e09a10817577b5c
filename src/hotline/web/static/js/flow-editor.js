// One flow: the visual designer (flow-designer.js) and, as the advanced view, the YAML editor
// with its diagram — both the same document — validated as the author edits, diffed against
// the active version and confirmed before publishing, the version history with restore, and
// the test console that walks the flow with typed keys.
import { ApiError, get, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { when } from "./interaction-format.js";
import { Designer, loadDrawflow, typeLabel } from "./flow-designer.js";
import { propertyForm, settingsForm } from "./flow-properties.js";
import { drawGraph } from "./flow-diagram.js";

const NEW_FLOW = "name: my-flow\nlanguage: zh-CN\nlanguages: [zh-CN, en]\nstart: hello\nnodes:\n  hello:\n    type: play\n    prompt:\n      tts:\n        zh-CN: 您好\n        en: Hello\n    next: bye\n  bye:\n    type: hangup\n";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const flags = JSON.parse(document.getElementById("page-flags").textContent);
  const editor = document.getElementById("editor");
  const issuesList = document.getElementById("issues");
  const result = document.getElementById("result");
  const form = document.getElementById("properties-form");
  // The graph editor deletes the selected node on the Delete key anywhere in the document:
  // keys typed in the forms stay there.
  for (const id of ["properties-form", "console-keys-form", "note", "editor"]) document.getElementById(id).addEventListener("keydown", (event) => event.stopPropagation());
  form.addEventListener("submit", (event) => event.preventDefault());
  const state = { mode: "designer", issues: [], selected: null, checking: 0, dirty: false };

  const palette = (await get("/api/v1/flows/palette")).items;
  const Drawflow = await loadDrawflow();
  const designer = new Designer(Drawflow, document.getElementById("canvas"), palette, {
    onChange: () => changed(),
    onSelect: (id) => select(id),
    readOnly: !flags.can_write,
  });

  // --- palette: drag onto the canvas, or click to add ------------------------------------------
  const items = document.getElementById("palette-items");
  items.replaceChildren(
    ...palette.map((entry) => {
      const li = document.createElement("li");
      const button = Object.assign(document.createElement("button"), { type: "button", className: `palette-item df-${entry.type}`, draggable: flags.can_write, textContent: typeLabel(entry.type) });
      button.dataset.type = entry.type;
      button.dataset.testid = `palette-${entry.type}`;
      button.disabled = !flags.can_write;
      button.addEventListener("dragstart", (event) => event.dataTransfer.setData("text/x-flow-node", entry.type));
      // A click adds the box in the part of the canvas in view (whatever the zoom and panning),
      // each next one a step lower and to the right so that they do not hide each other.
      button.addEventListener("click", () => {
        const view = document.getElementById("canvas").getBoundingClientRect();
        const step = (designer.graph.nodes.length % 6) * 24;
        const at = designer.canvasPoint(view.left + view.width / 3 + step, view.top + view.height / 4 + step);
        select(designer.add(entry.type, at.x, at.y).id);
      });
      li.append(button);
      return li;
    }),
  );
  const canvas = document.getElementById("canvas");
  canvas.addEventListener("dragover", (event) => event.preventDefault());
  canvas.addEventListener("drop", (event) => {
    event.preventDefault();
    const type = event.dataTransfer.getData("text/x-flow-node");
    if (!type) return;
    const at = designer.canvasPoint(event.clientX, event.clientY);
    select(designer.add(type, at.x, at.y).id);
  });
  document.getElementById("zoom-in").addEventListener("click", () => designer.zoom(1));
  document.getElementById("zoom-out").addEventListener("click", () => designer.zoom(-1));
  document.getElementById("new-canvas").addEventListener("click", () => {
    const flow = { ...designer.graph.flow };
    delete flow.start;
    designer.load({ flow, nodes: [], edges: [] });
    select(null);
    changed();
  });
  document.getElementById("delete-node").addEventListener("click", () => {
    if (state.selected) designer.remove(state.selected);
  });

  // --- the property form ----------------------------------------------------------------------
  function select(id) {
    state.selected = id && designer.node(id) ? id : null;
    renderForm();
  }

  function renderForm() {
    const node = state.selected && designer.node(state.selected);
    document.getElementById("properties-title").textContent = node ? `${typeLabel(node.type)}` : t("Flow settings");
    document.getElementById("delete-node").hidden = !node || !flags.can_write;
    const languages = flowLanguages();
    const onEdit = ({ redraw = false } = {}) => {
      if (redraw) designer.redraw();
      changed();
    };
    const built = node
      ? propertyForm(node, designer.palette.get(node.type), { languages, onEdit, rename: (to) => designer.rename(node.id, to) && select(to) })
      : settingsForm(designer.graph, { onEdit });
    form.replaceChildren(...built);
    form.querySelectorAll("input, select, textarea").forEach((field) => (field.disabled = !flags.can_write));
    showFormIssues();
    if (node) designer.select(node.id);
  }

  function flowLanguages() {
    const flow = designer.graph.flow;
    const list = Array.isArray(flow.languages) && flow.languages.length ? flow.languages : [];
    const first = flow.language || "zh-CN";
    return [first, ...list.filter((l) => l !== first)];
  }

  function showFormIssues() {
    form.querySelectorAll(".field-issue").forEach((p) => (p.textContent = ""));
    const node = state.selected;
    const mine = state.issues.filter((i) => (node ? i.node === node : !i.node));
    const shown = new Set();
    for (const issue of mine) {
      const top = issue.field.split(".")[0];
      const slot = form.querySelector(`.field-issue[data-field="${CSS.escape(issue.field)}"]`) ?? form.querySelector(`.field-issue[data-field="${CSS.escape(top)}"]`);
      if (slot && !shown.has(slot)) {
        slot.textContent = issue.message;
        shown.add(slot);
      }
    }
  }

  // --- checking as the author edits -----------------------------------------------------------
  let timer = null;
  function changed() {
    state.dirty = true;
    fillLanguages();
    clearTimeout(timer);
    timer = setTimeout(() => check().catch(showError), 350);
  }
  scope.onClose(() => clearTimeout(timer));

  /** The document as YAML, from whichever view is open. */
  async function documentText() {
    if (state.mode === "yaml") return editor.value;
    return (await post("/api/v1/flows/designer/text", { graph: designer.graph })).text;
  }

  function showIssues(list) {
    state.issues = list;
    issuesList.replaceChildren(
      ...list.map((i) => {
        const li = document.createElement("li");
        // The node's id and the field are the document's own keys (what the author typed),
        // shown as code; the message is in the user's language (said from its template).
        const code = (text) => Object.assign(document.createElement("code"), { textContent: text });
        const where = i.node ? t("node %(node)s", { node: "\u0000" }).split("\u0000") : [t("flow")];
        const parts = i.node ? [where[0], code(i.node), where[1] ?? ""] : where;
        li.append(...parts, " · ", code(i.field), t(": ") + i.message);
        li.dataset.node = i.node ?? "";
        if (i.node) li.addEventListener("click", () => show("designer").then(() => select(i.node)));
        return li;
      }),
    );
    document.querySelectorAll(".node.invalid").forEach((n) => n.classList.remove("invalid"));
    for (const i of list) document.querySelector(`.node[data-node="${CSS.escape(i.node ?? "")}"]`)?.classList.add("invalid");
    designer.showIssues(list);
    showFormIssues();
  }

  /** Draw the YAML view's diagram, or say it is stale when the document has none. */
  function drawn(graph) {
    const box = document.getElementById("diagram");
    if (graph) drawGraph(graph, box);
    box.classList.toggle("stale", !graph);
    box.dataset.stale = graph ? "false" : "true";
    document.getElementById("diagram-stale").hidden = Boolean(graph);
  }

  async function check() {
    const ticket = ++state.checking;
    const text = await documentText();
    let checked;
    try {
      checked = await post("/api/v1/flows/check", { text });
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) drawn(null); // not readable YAML
      throw error;
    }
    if (ticket !== state.checking) return checked.ok; // a later edit is being checked
    drawn(checked.graph);
    showIssues(checked.issues);
    result.textContent = checked.ok ? t("No problems found.") : t("%(n)s problem(s)", { n: checked.issues.length });
    result.className = checked.ok ? "ok" : "error";
    return checked.ok;
  }

  function showError(error) {
    result.textContent = error.message;
    result.className = "error";
  }

  // --- the two views --------------------------------------------------------------------------
  // Switches run one after the other: a click on 设计 while the YAML view is still being
  // prepared waits for it and then comes back, instead of being lost and leaving the YAML shown.
  // The tab list is busy (aria-busy) until the last one requested is done.
  let switching = Promise.resolve();
  let pending = 0;
  const tabs = document.getElementById("view-tabs");
  function show(mode) {
    pending += 1;
    tabs.setAttribute("aria-busy", "true");
    const next = switching.then(() => switchTo(mode));
    switching = next
      .catch(() => {})
      .finally(() => {
        pending -= 1;
        if (!pending) tabs.setAttribute("aria-busy", "false");
      });
    return next;
  }

  async function switchTo(mode) {
    if (mode === state.mode) return;
    if (mode === "yaml") {
      editor.value = await documentText();
    } else {
      // Boxes the YAML edit kept stay where they were; new ones are laid out.
      const { graph } = await post("/api/v1/flows/designer/graph", { text: editor.value, layout: designer.layout() });
      designer.load(graph);
      select(null);
    }
    state.mode = mode;
    document.getElementById("designer-pane").hidden = mode !== "designer";
    document.getElementById("yaml-pane").hidden = mode !== "yaml";
    for (const [id, on] of [["tab-designer", mode === "designer"], ["tab-yaml", mode === "yaml"]]) {
      const tab = document.getElementById(id);
      tab.classList.toggle("active", on);
      tab.setAttribute("aria-selected", String(on));
    }
    await check();
  }
  document.getElementById("tab-designer").addEventListener("click", () => show("designer").catch(showError));
  document.getElementById("tab-yaml").addEventListener("click", () => show("yaml").catch(showError));
  editor.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => check().catch(showError), 500);
  });

  // --- publish: check, diff, confirm ----------------------------------------------------------
  const dialog = document.getElementById("publish-dialog");
  let pendingText = null;
  document.getElementById("check").addEventListener("click", () => check().catch(showError));
  document.getElementById("publish")?.addEventListener("click", async () => {
    try {
      if (!(await check())) return;
      pendingText = await documentText();
      const diff = await post("/api/v1/flows/diff", { text: pendingText });
      const pre = document.getElementById("diff");
      pre.replaceChildren(
        ...diff.lines.map((line) => {
          const span = document.createElement("span");
          span.className = line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : "";
          span.textContent = `${line}\n`;
          return span;
        }),
      );
      const summary = diff.active_version === null
        ? t("A new flow: nothing is active yet.")
        : diff.same
          ? t("Nothing changed since version %(v)s.", { v: diff.active_version })
          : t("Against active version %(v)s: %(added)s added, %(changed)s changed, %(removed)s removed.", {
              v: diff.active_version, added: diff.added.length, changed: diff.changed.length, removed: diff.removed.length,
            });
      document.getElementById("diff-summary").textContent = summary;
      dialog.showModal();
    } catch (error) {
      showError(error);
    }
  });
  document.getElementById("publish-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("publish-confirm").addEventListener("click", async () => {
    dialog.close();
    try {
      const published = await post("/api/v1/flows", { text: pendingText, layout: designer.layout(), note: document.getElementById("note").value || null });
      result.textContent = t("Published version %(v)s.", { v: published.version });
      result.className = "ok";
      state.dirty = false;
      if (published.name !== flags.name) scope.navigate(`/admin/flows/${encodeURIComponent(published.name)}`);
      else await loadHistory();
    } catch (error) {
      showError(error);
      if (error instanceof ApiError && error.details.issues) showIssues(error.details.issues);
    }
  });

  // --- versions: open one in the designer, or make it the active one -------------------------
  /** Open a document in both views; `layout`: where its boxes were left (null: laid out). */
  async function openText(text, layout = null) {
    editor.value = text;
    const { graph } = await post("/api/v1/flows/designer/graph", layout ? { text, layout } : { text });
    designer.load(graph);
    select(null);
    await check();
  }

  async function loadHistory() {
    const body = document.getElementById("versions");
    if (!body || !flags.name) return null;
    const flow = await get(`/api/v1/flows/${encodeURIComponent(flags.name)}`);
    body.replaceChildren(
      ...flow.history.reverse().map((v) => {
        const tr = document.createElement("tr");
        tr.dataset.version = v.version;
        for (const text of [`v${v.version}${v.active ? " ✓" : ""}`, when(v.published_at), v.published_by ?? "", v.note ?? ""]) {
          const td = document.createElement("td");
          td.textContent = text;
          tr.append(td);
        }
        const cell = document.createElement("td");
        const open = Object.assign(document.createElement("button"), { className: "link", textContent: t("Open in the designer") });
        open.dataset.testid = `version-open-${v.version}`;
        open.addEventListener("click", async () => {
          const found = await get(`/api/v1/flows/${encodeURIComponent(flags.name)}/versions/${v.version}`);
          await openText(found.yaml, found.layout).catch(showError);
          result.textContent = t("Version %(v)s is open; publish it to make it active again.", { v: v.version });
          result.className = "";
        });
        cell.append(open);
        if (flags.can_write && !v.active) {
          const button = Object.assign(document.createElement("button"), { className: "link", textContent: t("Make active") });
          button.dataset.testid = `version-restore-${v.version}`;
          button.addEventListener("click", async () => {
            if (!confirm(t("Make version %(v)s the one new calls get?", { v: v.version }))) return;
            await post(`/api/v1/flows/${encodeURIComponent(flags.name)}/rollback`, { to: v.version });
            await loadHistory();
          });
          cell.append(" ", button);
        }
        tr.append(cell);
        return tr;
      }),
    );
    return flow;
  }

  // --- the test console -----------------------------------------------------------------------
  const consoleState = { answers: [], text: null };
  const languageSelect = document.getElementById("console-language");
  const lines = document.getElementById("console-lines");
  const choices = document.getElementById("console-choices");
  const audio = document.getElementById("console-audio");
  /** The flow's languages (they may have changed in its settings), keeping the choice made. */
  function fillLanguages() {
    const languageSelect = document.getElementById("console-language");
    const chosen = languageSelect.value;
    languageSelect.replaceChildren(...flowLanguages().map((l) => Object.assign(document.createElement("option"), { value: l, textContent: l })));
    if (flowLanguages().includes(chosen)) languageSelect.value = chosen;
  }
  const CHOICE_WORDS = {
    timeout: () => t("No key (time-out)"),
    hangup: () => t("Caller hangs up"),
    found: () => t("Found"),
    not_found: () => t("Not found"),
    failed: () => t("Lookup failed"),
    answered: () => t("An agent answers"),
    no_answer: () => t("Nobody answers in time"),
    unavailable: () => t("No agent available"),
    callback_offered: () => t("Callback offered"),
    agent_left: () => t("The agent hangs up"),
    recorded: () => t("A message is left"),
    nothing_recorded: () => t("Nothing recorded"),
    transferred: () => t("Transfer succeeds"),
    transfer_failed: () => t("Transfer fails"),
    callback_booked: () => t("Callback booked"),
    callback_refused: () => t("Callback refused"),
    ticket_ok: () => t("Ticket found or opened"),
    ticket_not_found: () => t("No such ticket"),
    ticket_failed: () => t("Tickets unavailable"),
  };
  const choiceWord = (c) => (CHOICE_WORDS[c] ? CHOICE_WORDS[c]() : c);

  async function consoleRun() {
    const walked = await post("/api/v1/flows/console", { text: consoleState.text, answers: consoleState.answers, language: languageSelect.value || null });
    consoleState.answers = consoleState.answers.slice(0, walked.used);
    lines.replaceChildren(...walked.lines.map(consoleLine));
    const end = document.createElement("li");
    end.className = "console-state";
    end.textContent = walked.ended
      ? t("The call ended (%(reason)s).", { reason: walked.ended })
      : walked.awaiting === "digits" ? t("Waiting for keys at %(node)s.", { node: walked.node }) : t("Waiting at %(node)s.", { node: walked.node });
    lines.append(end);
    choices.replaceChildren(
      ...walked.choices.map((c) => {
        const b = Object.assign(document.createElement("button"), { type: "button", textContent: choiceWord(c) });
        b.dataset.testid = `console-choice-${c}`;
        b.addEventListener("click", () => answer(c));
        return b;
      }),
    );
    document.getElementById("console-keys").disabled = walked.awaiting !== "digits";
  }

  function consoleLine(line) {
    const li = document.createElement("li");
    li.className = `console-${line.kind}`;
    const node = Object.assign(document.createElement("code"), { textContent: line.node });
    if (line.kind === "say") {
      li.append(node, " ", Object.assign(document.createElement("span"), { className: "said", textContent: `“${line.text ?? line.file ?? ""}”` }), ` (${line.language})`);
      if (line.text) {
        const play = Object.assign(document.createElement("button"), { type: "button", className: "link", textContent: t("Play") });
        play.addEventListener("click", () => speak(line.text, line.language).catch(showError));
        li.append(" ", play);
      }
    } else if (line.kind === "input") {
      li.append(node, " ← ", Object.assign(document.createElement("b"), { textContent: choiceWord(line.text) }));
    } else if (line.kind === "queue") {
      li.append(node, " → ", t("queue %(queue)s", { queue: line.detail.queue }));
      li.dataset.queue = line.detail.queue;
    } else if (line.kind === "end") {
      li.append(node, " · ", t("hang up"));
    } else {
      li.append(node, ` ${line.kind} `, Object.assign(document.createElement("code"), { textContent: JSON.stringify(line.detail) }));
    }
    return li;
  }

  async function speak(text, language) {
    const response = await fetch("/api/v1/flows/speech", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": document.body.dataset.csrf || "" },
      body: JSON.stringify({ text, language }),
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(t("The prompt could not be spoken."));
    if (audio.src) URL.revokeObjectURL(audio.src);
    audio.src = URL.createObjectURL(await response.blob());
    audio.dataset.spoken = text;
    await audio.play().catch(() => {}); // a browser may refuse sound without a gesture
  }

  function answer(given) {
    consoleState.answers.push(given);
    consoleRun().catch(showError);
  }
  document.getElementById("console-start").addEventListener("click", async () => {
    try {
      consoleState.text = await documentText();
      consoleState.answers = [];
      await consoleRun();
    } catch (error) {
      showError(error);
    }
  });
  document.getElementById("console-keys-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("console-keys");
    if (!input.value.trim() || consoleState.text === null) return;
    answer(input.value.trim());
    input.value = "";
  });

  // --- start ----------------------------------------------------------------------------------
  if (flags.name) {
    const flow = await loadHistory();
    await openText(flow.yaml, flow.layout);
  } else {
    await openText(NEW_FLOW);
  }
  fillLanguages();
}
