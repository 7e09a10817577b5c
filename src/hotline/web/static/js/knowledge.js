// The knowledge base screen (知识库): search and read published articles (everyone); write,
// version, publish, link and attach files, and keep the center's synonyms (editors).
import { ApiError, del, get, post, put } from "./api.js";
import { language, loadCatalog, t } from "./i18n.js";
import { el, errorText, show, when } from "./interaction-format.js";

// Said by literal t() calls so that the catalog test sees every word.
const STATUS = () => ({ draft: t("Draft"), published: t("Published (live)"), unpublished: t("Unpublished") });
const AUDIENCE = () => ({ public: t("Public"), internal: t("Internal") });
const REASONS = () => ({
  requested: t("The customer asked for a person"),
  low_confidence: t("Nothing in the knowledge base came near"),
  failed_turns: t("Several turns without an answer"),
  unavailable: t("No bot or no speech recognition"),
});

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const $ = (id) => document.getElementById(id);
  const root = $("kb");
  const canWrite = root.dataset.canWrite === "true";
  const zh = language() !== "en";
  const title = (a) => (zh ? a.title_zh || a.title_en : a.title_en || a.title_zh);
  const categories = (await get("/api/v1/knowledge/categories")).items;
  const categoryName = (id) => {
    const c = categories.find((x) => x.id === id);
    return c ? (zh ? c.name_zh : c.name_en) : "";
  };
  let articles = [];
  let editing = null; // the article open in the editor (null: a new one)
  let edit = null; // opens the editor (editors only)

  function status(message) {
    show($("kb-status-line"), message);
    if (message) scope.after(() => $("kb-status-line").textContent === message && show($("kb-status-line"), ""), 6000);
  }

  // The list: every article (editors) or the published ones, or the hits of a search.
  let loads = 0; // only the latest of overlapping loads is shown
  async function load() {
    const form = $("kb-search");
    const q = form.q.value.trim();
    const mine = ++loads;
    show($("kb-error"), "");
    try {
      if (q) {
        const hits = (await get(`/api/v1/knowledge/search?q=${encodeURIComponent(q)}&limit=10`)).items;
        if (mine !== loads) return;
        rows(hits.map((h) => ({ id: h.article_id, title_zh: h.title, title_en: h.title, category_id: h.category_id, audience: h.audience, status: "published", fit: h.confidence })));
      } else {
        const statusFilter = canWrite ? form.status.value : "";
        const listed = (await get(`/api/v1/knowledge/articles${statusFilter ? `?status=${statusFilter}` : ""}`)).items;
        if (mine !== loads) return;
        articles = listed;
        rows(articles);
      }
    } catch (error) {
      show($("kb-error"), errorText(error));
    }
  }

  function rows(items) {
    const body = $("kb-rows");
    body.replaceChildren(
      ...items.map((a) => {
        const link = el("a", { href: "#", dataset: { testid: "kb-open" } }, title(a));
        link.addEventListener("click", (event) => {
          event.preventDefault();
          open(a.id);
        });
        return el(
          "tr",
          { dataset: { testid: "kb-row", article: a.id } },
          el("td", {}, link),
          el("td", {}, categoryName(a.category_id)),
          el("td", {}, AUDIENCE()[a.audience] || a.audience),
          el("td", { dataset: { testid: "kb-row-status" } }, STATUS()[a.status] || a.status),
          el("td", {}, a.fit === undefined ? "" : `${Math.round(a.fit * 100)}%`),
        );
      }),
    );
    if (!items.length) body.append(el("tr", {}, el("td", { colspan: 5, className: "muted" }, t("No article found."))));
  }

  async function open(id) {
    const article = await get(`/api/v1/knowledge/articles/${encodeURIComponent(id)}`);
    if (canWrite) edit(article);
    else view(article);
  }

  // Reading (agents): the text in the user's language, the other one below when there is one.
  function view(article) {
    const box = $("kb-view");
    const first = zh ? "zh" : "en";
    const second = zh ? "en" : "zh";
    const part = (lang) =>
      article[`title_${lang}`]
        ? [el("h2", { lang: lang === "zh" ? "zh-CN" : "en" }, article[`title_${lang}`]), el("p", { className: "kb-text" }, article[`body_${lang}`])]
        : [];
    const related = article.links.map((l) => {
      const a = el("a", { href: "#" }, zh ? l.title_zh || l.title_en : l.title_en || l.title_zh);
      a.addEventListener("click", (event) => {
        event.preventDefault();
        open(l.id);
      });
      return el("li", {}, a);
    });
    const files = article.attachments.map((f) =>
      el("li", {}, el("a", { href: `/api/v1/knowledge/articles/${article.id}/attachments/${f.id}` }, f.filename)),
    );
    box.replaceChildren(
      ...part(first),
      ...part(second),
      related.length ? el("h3", {}, t("Related articles")) : "",
      related.length ? el("ul", { className: "plain" }, ...related) : "",
      files.length ? el("h3", {}, t("Attachments")) : "",
      files.length ? el("ul", { className: "plain" }, ...files) : "",
    );
    box.hidden = false;
  }

  // Editing ----------------------------------------------------------------------------------
  if (canWrite) {
    const form = $("kb-form");
    form.category_id.append(el("option", { value: "" }, "—"), ...categories.map((c) => el("option", { value: c.id }, zh ? c.name_zh : c.name_en)));

    const values = () => ({
      title_zh: form.title_zh.value,
      body_zh: form.body_zh.value,
      title_en: form.title_en.value,
      body_en: form.body_en.value,
      category_id: form.category_id.value || null,
      audience: form.audience.value,
      tags: form.tags.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean),
      links: [...form.links.selectedOptions].map((o) => o.value),
    });

    edit = (article) => {
      editing = article;
      form.reset();
      show($("kb-form-error"), "");
      $("kb-editor-title").textContent = article
        ? t("%(title)s — version %(version)s, %(status)s", { title: title(article), version: article.version, status: STATUS()[article.status] })
        : t("New article");
      for (const name of ["title_zh", "body_zh", "title_en", "body_en"]) form[name].value = article?.[name] ?? "";
      form.category_id.value = article?.category_id ?? "";
      form.audience.value = article?.audience ?? "internal";
      form.tags.value = (article?.tags ?? []).join(", ");
      const linked = new Set((article?.links ?? []).map((l) => l.id));
      form.links.replaceChildren(
        ...articles.filter((a) => a.id !== article?.id).map((a) => el("option", { value: a.id, selected: linked.has(a.id) }, title(a))),
      );
      $("kb-publish").hidden = !article;
      $("kb-unpublish").hidden = !article || article.status !== "published";
      $("kb-delete").hidden = !article;
      $("kb-files").replaceChildren(
        ...(article?.attachments ?? []).map((f) => {
          const remove = el("button", { type: "button", className: "link danger" }, t("Remove"));
          remove.addEventListener("click", async () => {
            await del(`/api/v1/knowledge/articles/${article.id}/attachments/${f.id}`);
            open(article.id);
          });
          return el("li", {}, el("a", { href: `/api/v1/knowledge/articles/${article.id}/attachments/${f.id}` }, f.filename), " ", remove);
        }),
      );
      $("kb-file").disabled = !article;
      $("kb-versions").replaceChildren();
      if (article) {
        get(`/api/v1/knowledge/articles/${article.id}/versions`).then((v) =>
          $("kb-versions").replaceChildren(
            ...v.items.map((x) =>
              el("li", {}, t("Version %(version)s, saved %(when)s", { version: x.version, when: when(x.saved_at) }), x.version === article.published_version ? ` · ${t("Published (live)")}` : ""),
            ),
          ),
        );
      }
      $("kb-editor").hidden = false;
      form.title_zh.focus();
    };
    async function run(action, message) {
      show($("kb-form-error"), "");
      try {
        const article = await action();
        await load();
        status(message);
        if (article) edit(article);
        else $("kb-editor").hidden = true;
      } catch (error) {
        show($("kb-form-error"), error instanceof ApiError ? errorText(error) : String(error));
      }
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run(
        () => (editing ? put(`/api/v1/knowledge/articles/${editing.id}`, values()) : post("/api/v1/knowledge/articles", values())),
        t("Saved."),
      );
    });
    $("kb-publish").addEventListener("click", () => run(() => post(`/api/v1/knowledge/articles/${editing.id}/publish`), t("Published: search and the help page show this version.")));
    $("kb-unpublish").addEventListener("click", () => run(() => post(`/api/v1/knowledge/articles/${editing.id}/unpublish`), t("Unpublished.")));
    $("kb-delete").addEventListener("click", () => {
      if (!confirm(t("Delete this article and all its versions?"))) return;
      run(async () => {
        await del(`/api/v1/knowledge/articles/${editing.id}`);
        return null;
      }, t("Deleted."));
    });
    $("kb-new").addEventListener("click", () => edit(null));
    $("kb-file").addEventListener("change", async () => {
      const file = $("kb-file").files[0];
      if (!file || !editing) return;
      const data = new FormData();
      data.append("file", file);
      const response = await fetch(`/api/v1/knowledge/articles/${editing.id}/attachments`, {
        method: "POST",
        body: data,
        headers: { "X-CSRF-Token": document.body.dataset.csrf || "" },
        credentials: "same-origin",
      });
      if (!response.ok) show($("kb-form-error"), (await response.json().catch(() => ({}))).message || t("The action failed."));
      open(editing.id);
    });

    // The bot's figures; an unanswered question starts a new article (ADR 0259).
    async function loadBot() {
      const figures = await get("/api/v1/knowledge/bot/figures?days=7");
      $("kb-bot").querySelector("[data-testid=kb-bot-conversations]").textContent = String(figures.conversations);
      $("kb-bot").querySelector("[data-testid=kb-bot-containment]").textContent =
        figures.containment_rate === null ? "—" : `${Math.round(figures.containment_rate * 100)}%`;
      $("kb-bot").querySelector("[data-testid=kb-bot-handed-off]").textContent = String(figures.handed_off);
      $("kb-bot-reasons").replaceChildren(
        ...figures.hand_off_reasons.map((r) => el("li", { dataset: { testid: "kb-bot-reason", reason: r.reason } }, `${REASONS()[r.reason] || r.reason}: ${r.count}`)),
      );
      const body = $("kb-bot-unanswered");
      body.replaceChildren(
        ...figures.unanswered.map((u) => {
          const start = el("button", { type: "button", dataset: { testid: "kb-bot-write" } }, t("Write an article"));
          start.addEventListener("click", () => {
            edit(null);
            const han = /[\u4e00-\u9fff]/.test(u.question);
            form[han ? "title_zh" : "title_en"].value = u.question;
            form.audience.value = "public";
            form[han ? "body_zh" : "body_en"].focus();
            status(t("A new article from the question: write the answer, save and publish."));
          });
          return el("tr", { dataset: { testid: "kb-bot-question" } }, el("td", {}, u.question), el("td", {}, String(u.count)), el("td", {}, when(u.last_at)), el("td", {}, start));
        }),
      );
      if (!figures.unanswered.length) body.append(el("tr", {}, el("td", { colspan: 4, className: "muted" }, t("No unanswered question."))));
    }
    loadBot().catch((error) => show($("kb-error"), errorText(error)));

    // Synonyms: one group per line.
    const text = $("kb-synonym-text");
    text.value = (await get("/api/v1/knowledge/synonyms")).groups.map((g) => g.join(", ")).join("\n");
    $("kb-synonym-save").addEventListener("click", async () => {
      const groups = text.value.split("\n").map((line) => line.split(/[,，]/).map((s) => s.trim()).filter(Boolean)).filter((g) => g.length);
      const alone = groups.find((g) => g.length < 2);
      if (alone) {
        show($("kb-error"), t("%(word)s: a synonym group needs at least two words", { word: alone[0] }));
        return;
      }
      try {
        await put("/api/v1/knowledge/synonyms", { groups });
        show($("kb-error"), "");
        status(t("Synonyms saved."));
      } catch (error) {
        show($("kb-error"), errorText(error));
      }
    });
  }

  $("kb-search").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  await load();
}
