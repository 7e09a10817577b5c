// Every page: the language switch and the log-out button.
import { post, put } from "./api.js";

const select = document.getElementById("language");
if (select) {
  select.addEventListener("change", async () => {
    const lang = select.value;
    document.cookie = `hotline_lang=${lang}; path=/; max-age=31536000; samesite=lax`;
    if (document.body.dataset.csrf) {
      try {
        await put("/api/v1/auth/me/language", { language: lang });
      } catch (error) {
        console.warn("could not save the language", error);
      }
    }
    const url = new URL(window.location.href);
    if (url.pathname === "/login") url.searchParams.set("lang", lang);
    window.location.assign(url.toString());
  });
}

const logout = document.getElementById("logout");
if (logout) {
  logout.addEventListener("click", async () => {
    await post("/api/v1/auth/logout").catch(() => null);
    window.location.assign("/login");
  });
}
