import { ApiError, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { securityMessage } from "./password-policy.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const codeField = document.getElementById("code-field");
// The button stays disabled (and the form posts, never a GET with the password in its address)
// until this script handles the submit: a click before would send the form natively.
const catalog = loadCatalog();

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await catalog;
  error.hidden = true;
  const data = new FormData(form);
  const body = { username: data.get("username"), password: data.get("password") };
  if (data.get("tenant")) body.tenant = data.get("tenant");
  if (!codeField.hidden && data.get("code")) body.code = data.get("code");
  try {
    await post("/api/v1/auth/login", body);
    const next = form.dataset.next || "/";
    window.location.assign(next.startsWith("/") ? next : "/");
  } catch (e) {
    const code = e instanceof ApiError ? e.code : "";
    error.textContent =
      (code !== "auth.bad_credentials" && securityMessage(e)) || t("Wrong user name or password.");
    error.hidden = false;
    if (code === "auth.totp_required" || code === "auth.totp_invalid") {
      codeField.hidden = false;
      const input = form.elements.namedItem("code");
      input.value = "";
      input.focus();
    }
  }
});
form.querySelector("button[type=submit]").disabled = false;
