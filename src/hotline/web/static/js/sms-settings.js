// The center's SMS settings (admins, docs/sms.md): the provider (an HTTP gateway or an SMSC
// over SMPP), sender ids, templates in Chinese and English, opt-out words, and the opt-out
// list. The server checks every value and answers in the user's language; secrets come back
// masked and are kept when saved unchanged.
import { get, post, put } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { el, errorText, show, when } from "./interaction-format.js";

const words = (text) => text.split(/[,，]/).map((w) => w.trim()).filter(Boolean);

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const root = scope.root;
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $("sms-settings");
  const rows = $("template-rows");
  const tenant = form.dataset.tenant;
  const base = `${location.origin}/api/v1/sms/http`;
  root.querySelector("[data-testid=sms-inbound-url]").textContent = `${base}/inbound?tenant=${tenant}`;
  root.querySelector("[data-testid=sms-receipts-url]").textContent = `${base}/receipts?tenant=${tenant}`;

  function done(message) {
    show($("sms-error"), "");
    show($("sms-status"), message);
  }
  function fail(error) {
    show($("sms-status"), "");
    show($("sms-error"), errorText(error));
  }

  function showProvider() {
    for (const fieldset of form.querySelectorAll("fieldset[data-provider]")) {
      fieldset.hidden = fieldset.dataset.provider !== form.provider.value;
    }
  }
  form.provider.addEventListener("change", showProvider);

  function templateRow(name = "", zh = "", en = "") {
    const remove = el("button", { type: "button", className: "link", dataset: { testid: "sms-remove-template" } }, t("Remove"));
    const tr = el("tr", { dataset: { testid: "sms-template" } },
      el("td", {}, el("input", { name: "t_name", value: name, maxLength: 64, "aria-label": t("Name") })),
      el("td", {}, el("textarea", { name: "t_zh", rows: 2, "aria-label": t("Text in Chinese") }, zh)),
      el("td", {}, el("textarea", { name: "t_en", rows: 2, "aria-label": t("Text in English") }, en)),
      el("td", {}, remove));
    remove.addEventListener("click", () => tr.remove());
    rows.append(tr);
  }
  $("add-template").addEventListener("click", () => templateRow());

  async function load() {
    const { settings, defaults } = await get("/api/v1/sms/settings");
    rows.replaceChildren();
    if (!settings) {
      form.provider.value = "http";
      form.opt_out_words.value = defaults.opt_out_words.join(", ");
      form.resume_words.value = defaults.resume_words.join(", ");
      showProvider();
      return;
    }
    form.provider.value = settings.provider;
    const http = settings.http || {};
    const smpp = settings.smpp || {};
    form.http_url.value = http.url || "";
    form.http_api_key.value = http.api_key || "";
    form.http_webhook_secret.value = http.webhook_secret || "";
    form.smpp_host.value = smpp.host || "";
    form.smpp_port.value = smpp.port || "";
    form.smpp_system_id.value = smpp.system_id || "";
    form.smpp_password.value = smpp.password || "";
    form.sender_ids.value = settings.sender_ids.join("\n");
    form.opt_out_words.value = settings.opt_out_words.join(", ");
    form.resume_words.value = settings.resume_words.join(", ");
    for (const [name, texts] of Object.entries(settings.templates)) templateRow(name, texts["zh-CN"] || "", texts.en || "");
    showProvider();
  }

  function body() {
    const out = {
      provider: form.provider.value,
      sender_ids: form.sender_ids.value.split("\n").map((s) => s.trim()).filter(Boolean),
      opt_out_words: words(form.opt_out_words.value),
      resume_words: words(form.resume_words.value),
      templates: {},
    };
    if (out.provider === "http") {
      out.http = { url: form.http_url.value.trim(), api_key: form.http_api_key.value, webhook_secret: form.http_webhook_secret.value };
    } else {
      out.smpp = { host: form.smpp_host.value.trim(), port: Number(form.smpp_port.value) || 0,
        system_id: form.smpp_system_id.value.trim(), password: form.smpp_password.value };
    }
    for (const tr of rows.querySelectorAll("tr")) {
      const name = tr.querySelector("[name=t_name]").value.trim();
      if (!name) continue;
      const texts = {};
      const zh = tr.querySelector("[name=t_zh]").value.trim();
      const en = tr.querySelector("[name=t_en]").value.trim();
      if (zh) texts["zh-CN"] = zh;
      if (en) texts.en = en;
      out.templates[name] = texts;
    }
    return out;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    event.submitter.disabled = true;
    try {
      await put("/api/v1/sms/settings", body());
      await load();
      done(t("SMS settings saved."));
    } catch (error) {
      fail(error);
    } finally {
      event.submitter.disabled = false;
    }
  });

  const HOW = () => ({ keyword: t("Texted an opt-out word"), admin: t("Added by an admin") });
  async function loadOptOuts() {
    const { items } = await get("/api/v1/sms/opt-outs");
    $("opt-out-rows").replaceChildren(...items.map((row) => {
      const remove = el("button", { type: "button", className: "link", dataset: { testid: "opt-in" } }, t("Opt back in"));
      remove.addEventListener("click", async () => {
        try {
          await post("/api/v1/sms/opt-outs", { number: row.number, opted_out: false });
          done(t("%(number)s may be texted again.", { number: row.number }));
          await loadOptOuts();
        } catch (error) {
          fail(error);
        }
      });
      const how = HOW()[row.source] || row.source;
      return el("tr", { dataset: { number: row.number } },
        el("td", {}, row.number), el("td", {}, row.word ? `${how} (${row.word})` : how),
        el("td", {}, when(row.created_at)), el("td", {}, remove));
    }));
  }
  $("opt-out-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const number = event.target.number.value.trim();
    try {
      await post("/api/v1/sms/opt-outs", { number, opted_out: true });
      event.target.reset();
      done(t("%(number)s will not be texted.", { number }));
      await loadOptOuts();
    } catch (error) {
      fail(error);
    }
  });

  try {
    await Promise.all([load(), loadOptOuts()]);
  } catch (error) {
    fail(error);
  }
  form.dataset.loaded = "true";
}
