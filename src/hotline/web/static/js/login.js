import { ApiError, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
await loadCatalog();

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  const body = { username: data.get("username"), password: data.get("password") };
  if (data.get("tenant")) body.tenant = data.get("tenant");
  try {
    await post("/api/v1/auth/login", body);
    const next = form.dataset.next || "/";
    window.location.assign(next.startsWith("/") ? next : "/");
  } catch (e) {
    error.textContent =
      e instanceof ApiError && e.code === "auth.throttled"
        ? t("Too many failed attempts. Try again later.")
        : t("Wrong user name or password.");
    error.hidden = false;
  }
});
