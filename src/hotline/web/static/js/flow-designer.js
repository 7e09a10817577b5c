// The visual flow designer (ADR 0190): boxes for nodes, wires from a node's outputs to the next
// node's input, a property form per node. Drawing and dragging are Drawflow's (the pinned npm
// package the app serves); the model is the designer graph of flows/designer.py — `flow`
// settings, `nodes` [{id, type, props, x, y}], `edges` [{source, port, target}] — which the API
// turns into the flow document. Drawflow's own ids never leave this module.
import { t } from "./i18n.js";

let loading = null;
/** Drawflow's constructor: a classic script that sets globalThis.Drawflow, and its stylesheet. */
export function loadDrawflow() {
  if (globalThis.Drawflow) return Promise.resolve(globalThis.Drawflow);
  if (!document.querySelector("link[data-drawflow]")) {
    const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: "/static/vendor/drawflow/drawflow.min.css" });
    link.dataset.drawflow = "";
    document.head.append(link);
  }
  loading = loading || import("/static/vendor/drawflow/drawflow.min.js").then(() => {
    if (!globalThis.Drawflow) throw new Error("graph editor did not load");
    return globalThis.Drawflow;
  });
  return loading;
}

/** The words of the palette: each node type's name in the user's language. */
export const TYPE_LABELS = {
  play: () => t("Play a prompt"),
  menu: () => t("Menu"),
  collect: () => t("Collect digits"),
  condition: () => t("Condition"),
  hours: () => t("Business hours"),
  lookup: () => t("Look up"),
  set: () => t("Set variables"),
  queue: () => t("Queue"),
  voicemail: () => t("Voicemail"),
  callback: () => t("Callback"),
  transfer: () => t("Transfer"),
  survey: () => t("Survey"),
  ticket: () => t("Open a ticket"),
  ticket_status: () => t("Ticket status"),
  emergency: () => t("Emergency switch"),
  hangup: () => t("Hang up"),
  sms: () => t("Send a text"),
  bot: () => t("Knowledge bot"),
};

export const typeLabel = (type) => (TYPE_LABELS[type] ? TYPE_LABELS[type]() : type);

const escapeHtml = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class Designer {
  /** `palette`: the API's entries; `onChange()` after every edit; `onSelect(id|null)`. */
  constructor(Drawflow, container, palette, { onChange, onSelect, readOnly = false }) {
    this.palette = new Map(palette.map((p) => [p.type, p]));
    this.onChange = onChange;
    this.onSelect = onSelect;
    this.graph = { flow: {}, nodes: [], edges: [] };
    this.dfIds = new Map(); // node id → drawflow id
    this.nodeIds = new Map(); // drawflow id → node id
    this.building = false;
    const editor = new Drawflow(container);
    editor.reroute = false;
    editor.force_first_input = false;
    if (readOnly) editor.editor_mode = "fixed";
    editor.start();
    this.editor = editor;
    editor.on("nodeSelected", (df) => this.onSelect(this.nodeIds.get(String(df)) ?? null));
    editor.on("nodeUnselected", () => this.onSelect(null));
    editor.on("nodeMoved", (df) => {
      const node = this.node(this.nodeIds.get(String(df)));
      // Where the box is drawn. Drawflow 0.0.60 records its own position one pointer step
      // behind the drawn box (it subtracts the last step twice), so its data is not read.
      const element = document.getElementById(`node-${df}`);
      if (node && element) Object.assign(node, { x: element.offsetLeft, y: element.offsetTop });
    });
    editor.on("nodeRemoved", (df) => {
      if (this.building) return;
      const id = this.nodeIds.get(String(df));
      this.graph.nodes = this.graph.nodes.filter((n) => n.id !== id);
      this.graph.edges = this.graph.edges.filter((e) => e.source !== id && e.target !== id);
      this.nodeIds.delete(String(df));
      this.dfIds.delete(id);
      this.onSelect(null);
      this.onChange();
    });
    editor.on("connectionCreated", (c) => this.connected(c));
    editor.on("connectionRemoved", (c) => {
      if (this.building) return;
      const source = this.nodeIds.get(String(c.output_id));
      const port = this.portName(source, c.output_class);
      const target = this.nodeIds.get(String(c.input_id));
      this.graph.edges = this.graph.edges.filter((e) => !(e.source === source && e.port === port && e.target === target));
      this.onChange();
    });
  }

  node(id) {
    return this.graph.nodes.find((n) => n.id === id);
  }

  /** The output ports of a node, in Drawflow's order (flows/designer.py `ports_of`). */
  ports(node) {
    const entry = this.palette.get(node.type);
    if (!entry) return [];
    const dynamic = [];
    if (entry.dynamic === "options" && Array.isArray(node.props.options)) dynamic.push(...node.props.options.map((k) => `options.${k}`));
    if (entry.dynamic === "branches" && Array.isArray(node.props.branches)) dynamic.push(...node.props.branches.map((_, i) => `branches.${i}.next`));
    return [...dynamic, ...entry.ports.filter((p) => p !== entry.dynamic)];
  }

  portName(nodeId, outputClass) {
    const node = this.node(nodeId);
    return node ? this.ports(node)[Number(String(outputClass).replace("output_", "")) - 1] : undefined;
  }

  connected(c) {
    if (this.building) return;
    const source = this.nodeIds.get(String(c.output_id));
    const target = this.nodeIds.get(String(c.input_id));
    const port = this.portName(source, c.output_class);
    if (!port || !target) return;
    // One wire per output: a new one replaces the old.
    for (const old of this.graph.edges.filter((e) => e.source === source && e.port === port && e.target !== target)) {
      this.building = true;
      try {
        this.editor.removeSingleConnection(c.output_id, this.dfIds.get(old.target), c.output_class, "input_1");
      } finally {
        this.building = false;
      }
    }
    this.graph.edges = this.graph.edges.filter((e) => !(e.source === source && e.port === port));
    this.graph.edges.push({ source, port, target });
    this.onChange();
  }

  html(node) {
    const start = this.graph.flow.start === node.id;
    const title = node.props.title ? `<div class="df-sub">${escapeHtml(node.props.title)}</div>` : "";
    return `<div class="df-box${start ? " df-start" : ""}"><div class="df-head"><span class="df-type">${escapeHtml(typeLabel(node.type))}</span>${start ? `<span class="df-start-mark">${escapeHtml(t("Start"))}</span>` : ""}</div><div class="df-id" data-raw="">${escapeHtml(node.id)}</div>${title}<div class="df-issue" role="status"></div></div>`;
  }

  draw(node) {
    const ports = this.ports(node);
    const df = this.editor.addNode(node.type, 1, ports.length, node.x ?? 40, node.y ?? 40, `df-${node.type}`, {}, this.html(node));
    this.dfIds.set(node.id, df);
    this.nodeIds.set(String(df), node.id);
    const element = document.getElementById(`node-${df}`);
    element.dataset.node = node.id;
    element.dataset.testid = `df-node-${node.id}`;
    element.querySelectorAll(".outputs .output").forEach((out, i) => {
      out.dataset.port = ports[i];
      out.dataset.testid = `port-${node.id}-${ports[i]}`;
    });
    element.querySelector(".inputs .input")?.setAttribute("data-testid", `input-${node.id}`);
  }

  /** Draw the whole graph again (after loading, or an edit that changes a node's outputs). */
  load(graph) {
    this.graph = graph;
    this.building = true;
    try {
      this.editor.clear();
      this.dfIds.clear();
      this.nodeIds.clear();
      for (const node of graph.nodes) this.draw(node);
      for (const e of graph.edges) {
        const from = this.dfIds.get(e.source), to = this.dfIds.get(e.target);
        const index = this.ports(this.node(e.source)).indexOf(e.port);
        if (from !== undefined && to !== undefined && index >= 0) this.editor.addConnection(from, to, `output_${index + 1}`, "input_1");
      }
    } finally {
      this.building = false;
    }
  }

  redraw() {
    const kept = this.graph.edges.filter((e) => {
      const node = this.node(e.source);
      return node && this.node(e.target) && this.ports(node).includes(e.port);
    });
    this.graph.edges = kept;
    this.load(this.graph);
  }

  /** Where each box stands (canvas units): kept beside the published version (ADR 0191). */
  layout() {
    return Object.fromEntries(this.graph.nodes.map((n) => [n.id, { x: Math.round(n.x ?? 0), y: Math.round(n.y ?? 0) }]));
  }

  /** A new node of `type` at (x, y) on the canvas; it gets a free id and its type's template. */
  add(type, x, y) {
    const entry = this.palette.get(type);
    let n = 1;
    while (this.node(`${type}_${n}`)) n += 1;
    const node = { id: `${type}_${n}`, type, props: structuredClone(entry?.template ?? {}), x: Math.round(x), y: Math.round(y) };
    this.graph.nodes.push(node);
    if (!this.graph.flow.start) this.graph.flow.start = node.id;
    this.draw(node);
    if (this.graph.flow.start === node.id) this.redraw();
    this.onChange();
    return node;
  }

  /** Canvas coordinates of a point of the page (where a palette item was dropped): the drawing's
   *  rectangle on the page already holds the container's offset and Drawflow's pan, scaled from
   *  its top-left corner (app.css sets the transform origin there, so that this rectangle does
   *  not move when the canvas changes size). */
  canvasPoint(clientX, clientY) {
    const box = this.editor.precanvas.getBoundingClientRect();
    const zoom = this.editor.zoom || 1;
    return { x: (clientX - box.left) / zoom, y: (clientY - box.top) / zoom };
  }

  rename(oldId, newId) {
    const node = this.node(oldId);
    if (!node || this.node(newId)) return false;
    node.id = newId;
    for (const e of this.graph.edges) {
      if (e.source === oldId) e.source = newId;
      if (e.target === oldId) e.target = newId;
    }
    if (this.graph.flow.start === oldId) this.graph.flow.start = newId;
    this.redraw();
    this.onChange();
    return true;
  }

  remove(id) {
    const df = this.dfIds.get(id);
    if (df !== undefined) this.editor.removeNodeId(`node-${df}`);
  }

  select(id) {
    document.querySelectorAll(".drawflow-node.selected").forEach((n) => n.classList.remove("selected"));
    const df = this.dfIds.get(id);
    if (df !== undefined) document.getElementById(`node-${df}`)?.classList.add("selected");
  }

  /** One message per node, at the node (the first issue the checker found there). */
  showIssues(issues) {
    const first = new Map();
    for (const issue of issues) if (issue.node && !first.has(issue.node)) first.set(issue.node, issue);
    for (const [id, df] of this.dfIds) {
      const element = document.getElementById(`node-${df}`);
      if (!element) continue;
      const issue = first.get(id);
      element.classList.toggle("invalid", Boolean(issue));
      const box = element.querySelector(".df-issue");
      box.textContent = issue ? `${issue.field}: ${issue.message}` : "";
    }
    return first;
  }

  zoom(direction) {
    if (direction > 0) this.editor.zoom_in();
    else this.editor.zoom_out();
  }
}
