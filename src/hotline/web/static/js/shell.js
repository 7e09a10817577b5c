// The shell (ADR 0120): every page of a signed-in user is one document whose top bar and
// workspace (the browser phone, the desk stream, the call under way: workspace.js) stay while
// the screen below changes. A click on a link of the app fetches that page's HTML, swaps the
// <main id="screen"> region and mounts the screen's module (its `mount(scope)`); the previous
// screen's timers, sockets and listeners go with its scope. Nothing here reloads the document,
// so the media session never notices. Also: the language switch and the log-out button.
import { loadCatalog, t } from "./i18n.js";
import { post, put } from "./api.js";
import { Workspace } from "./workspace.js";

/** What a screen's module receives: its region, the workspace, and cleanup that runs when the
 *  screen goes (timers, listeners on long-lived targets, anything registered with onClose). */
class Scope {
  constructor(root, shell) {
    this.root = root;
    this.shell = shell;
    this.closed = false;
    this.cleanups = [];
  }

  get workspace() {
    return this.shell.workspace;
  }

  every(fn, ms) {
    const id = setInterval(() => this.closed || fn(), ms);
    this.onClose(() => clearInterval(id));
    return id;
  }

  after(fn, ms) {
    const id = setTimeout(() => this.closed || fn(), ms);
    this.onClose(() => clearTimeout(id));
    return id;
  }

  on(target, type, fn, options) {
    target.addEventListener(type, fn, options);
    this.onClose(() => target.removeEventListener(type, fn, options));
  }

  onClose(fn) {
    if (this.closed) fn();
    else this.cleanups.push(fn);
  }

  /** Go to another page of the app (a screen of the shell, or a document after a warning). */
  navigate(url) {
    this.shell.navigate(url);
  }

  close() {
    this.closed = true;
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        fn();
      } catch (error) {
        console.warn("screen cleanup", error);
      }
    }
  }
}

class Shell {
  constructor() {
    this.screen = document.getElementById("screen");
    this.scope = null;
    this.workspace = null;
    this.loading = 0; // the navigation under way: a later click wins
  }

  async start() {
    await loadCatalog();
    this.workspace = await Workspace.create({ navigate: (url) => this.navigate(url) }).catch((error) => {
      console.warn("workspace", error);
      return null;
    });
    document.addEventListener("click", (event) => this.intercept(event));
    window.addEventListener("popstate", () => this.show(window.location.href, { push: false }));
    history.replaceState({ screen: true }, "", window.location.href);
    await this.mount();
  }

  /** A click on a link of the app becomes a screen change (not a new document). */
  intercept(event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest?.("a[href]");
    if (!link || link.target || link.hasAttribute("download") || link.dataset.document !== undefined) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || !isPage(url.pathname)) return;
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
    event.preventDefault();
    this.navigate(url.toString());
  }

  navigate(url) {
    this.show(new URL(url, window.location.href).toString(), { push: true });
  }

  /** Leave for a new document (a page outside the shell, or the shell failing): warned first
   *  during a live contact. */
  leave(url) {
    if (this.workspace && !this.workspace.confirmLeave()) return;
    window.location.assign(url);
  }

  async show(url, { push }) {
    const ticket = ++this.loading;
    let doc;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (new URL(response.url).pathname === "/login") return this.leave(response.url);
      doc = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch (error) {
      console.warn("navigation", error);
      return this.leave(url);
    }
    if (ticket !== this.loading) return; // another click came after this one
    const next = doc.getElementById("screen");
    if (!next || doc.body.dataset.shell !== "true") return this.leave(url);
    // The module first, then the swap: the new screen's controls work as soon as they show.
    const module = next.dataset.module ? await import(next.dataset.module).catch(() => null) : null;
    if (ticket !== this.loading) return;
    this.unmount();
    if (push) history.pushState({ screen: true }, "", url);
    document.title = doc.title;
    const nav = doc.querySelector(".nav");
    const here = document.querySelector(".nav");
    if (nav && here) here.replaceWith(document.adoptNode(nav));
    this.screen.replaceChildren(...[...next.childNodes].map((node) => document.adoptNode(node)));
    if (next.dataset.module) this.screen.dataset.module = next.dataset.module;
    else delete this.screen.dataset.module;
    window.scrollTo(0, 0);
    await this.mount(module);
  }

  unmount() {
    if (this.scope) this.scope.close();
    this.scope = null;
    for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  }

  /** Mount the screen now in the region: `loaded` is its module when the caller imported it
   *  already (a navigation), else it is imported here (the document's first screen). */
  async mount(loaded = null) {
    const scope = new Scope(this.screen, this);
    this.scope = scope;
    this.workspace?.render();
    const url = this.screen.dataset.module;
    this.screen.dataset.mounted = "false";
    if (!url) {
      this.screen.dataset.mounted = "true";
      return;
    }
    try {
      const screen = loaded || (await import(url));
      if (scope.closed) return;
      await screen.mount(scope);
    } catch (error) {
      if (!scope.closed) {
        this.screen.dataset.mounted = "failed"; // what did mount stays usable
        throw error;
      }
    }
    if (!scope.closed) {
      this.screen.dataset.mounted = "true";
      this.workspace?.render();
    }
  }
}

/** Paths the server answers with a page (not the API, files or the catalogs). */
function isPage(path) {
  return !/^\/(api|static|i18n)(\/|$)/.test(path) && !path.startsWith("/metrics");
}

const shell = document.body.dataset.shell === "true" ? new Shell() : null;

// Every form of a screen talks to the API through its module: the browser never submits one
// itself. Without this, a click before the module is mounted (a slow network, a busy machine)
// would load the page again with the form's fields in the address — a password among them.
if (shell) {
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target instanceof HTMLFormElement && shell.screen?.contains(event.target)) event.preventDefault();
    },
    true,
  );
}

const select = document.getElementById("language");
if (select) {
  select.addEventListener("change", async () => {
    const lang = select.value;
    if (shell?.workspace && !shell.workspace.confirmLeave()) {
      select.value = document.body.dataset.lang;
      return;
    }
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
    if (shell?.workspace?.live() && !window.confirm(t("You are in a call. Logging out disconnects your browser phone from it. Log out anyway?"))) return;
    if (shell?.workspace) shell.workspace.leaving = true;
    await post("/api/v1/auth/logout").catch(() => null);
    window.location.assign("/login");
  });
}

if (shell) await shell.start();
