// QA sampling rules (issue 20, docs/quality.md "QA sampling"): the center's rules in the order
// applied, edited as a table; the weekly job's last and next run and the tasks its last run
// made; "Run now". The server checks every value and names the field it refuses ("rules.2.
// percent"): the row's input is marked and the message shown beside it, nothing is saved.
import { get, post, put } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { el, errorText, show, when } from "./interaction-format.js";

const KINDS = ["random", "low_rating", "longer_than", "shorter_than", "disposition", "new_agent"];
const KIND_WORDS = {
  random: "Random share of each agent's contacts",
  low_rating: "Low rating",
  longer_than: "Longer than",
  shorter_than: "Shorter than",
  disposition: "Dispositions",
  new_agent: "New agents",
};
// Each kind's one setting: the field the server checks, its input and the words around it.
const SETTINGS = {
  random: { field: "percent", type: "number", step: "any", after: "% of each agent's contacts of the week" },
  low_rating: { field: "at_most", type: "number", step: "1", before: "Rated at or below", after: "of 5 (scaled for other scales)" },
  longer_than: { field: "seconds", type: "number", step: "any", after: "seconds (answered to hung up)" },
  shorter_than: { field: "seconds", type: "number", step: "any", after: "seconds (answered to hung up)" },
  disposition: { field: "dispositions", type: "text", after: "disposition codes, separated by commas" },
  new_agent: { field: "weeks", type: "number", step: "1", before: "Every contact in an agent's first", after: "weeks on the job (every contact)" },
};

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const root = scope.root;
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $("rules-form");
  const rows = $("rule-rows");
  const table = root.querySelector("[data-testid=rules]");
  const addKind = $("add-kind");
  addKind.replaceChildren(...KINDS.map((k) => el("option", { value: k }, t(KIND_WORDS[k]))));

  function clearErrors() {
    show($("rules-error"), "");
    for (const node of rows.querySelectorAll(".invalid")) node.classList.remove("invalid");
    for (const node of rows.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    for (const node of rows.querySelectorAll("[data-testid=rule-error]")) node.remove();
  }

  function freeKey(kind) {
    const taken = new Set([...rows.querySelectorAll("[name=key]")].map((i) => i.value.trim()));
    if (!taken.has(kind)) return kind;
    let n = 2;
    while (taken.has(`${kind}_${n}`)) n += 1;
    return `${kind}_${n}`;
  }

  function ruleRow(rule) {
    const setting = SETTINGS[rule.kind];
    const value = setting.field === "dispositions" ? (rule.dispositions || []).join(", ") : rule[setting.field] ?? "";
    const input = el("input", {
      name: setting.field, type: setting.type, step: setting.step, value,
      size: setting.type === "text" ? 24 : 6, "aria-label": t(KIND_WORDS[rule.kind]),
      dataset: { testid: `rule-${setting.field}` },
    });
    const up = el("button", { type: "button", className: "link", title: t("Move up"), dataset: { testid: "rule-up" } }, "↑");
    const remove = el("button", { type: "button", className: "link", dataset: { testid: "rule-remove" } }, t("Remove"));
    const tr = el("tr", { dataset: { testid: "rule", kind: rule.kind } },
      el("td", {}, el("input", { type: "checkbox", name: "enabled", checked: rule.enabled !== false, "aria-label": t("On") })),
      el("td", {}, t(KIND_WORDS[rule.kind])),
      el("td", {}, el("input", { name: "key", value: rule.key, maxLength: 32, size: 12, "aria-label": t("Key") })),
      el("td", { className: "setting" },
        setting.before ? `${t(setting.before)} ` : null, input, ` ${t(setting.after)}`),
      el("td", {}, up, " ", remove));
    scope.on(up, "click", () => { if (tr.previousElementSibling) tr.previousElementSibling.before(tr); });
    scope.on(remove, "click", () => tr.remove());
    rows.append(tr);
    return tr;
  }

  function number(input) {
    const raw = input.value.trim();
    if (raw === "") return input.validity.badInput ? Number.NaN : null; // "abc" in a number box
    return Number(raw);
  }

  function body() {
    return {
      rules: [...rows.querySelectorAll("tr")].map((tr) => {
        const kind = tr.dataset.kind;
        const field = SETTINGS[kind].field;
        const input = tr.querySelector(`[name=${field}]`);
        const rule = { key: tr.querySelector("[name=key]").value.trim(), kind, enabled: tr.querySelector("[name=enabled]").checked };
        if (field === "dispositions") {
          rule.dispositions = input.value.split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean);
        } else {
          const n = number(input);
          rule[field] = Number.isNaN(n) ? "?" : n; // the server names what it cannot read
        }
        return rule;
      }),
    };
  }

  /** Mark the input the server named ("rules.2.percent" → row 3's percent) and say why there. */
  function blame(error) {
    const field = error.details?.field || "";
    const [, index, name] = field.split(".");
    const tr = rows.querySelectorAll("tr")[Number(index)];
    const message = errorText(error);
    if (tr === undefined || index === undefined) {
      show($("rules-error"), message);
      return;
    }
    const kind = tr.dataset.kind;
    const input = tr.querySelector(`[name=${name || SETTINGS[kind].field}]`) || tr.querySelector("[name=key]");
    input.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    input.closest("td").append(el("p", { className: "error", role: "alert", dataset: { testid: "rule-error" } }, message));
    input.focus();
    show($("rules-error"), t("Rule %(n)s (%(kind)s): %(message)s", { n: Number(index) + 1, kind: t(KIND_WORDS[kind]), message }));
  }

  async function loadRules() {
    const found = await get("/api/v1/quality/sampling-rules");
    rows.replaceChildren();
    for (const rule of found.rules) ruleRow(rule);
    table.dataset.loaded = "true";
  }

  let job = null;
  function showJob(found) {
    job = found;
    $("next-run").textContent = found.scheduled && found.next_run_at ? when(found.next_run_at) : t("Not scheduled: save the rules first");
    $("last-run").textContent = found.last_run_at ? when(found.last_run_at) : t("Never");
    $("tasks-made").textContent = found.tasks_made === null || found.tasks_made === undefined ? "—" : String(found.tasks_made);
    $("run-now").disabled = !found.scheduled || found.state === "running";
    root.querySelector("[data-testid=sampling-job]").dataset.runs = String(found.runs ?? 0);
    show($("job-error"), found.last_error ? t("The last run failed: %(error)s", { error: found.last_error }) : "");
  }
  async function loadJob() {
    showJob(await get("/api/v1/quality/sampling-job"));
  }

  scope.on(form, "submit", async (event) => {
    event.preventDefault();
    clearErrors();
    show($("rules-status"), "");
    try {
      const saved = await put("/api/v1/quality/sampling-rules", body());
      rows.replaceChildren();
      for (const rule of saved.rules) ruleRow(rule);
      show($("rules-status"), t("The sampling rules were saved."));
      await loadJob();
    } catch (error) {
      blame(error);
    }
  });
  scope.on($("add-rule"), "click", () => {
    const kind = addKind.value;
    const tr = ruleRow({ key: freeKey(kind), kind, enabled: true });
    tr.querySelector(`[name=${SETTINGS[kind].field}]`).focus();
  });

  // "Run now": the job is made due now and runs on the job host; its page follows it until
  // it has finished once more.
  scope.on($("run-now"), "click", async () => {
    show($("job-error"), "");
    show($("job-status"), t("Sampling the last whole week…"));
    const before = job?.runs ?? 0;
    try {
      showJob(await post("/api/v1/quality/sampling-job/run", {}));
    } catch (error) {
      show($("job-status"), "");
      show($("job-error"), errorText(error));
      return;
    }
    $("run-now").disabled = true;
    const poll = scope.every(async () => {
      let found;
      try {
        found = await get("/api/v1/quality/sampling-job");
      } catch (error) {
        clearInterval(poll);
        show($("job-error"), errorText(error));
        return;
      }
      if (found.runs > before || found.last_error) {
        clearInterval(poll);
        showJob(found);
        show($("job-status"), found.last_error ? "" : t("Done: %(n)s QA tasks made.", { n: found.tasks_made ?? 0 }));
      }
    }, 500);
  });

  try {
    await Promise.all([loadRules(), loadJob()]);
  } catch (error) {
    show($("rules-error"), errorText(error));
  }
}
