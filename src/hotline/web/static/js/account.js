// My account: change my password; set up, manage or turn off my authenticator app.
import { get, post, put } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { securityMessage } from "./password-policy.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();

  const $ = (id) => document.getElementById(id);

  function fail(box, error) {
    box.textContent = securityMessage(error) || error.message;
    box.hidden = false;
  }

  const passwordForm = $("password-form");
  passwordForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    $("password-error").hidden = true;
    $("password-ok").hidden = true;
    const data = new FormData(passwordForm);
    if (data.get("password") !== data.get("again")) {
      $("password-error").textContent = t("The two new passwords differ.");
      $("password-error").hidden = false;
      return;
    }
    try {
      await put("/api/v1/auth/me/password", {
        current_password: data.get("current_password"),
        password: data.get("password"),
      });
      passwordForm.reset();
      $("password-ok").hidden = false;
    } catch (error) {
      fail($("password-error"), error);
    }
  });

  const panels = ["totp-off", "totp-setup", "totp-on"];
  function showPanel(name) {
    for (const id of panels) $(id).hidden = id !== name;
  }

  async function refresh() {
    const status = await get("/api/v1/auth/totp");
    if (!status.allowed && !status.enabled) return;
    $("totp").hidden = false;
    if (status.enabled) {
      $("totp-left").textContent = t("%(n)s recovery codes left.", { n: status.recovery_codes_left });
      showPanel("totp-on");
    } else {
      showPanel("totp-off");
    }
  }

  function showCodes(codes) {
    const list = $("totp-code-list");
    list.replaceChildren(...codes.map((code) => Object.assign(document.createElement("li"), { textContent: code })));
    $("totp-codes").hidden = false;
  }

  $("totp-start").addEventListener("click", async () => {
    $("totp-error").hidden = true;
    try {
      const started = await post("/api/v1/auth/totp/setup");
      $("totp-secret").textContent = started.secret.replace(/(.{4})/g, "$1 ").trim();
      $("totp-qr").src = `${started.qr}?t=${Date.now()}`;
      showPanel("totp-setup");
      $("totp-confirm-form").elements.namedItem("code").focus();
    } catch (error) {
      fail($("totp-error"), error);
    }
  });

  $("totp-confirm-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("totp-error").hidden = true;
    const code = new FormData(event.target).get("code");
    try {
      const done = await post("/api/v1/auth/totp/confirm", { code });
      event.target.reset();
      showCodes(done.recovery_codes);
      await refresh();
    } catch (error) {
      fail($("totp-error"), error);
    }
  });

  $("totp-manage-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("totp-error").hidden = true;
    const code = new FormData(event.target).get("code");
    const action = event.submitter?.value;
    try {
      if (action === "off") {
        await post("/api/v1/auth/totp/disable", { code });
        $("totp-codes").hidden = true;
      } else {
        showCodes((await post("/api/v1/auth/totp/recovery-codes", { code })).recovery_codes);
      }
      event.target.reset();
      await refresh();
    } catch (error) {
      fail($("totp-error"), error);
    }
  });

  await refresh();
}
