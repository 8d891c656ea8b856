// Shared by every page: calling the JSON API, building DOM safely, formatting numbers.
// Pages read data only through the public API under /api (the same routes scripts use).
"use strict";

const Tandem = (() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  class ApiError extends Error {
    constructor(status, body) {
      const e = (body && body.error) || {};
      super(e.message || `HTTP ${status}`);
      this.status = status;
      this.code = e.code;
      this.parameter = e.parameter;
    }
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v === undefined || v === null || v === "") continue;
      if (Array.isArray(v)) v.forEach((x) => x !== "" && q.append(k, x));
      else q.append(k, v);
    }
    const s = q.toString();
    return s ? `?${s}` : "";
  }

  async function api(path, params, options = {}) {
    const method = options.method || "GET";
    const headers = { Accept: "application/json" };
    let body;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    if (method !== "GET") headers["X-CSRF-Token"] = csrf();
    const response = await fetch(path + query(params), {
      method, headers, body, credentials: "same-origin",
    });
    if (response.status === 401) {
      window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      throw new ApiError(401, null);
    }
    if (response.status === 204) return null;
    const data = await response.json();
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  // el("a", {href: "/x", class: "y"}, "text", child): text is always text, never HTML.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    node.removeAttribute("aria-busy");
    return node;
  }

  function problem(error) {
    const box = document.getElementById("problem");
    if (!box) return;
    if (!error) { box.hidden = true; box.textContent = ""; return; }
    box.textContent = error.message || String(error);
    box.hidden = false;
  }

  const nf0 = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
  const nf1 = new Intl.NumberFormat("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const nf2 = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });

  function fmt(value, unit) {
    if (value === null || value === undefined || Number.isNaN(value)) return "—";
    if (typeof value !== "number") return String(value);
    switch (unit) {
      case "percent": return `${nf1.format(value)}%`;
      case "currency": return nf0.format(value);
      case "count": return nf0.format(value);
      case "score": return nf1.format(value);
      case "days": return `${nf1.format(value)} d`;
      case "months": return `${nf1.format(value)} mo`;
      default: return nf2.format(value);
    }
  }

  function number(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "number") return Number.isInteger(value) ? nf0.format(value) : nf2.format(value);
    if (typeof value === "boolean") return value ? "yes" : "no";
    return String(value);
  }

  function ago(iso) {
    if (!iso) return "never";
    const then = new Date(iso.endsWith("Z") || iso.includes("+") ? iso : `${iso}Z`);
    const minutes = Math.round((Date.now() - then.getTime()) / 60000);
    if (minutes < 1) return "just now";
    if (minutes < 60) return `${minutes} min ago`;
    const hours = Math.round(minutes / 60);
    if (hours < 48) return `${hours} h ago`;
    return then.toISOString().slice(0, 10);
  }

  // A table from rows: columns [{key, label, format(row), cls}].
  function table(node, columns, rows, options = {}) {
    clear(node);
    const head = el("tr", {}, columns.map((c) => el("th", { scope: "col", class: c.cls }, c.label ?? c.key)));
    node.append(el("thead", {}, head));
    const body = el("tbody");
    for (const row of rows) {
      const tr = el("tr", options.rowAttrs ? options.rowAttrs(row) : {});
      for (const c of columns) {
        const v = c.format ? c.format(row) : number(row[c.key]);
        tr.append(el("td", { class: c.cls, dataset: { col: c.key } }, v));
      }
      body.append(tr);
    }
    if (!rows.length) body.append(el("tr", {}, el("td", { colspan: columns.length, class: "empty" }, options.empty || "Nothing to show.")));
    node.append(body);
  }

  function select(node, options, current) {
    const keep = Array.from(node.options).filter((o) => o.value === "");
    node.replaceChildren(...keep);
    for (const o of options) {
      const value = typeof o === "string" ? o : o.value;
      const label = typeof o === "string" ? o : o.label;
      node.append(el("option", { value, selected: value === current }, label));
    }
  }

  function params() {
    return new URLSearchParams(location.search);
  }

  function setParams(values) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined || v === null || v === "") continue;
      if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
      else q.set(k, v);
    }
    const s = q.toString();
    history.replaceState(null, "", s ? `?${s}` : location.pathname);
  }

  function whenPlotly() {
    return new Promise((resolve) => {
      if (window.Plotly) return resolve(window.Plotly);
      const wait = () => (window.Plotly ? resolve(window.Plotly) : setTimeout(wait, 20));
      wait();
    });
  }

  const plotLayout = (extra) => Object.assign({
    margin: { l: 48, r: 16, t: 16, b: 40 },
    font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    hovermode: "x unified",
    legend: { orientation: "h", y: -0.2 },
    xaxis: { gridcolor: "#eceff3" },
    yaxis: { gridcolor: "#eceff3", zerolinecolor: "#d0d5dc" },
  }, extra || {});
  const plotConfig = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

  async function showLoaded() {
    const node = document.getElementById("loaded");
    if (!node) return;
    try {
      const s = await api("/api/status");
      node.textContent = s.last_loaded_at ? `Data loaded ${ago(s.last_loaded_at)}` : "No data loaded yet";
      node.title = s.last_loaded_at ? `Last load ${s.last_loaded_at} UTC · data ${s.data_from} to ${s.data_to}` : "";
    } catch (e) { /* shown by the page itself */ }
  }

  let me = null;
  async function whoami() {
    if (!me) me = await api("/api/me");
    return me;
  }

  document.addEventListener("DOMContentLoaded", showLoaded);

  return { api, el, clear, problem, fmt, number, ago, table, select, params, setParams, whenPlotly, plotLayout, plotConfig, query, whoami, ApiError };
})();
