// One flow: an SVG diagram of its graph, a validating YAML editor, publish and roll back.
import { ApiError, get, post } from "./api.js";
import { loadCatalog, t } from "./i18n.js";
import { when } from "./interaction-format.js";

/** Mount this screen (shell.js): its region is `scope.root`. */
export async function mount(scope) {
  await loadCatalog();
  const flags = JSON.parse(document.getElementById("page-flags").textContent);
  const editor = document.getElementById("editor");
  const issues = document.getElementById("issues");
  const result = document.getElementById("result");
  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Layered drawing: a node's row is its shortest distance from the start node. */
  function drawGraph(graph, box) {
    const depth = new Map();
    const start = graph.nodes.find((n) => n.start) ?? graph.nodes[0];
    const queue = start ? [start.id] : [];
    if (start) depth.set(start.id, 0);
    while (queue.length) {
      const id = queue.shift();
      for (const e of graph.edges.filter((x) => x.source === id)) {
        if (!depth.has(e.target)) {
          depth.set(e.target, depth.get(id) + 1);
          queue.push(e.target);
        }
      }
    }
    let maxDepth = Math.max(0, ...depth.values());
    for (const n of graph.nodes) if (!depth.has(n.id)) depth.set(n.id, ++maxDepth); // unreachable
    const rows = new Map();
    for (const n of graph.nodes) {
      const d = depth.get(n.id);
      if (!rows.has(d)) rows.set(d, []);
      rows.get(d).push(n);
    }
    const W = 170, H = 46, GX = 26, GY = 54;
    const widest = Math.max(1, ...[...rows.values()].map((r) => r.length));
    const width = widest * (W + GX) + GX;
    const height = rows.size * (H + GY) + GY;
    const pos = new Map();
    for (const [d, row] of rows) {
      const offset = (width - row.length * (W + GX) + GX) / 2;
      row.forEach((n, i) => pos.set(n.id, { x: offset + i * (W + GX), y: GY / 2 + d * (H + GY) }));
    }
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, class: "flow-graph", role: "img" });
    root.append(svg("defs", {}));
    root.firstChild.innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#6b7385"/></marker>';
    for (const e of graph.edges) {
      const a = pos.get(e.source), b = pos.get(e.target);
      if (!a || !b) continue;
      const x1 = a.x + W / 2, y1 = a.y + H, x2 = b.x + W / 2, y2 = b.y;
      const back = y2 <= y1;
      const path = back
        ? `M${x1} ${y1} C ${x1 + 60} ${y1 + 40}, ${x2 + 60} ${y2 - 40}, ${x2} ${y2}`
        : `M${x1} ${y1} C ${x1} ${(y1 + y2) / 2}, ${x2} ${(y1 + y2) / 2}, ${x2} ${y2}`;
      root.append(svg("path", { d: path, fill: "none", stroke: "#6b7385", "stroke-dasharray": e.waits ? "" : "4 3", "marker-end": "url(#arrow)" }));
      root.append(svg("text", { x: (x1 + x2) / 2 + 4, y: (y1 + y2) / 2, class: "edge-label", "data-raw": "" }, e.field.replace(/^options\./, "")));
    }
    for (const n of graph.nodes) {
      const p = pos.get(n.id);
      // Ids, types and edge names are the document's own words (code), not the page's.
      const g = svg("g", { class: `node node-${n.type}${n.start ? " start" : ""}`, "data-node": n.id, "data-raw": "" });
      g.append(svg("rect", { x: p.x, y: p.y, width: W, height: H, rx: n.start ? 18 : 6 }));
      g.append(svg("text", { x: p.x + W / 2, y: p.y + 19, "text-anchor": "middle", class: "node-id" }, n.id));
      g.append(svg("text", { x: p.x + W / 2, y: p.y + 36, "text-anchor": "middle", class: "node-type" }, n.title ? `${n.type} · ${n.title}`.slice(0, 26) : n.type));
      root.append(g);
    }
    box.replaceChildren(root);
  }

  function showIssues(list) {
    issues.replaceChildren(
      ...list.map((i) => {
        const li = document.createElement("li");
        // The node's id and the field are the document's own keys (what the author typed),
        // shown as code; the message is in the user's language (said from its template).
        const code = (text) => Object.assign(document.createElement("code"), { textContent: text });
        const where = i.node ? t("node %(node)s", { node: "\u0000" }).split("\u0000") : [t("flow")];
        const parts = i.node ? [where[0], code(i.node), where[1] ?? ""] : where;
        li.append(...parts, " · ", code(i.field), t(": ") + i.message);
        li.dataset.node = i.node ?? "";
        return li;
      }),
    );
    document.querySelectorAll(".node.invalid").forEach((n) => n.classList.remove("invalid"));
    for (const i of list) document.querySelector(`.node[data-node="${CSS.escape(i.node ?? "")}"]`)?.classList.add("invalid");
  }

  /** Draw the flow's graph, or say the diagram is stale when the document has none (not
   * readable, or its fields wrong): the old drawing stays, greyed, under that notice. */
  function drawn(graph) {
    const box = document.getElementById("diagram");
    if (graph) drawGraph(graph, box);
    box.classList.toggle("stale", !graph);
    box.dataset.stale = graph ? "false" : "true";
    document.getElementById("diagram-stale").hidden = Boolean(graph);
  }

  async function check() {
    let checked;
    try {
      checked = await post("/api/v1/flows/check", { text: editor.value });
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) drawn(null); // not readable YAML
      throw error;
    }
    drawn(checked.graph);
    showIssues(checked.issues);
    result.textContent = checked.ok ? t("No problems found.") : t("%(n)s problem(s)", { n: checked.issues.length });
    result.className = checked.ok ? "ok" : "error";
    return checked.ok;
  }

  async function load() {
    if (!flags.name) {
      editor.value = "name: my-flow\nstart: hello\nnodes:\n  hello:\n    type: play\n    prompt:\n      tts:\n        zh-CN: 您好\n        en: Hello\n    next: bye\n  bye:\n    type: hangup\n";
      await check();
      return;
    }
    const flow = await get(`/api/v1/flows/${encodeURIComponent(flags.name)}`);
    editor.value = flow.yaml;
    drawn(flow.graph);
    const body = document.getElementById("versions");
    body.replaceChildren(
      ...flow.history.reverse().map((v) => {
        const tr = document.createElement("tr");
        for (const text of [`v${v.version}${v.active ? " ✓" : ""}`, when(v.published_at), v.published_by ?? "", v.note ?? ""]) {
          const td = document.createElement("td");
          td.textContent = text;
          tr.append(td);
        }
        const cell = document.createElement("td");
        if (flags.can_write && !v.active) {
          const button = document.createElement("button");
          button.className = "link";
          button.textContent = t("Make active");
          button.addEventListener("click", async () => {
            await post(`/api/v1/flows/${encodeURIComponent(flags.name)}/rollback`, { to: v.version });
            await load();
          });
          cell.append(button);
        }
        tr.append(cell);
        return tr;
      }),
    );
  }

  document.getElementById("check").addEventListener("click", () => check().catch((e) => (result.textContent = e.message)));
  document.getElementById("publish")?.addEventListener("click", async () => {
    try {
      if (!(await check())) return;
      const published = await post("/api/v1/flows", { text: editor.value, note: document.getElementById("note").value || null });
      result.textContent = t("Published version %(v)s.", { v: published.version });
      result.className = "ok";
      if (published.name !== flags.name) scope.navigate(`/admin/flows/${encodeURIComponent(published.name)}`);
      else await load();
    } catch (error) {
      result.textContent = error.message;
      result.className = "error";
      if (error instanceof ApiError && error.details.issues) showIssues(error.details.issues);
    }
  });
  await load();
}
