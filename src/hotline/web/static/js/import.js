// One import, step by step: the file (encoding, sheet, header rows, a corrected file), the
// mapping of columns to fields, the rules for duplicates and bad rows, then the dry run and the
// import with live progress (percent, rows per second, time left), the counts and the report.
import { ApiError, get, post, put } from "./api.js";
import { language, t } from "./i18n.js";
import { loadCatalog } from "./i18n.js";
import { el, show } from "./interaction-format.js";
import { COUNTS, PHASES, STATUS, apiErrorText, importError, upload } from "./imports-common.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const { import_id: importId } = JSON.parse(document.getElementById("page-flags").textContent);
  const base = `/api/v1/imports/${encodeURIComponent(importId)}`;
  const $ = (id) => document.getElementById(id);
  const pageError = $("page-error");
  const mapError = $("map-error");
  const RUNNING = new Set(["checking", "importing"]);
  const PROBLEMS_PAGE = 50;
  let current = null;
  let fields = [];
  let problemsOffset = 0;
  let problemsTotal = 0;
  let polling = false;

  const label = (field) => (language() === "zh-CN" ? field.label_zh : field.label_en);
  const fieldLabel = (name) => {
    const found = fields.find((f) => f.name === name);
    return found ? label(found) : null;
  };

  async function loadFields(target) {
    const targets = await get("/api/v1/import-targets");
    fields = (targets.items.find((x) => x.name === target) || { fields: [] }).fields;
  }

  async function loadSaved(target) {
    const saved = await get(`/api/v1/import-mappings?target=${encodeURIComponent(target)}`);
    const select = $("saved");
    select.replaceChildren(
      el("option", { value: "" }, saved.items.length ? t("Choose…") : t("None saved yet")),
      ...saved.items.map((m) => el("option", { value: m.name }, m.name)),
    );
  }

  // -- step 1: the file ----------------------------------------------------------------------

  function fileSummary(row) {
    const parts = [];
    if (row.format === "csv") {
      parts.push(t("CSV, encoding %(encoding)s", { encoding: (row.encoding_used || "?").toUpperCase() }));
    } else if (row.format) {
      parts.push(t("Excel workbook, sheet “%(sheet)s”", { sheet: row.sheet_used || "" }));
    }
    const headers = row.header_row_numbers || [];
    if (headers.length) parts.push(t("header on row %(rows)s", { rows: headers.join(", ") }));
    parts.push(t("%(n)s columns", { n: (row.columns || []).length }));
    return parts.join(" · ");
  }

  function renderFile(row) {
    $("file-name").textContent = row.file_name;
    $("file-summary").textContent = fileSummary(row);
    show($("file-error"), row.file_error ? importError(row.file_error.code, row.file_error.message) : "");
    $("encoding").value = row.encoding || "";
    $("encoding-box").hidden = row.format === "xlsx";
    $("sheet-box").hidden = row.format !== "xlsx";
    const sheet = $("sheet");
    sheet.replaceChildren(...(row.sheets || []).map((name) => el("option", { value: name }, name)));
    sheet.value = row.sheet_used || "";
    $("header-rows").value = row.header_rows ? String(row.header_rows) : "";
  }

  // -- step 2: the mapping -------------------------------------------------------------------

  function samplesOf(row, index) {
    return (row.sample || [])
      .map((s) => s.cells[index])
      .filter((v) => v !== "" && v !== null && v !== undefined)
      .slice(0, 3)
      .join(" | ");
  }

  function fieldSelect(row, column) {
    const chosen = row.mapping[String(column.index)] || "";
    const select = el(
      "select",
      { dataset: { column: String(column.index), testid: `field-${column.letter}` } },
      el("option", { value: "" }, t("— not imported —")),
      ...fields.map((f) => el("option", { value: f.name }, `${label(f)}${f.required ? " *" : ""}`)),
    );
    select.value = chosen;
    select.addEventListener("change", () => saveMapping());
    return select;
  }

  function renderMapping(row) {
    const tbody = $("mapping-rows");
    tbody.replaceChildren(
      ...(row.columns || []).map((column) =>
        el(
          "tr",
          { dataset: { letter: column.letter } },
          el("td", {}, column.letter),
          el("td", {}, column.label || t("(no header)")),
          el("td", { className: "imp-sample" }, samplesOf(row, column.index)),
          el("td", {}, fieldSelect(row, column)),
        ),
      ),
    );
    const unmapped = (row.unmapped || []).map((c) => `${c.letter} ${c.label}`);
    $("unmapped").textContent = unmapped.length
      ? t("Not imported: %(columns)s", { columns: unmapped.join("、") })
      : "";
  }

  async function saveMapping() {
    const mapping = {};
    for (const select of document.querySelectorAll("#mapping-rows select")) {
      mapping[select.dataset.column] = select.value;
    }
    await change({ mapping }, mapError);
  }

  // -- step 3: rules -------------------------------------------------------------------------

  function renderRules(row) {
    for (const input of document.querySelectorAll("input[name=rule]")) input.checked = input.value === row.rule;
    for (const input of document.querySelectorAll("input[name=on_errors]")) {
      input.checked = input.value === row.on_errors;
    }
  }

  // -- step 4: runs, progress, counts, the report --------------------------------------------

  function renderCounts(counts) {
    const box = $("counts");
    if (!counts) {
      box.hidden = true;
      return;
    }
    box.replaceChildren(
      ...COUNTS().map(([key, name]) =>
        el(
          "div",
          { className: `figure${key === "invalid" && counts[key] ? " bad" : ""}`, dataset: { count: key } },
          el("strong", {}, (counts[key] || 0).toLocaleString()),
          el("span", {}, name),
        ),
      ),
    );
    box.hidden = false;
  }

  function seconds(value) {
    if (value === null || value === undefined) return "";
    return value < 60 ? t("%(n)s s", { n: Math.ceil(value) }) : t("%(n)s min", { n: Math.ceil(value / 60) });
  }

  function renderProgress(row) {
    const box = $("progress-box");
    const progress = row.progress;
    if (!progress || (!RUNNING.has(row.status) && row.status !== "done" && row.status !== "checked")) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const percent = progress.percent ?? 0;
    $("progress").value = percent;
    const parts = [`${percent.toFixed(0)}%`];
    if (RUNNING.has(row.status) && progress.phase) parts.unshift(PHASES()[progress.phase] || progress.phase);
    if (progress.rows_per_s) parts.push(t("%(n)s rows/s", { n: Math.round(progress.rows_per_s).toLocaleString() }));
    if (RUNNING.has(row.status) && progress.eta_s) parts.push(t("%(time)s left", { time: seconds(progress.eta_s) }));
    $("progress-text").textContent = parts.join(" · ");
  }

  function statusText(row) {
    const words = {
      uploaded: t("Check the mapping, then run a dry run: it writes nothing."),
      checking: t("Dry run…"),
      checked: t("Dry run done: nothing was written. Import when the counts look right."),
      importing: t("Importing: the rows are written in one transaction."),
      done: t("Imported."),
      failed: importError(row.error_code, row.error_message),
      cancelled: t("Cancelled: nothing of this run was written."),
    };
    return words[row.status] || STATUS()[row.status] || row.status;
  }

  async function loadProblems() {
    const page = await get(`${base}/problems?limit=${PROBLEMS_PAGE}&offset=${problemsOffset}&lang=${language()}`);
    problemsTotal = page.total;
    $("problems-box").hidden = !page.total;
    $("problem-rows").replaceChildren(
      ...page.items.map((p) =>
        el("tr", { dataset: { row: String(p.row), code: p.code } },
          el("td", {}, String(p.row)),
          el("td", {}, p.column),
          el("td", { className: "mono" }, p.value),
          el("td", {}, p.reason),
        ),
      ),
    );
    $("problems-info").textContent = page.total
      ? t("%(first)s–%(last)s of %(total)s", { first: problemsOffset + 1, last: problemsOffset + page.items.length, total: page.total })
      : "";
    $("problems-csv").href = `${base}/problems.csv?lang=${language()}`;
  }

  function renderRun(row) {
    const running = RUNNING.has(row.status);
    const editable = !running && row.status !== "done";
    $("check").disabled = !editable || !!row.file_error || !(row.columns || []).length;
    $("commit").disabled = !editable || !!row.file_error || !(row.columns || []).length;
    $("cancel").hidden = !running;
    for (const control of document.querySelectorAll("#step-file select, #step-file input, #step-map select, #step-map input, #step-map button, #step-rules input")) {
      control.disabled = !editable;
    }
    const status = $("run-status");
    status.textContent = statusText(row);
    status.className = `status-${row.status}`;
    status.dataset.status = row.status;
    renderCounts(row.counts);
    renderProgress(row);
  }

  function render(row) {
    current = row;
    renderFile(row);
    renderMapping(row);
    renderRules(row);
    renderRun(row);
  }

  async function refresh() {
    const row = await get(base);
    render(row);
    return row;
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      let row = current;
      while (RUNNING.has(row.status) && !scope.closed) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        row = await refresh();
      }
      problemsOffset = 0;
      await loadProblems();
    } catch (error) {
      show(pageError, apiErrorText(error));
    } finally {
      polling = false;
    }
  }

  async function change(body, errorNode = pageError) {
    try {
      render(await put(base, body));
      show(errorNode, "");
      show(pageError, "");
      problemsOffset = 0;
      await loadProblems();
    } catch (error) {
      show(errorNode, apiErrorText(error, fieldLabel));
      if (current) render(current);
    }
  }

  async function start(kind) {
    try {
      render(await post(`${base}/${kind}`));
      show(pageError, "");
      $("problems-box").hidden = true;
      poll();
    } catch (error) {
      show(pageError, apiErrorText(error));
    }
  }

  // -- wiring ----------------------------------------------------------------------------------

  $("encoding").addEventListener("change", (e) => change({ encoding: e.target.value || null }));
  $("sheet").addEventListener("change", (e) => change({ sheet: e.target.value || null }));
  $("header-rows").addEventListener("change", (e) => change({ header_rows: e.target.value ? Number(e.target.value) : null }));
  for (const input of document.querySelectorAll("input[name=rule]")) {
    input.addEventListener("change", () => change({ rule: input.value }));
  }
  for (const input of document.querySelectorAll("input[name=on_errors]")) {
    input.addEventListener("change", () => change({ on_errors: input.value }));
  }
  $("replace-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      render(await upload("PUT", `${base}/file`, file));
      show(pageError, "");
      problemsOffset = 0;
      await loadProblems();
    } catch (error) {
      show(pageError, apiErrorText(error));
    } finally {
      e.target.value = "";
    }
  });
  $("apply-saved").addEventListener("click", () => {
    const name = $("saved").value;
    if (name) change({ mapping_name: name }, mapError);
  });
  $("save-mapping").addEventListener("click", async () => {
    const name = $("save-name").value.trim();
    if (!name) {
      show(mapError, t("Give the mapping a name."));
      return;
    }
    await change({ save_mapping_as: name }, mapError);
    $("save-name").value = "";
    await loadSaved(current.target);
  });
  $("check").addEventListener("click", () => start("check"));
  $("commit").addEventListener("click", () => start("commit"));
  $("cancel").addEventListener("click", async () => {
    try {
      render(await post(`${base}/cancel`));
    } catch (error) {
      show(pageError, apiErrorText(error));
    }
  });
  $("problems-prev").addEventListener("click", () => {
    if (problemsOffset > 0) {
      problemsOffset = Math.max(0, problemsOffset - PROBLEMS_PAGE);
      loadProblems();
    }
  });
  $("problems-next").addEventListener("click", () => {
    if (problemsOffset + PROBLEMS_PAGE < problemsTotal) {
      problemsOffset += PROBLEMS_PAGE;
      loadProblems();
    }
  });

  try {
    const row = await get(base);
    await loadFields(row.target);
    await loadSaved(row.target);
    render(row);
    await loadProblems();
    if (RUNNING.has(row.status)) poll();
  } catch (error) {
    show(pageError, error instanceof ApiError && error.status === 404 ? t("There is no such import.") : apiErrorText(error));
  }
}
