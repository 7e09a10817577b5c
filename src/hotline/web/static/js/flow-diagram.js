// The YAML view's read-only diagram of a checked flow: a layered SVG drawing of its graph.
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Layered drawing: a node's row is its shortest distance from the start node. */
export function drawGraph(graph, box) {
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
