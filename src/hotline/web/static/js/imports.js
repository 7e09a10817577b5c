// The imports page: upload a file (then go to its page), the history of imports, exports.
import { get } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { el, show, when } from "./interaction-format.js";
import { STATUS, apiErrorText, summary, upload } from "./imports-common.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const rows = document.getElementById("rows");
  const listError = document.getElementById("list-error");
  const uploadError = document.getElementById("upload-error");
  const PAGE = 20;
  let offset = 0;
  let total = 0;
  let targets = {};

  document.getElementById("file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    document.getElementById("chosen").textContent = file ? file.name : t("No file chosen");
  });

  document.getElementById("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("file").files[0];
    if (!file) {
      show(uploadError, t("Choose a file first."));
      return;
    }
    const button = document.getElementById("upload");
    button.disabled = true;
    try {
      const created = await upload("POST", "/api/v1/imports", file, {
        target: document.getElementById("target").value,
      });
      scope.navigate(`/admin/imports/${encodeURIComponent(created.id)}`);
    } catch (error) {
      show(uploadError, apiErrorText(error));
      button.disabled = false;
    }
  });

  function row(item) {
    const status = el("td", { className: `status-${item.status}` }, STATUS()[item.status] || item.status);
    return el(
      "tr",
      { dataset: { id: item.id } },
      el("td", {}, when(item.created_at)),
      el("td", {}, el("a", { href: `/admin/imports/${encodeURIComponent(item.id)}` }, item.file_name)),
      el("td", {}, targets[item.target] || item.target),
      status,
      el("td", {}, summary(item.counts)),
      el("td", {}, item.created_by || ""),
    );
  }

  async function load() {
    try {
      const page = await get(`/api/v1/imports?limit=${PAGE}&offset=${offset}`);
      total = page.total;
      rows.replaceChildren(...page.items.map(row));
      document.getElementById("page-info").textContent = total
        ? t("%(first)s–%(last)s of %(total)s", { first: offset + 1, last: offset + page.items.length, total })
        : t("Nothing here yet");
      show(listError, "");
    } catch (error) {
      show(listError, apiErrorText(error));
    }
  }

  document.getElementById("prev").addEventListener("click", () => {
    if (offset > 0) {
      offset = Math.max(0, offset - PAGE);
      load();
    }
  });
  document.getElementById("next").addEventListener("click", () => {
    if (offset + PAGE < total) {
      offset += PAGE;
      load();
    }
  });

  try {
    const lang = document.body.dataset.lang || "zh-CN";
    const known = await get("/api/v1/import-targets");
    targets = Object.fromEntries(known.items.map((x) => [x.name, lang === "zh-CN" ? x.label_zh : x.label_en]));
  } catch (error) {
    console.warn("import targets", error);
  }
  await load();
}
