// The center's web chat settings (admins, docs/chat-widget.md): the sites that may show the
// widget, the pre-chat form, the greetings, file limits, the offline department, the
// end-of-chat survey and the identity secret; and the one-line embed code to copy. The server
// checks every value and answers in the user's language, naming the field; the secret comes
// back masked and is kept when saved unchanged. New visitors get the settings at once.
import { get, put } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { el, errorText, show } from "./interaction-format.js";

const lines = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const root = scope.root;
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $("chat-settings");
  const embed = $("chat-embed");

  function done(message) {
    show($("chat-error"), "");
    show($("chat-status"), message);
  }
  function fail(error) {
    show($("chat-status"), "");
    show($("chat-error"), errorText(error));
  }

  async function surveys(chosen) {
    const found = await get("/api/v1/quality/surveys");
    const zh = document.documentElement.lang.startsWith("zh");
    const names = found.map((s) => s.name);
    if (!names.includes(chosen)) found.push({ name: chosen, title_zh: chosen, title_en: chosen });
    form.survey.replaceChildren(...found.map((s) =>
      el("option", { value: s.name }, `${(zh ? s.title_zh : s.title_en) || s.name} (${s.name})`)));
    form.survey.value = chosen;
  }

  async function load() {
    const { settings, center } = await get("/api/v1/chat/settings");
    embed.value = `<script src="${location.origin}/static/chat/widget.js" data-center="${center}" data-lang="zh-CN" async></script>`;
    form.allowed_origins.value = settings.allowed_origins.join("\n");
    for (const field of ["name", "phone", "email"]) form[`prechat_${field}`].value = settings[`prechat_${field}`];
    form.greeting_zh.value = settings.greeting_zh;
    form.greeting_en.value = settings.greeting_en;
    form.file_max_mb.value = settings.file_max_mb;
    form.file_types.value = settings.file_types.join("\n");
    form.offline_department.value = settings.offline_department;
    form.identity_secret.value = settings.identity_secret;
    await surveys(settings.survey);
  }

  function body() {
    return {
      allowed_origins: lines(form.allowed_origins.value),
      prechat_name: form.prechat_name.value,
      prechat_phone: form.prechat_phone.value,
      prechat_email: form.prechat_email.value,
      greeting_zh: form.greeting_zh.value,
      greeting_en: form.greeting_en.value,
      // a value the browser cannot read as a number goes as typed: the server names the field
      file_max_mb: form.file_max_mb.value === "" ? null : Number(form.file_max_mb.value),
      file_types: lines(form.file_types.value),
      offline_department: form.offline_department.value.trim(),
      identity_secret: form.identity_secret.value,
      survey: form.survey.value,
    };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    event.submitter.disabled = true;
    try {
      await put("/api/v1/chat/settings", body());
      await load();
      done(t("Web chat settings saved. New visitors get them now."));
    } catch (error) {
      fail(error);
    } finally {
      event.submitter.disabled = false;
    }
  });

  $("chat-copy").addEventListener("click", async () => {
    embed.select();
    try {
      await navigator.clipboard.writeText(embed.value);
      done(t("The embed code is copied."));
    } catch {
      done(t("Select the code and copy it (Ctrl+C)."));
    }
  });

  try {
    await load();
  } catch (error) {
    fail(error);
  }
  form.dataset.loaded = "true";
}
