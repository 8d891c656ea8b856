// The metric page: trend, breakdown by a dimension, definition and knobs, and the rows behind
// a period's number. Reads /api/metrics/{slug} and /api/metrics/{slug}/explain only.
"use strict";
(() => {
  const { api, el, clear, problem, fmt, number, table, select, params, setParams, whenPlotly, plotLayout, plotConfig } = Tandem;
  const slug = document.getElementById("metric-head").dataset.slug;
  const base = `/api/metrics/${encodeURIComponent(slug)}`;
  const COLORS = ["#2563eb", "#db2777", "#16a34a", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04", "#64748b"];
  let unit = null;
  let sample = null;
  let minResponses = 0;
  let state = {};

  // A survey value resting on fewer responses than min_survey_responses is marked.
  function valueCell(row) {
    const text = fmt(row.value, unit);
    if (!sample || row.value === null || row[sample] === undefined || row[sample] >= minResponses) return text;
    return el("span", { class: "low", title: `only ${row[sample]} responses (fewer than ${minResponses}): low confidence` }, text, el("sup", {}, " low n"));
  }

  function readState() {
    const p = params();
    return {
      grain: p.get("grain") || "month",
      from: p.get("from") || "",
      to: p.get("to") || "",
      by: p.get("by") || "",
      where: p.getAll("where"),
      period: p.get("period") || "",
    };
  }

  function writeControls() {
    document.getElementById("grain").value = state.grain;
    document.getElementById("from").value = state.from;
    document.getElementById("to").value = state.to;
    const [dim, value] = (state.where[0] || "").split("=");
    document.getElementById("where-dim").value = dim || "";
    document.getElementById("where-value").value = value || "";
  }

  function apiParams(extra) {
    return Object.assign({ grain: state.grain, from: state.from, to: state.to, where: state.where }, extra || {});
  }

  function periodLabel(iso) {
    if (!iso) return "";
    if (state.grain === "year") return iso.slice(0, 4);
    if (state.grain === "quarter") return `${iso.slice(0, 4)} Q${Math.floor((+iso.slice(5, 7) - 1) / 3) + 1}`;
    if (state.grain === "month") return iso.slice(0, 7);
    return `week of ${iso}`;
  }

  async function showTrend(series) {
    const Plotly = await whenPlotly();
    const node = clear(document.getElementById("trend"));
    const x = series.rows.map((r) => r.period);
    const trace = {
      x, y: series.rows.map((r) => r.value), type: "scatter", mode: "lines+markers",
      name: series.metric.name, line: { color: "#2563eb", width: 2 }, connectgaps: false,
      hovertemplate: "%{y}<extra></extra>",
    };
    const traces = [trace];
    for (const [key, label, dash, color] of [["target", "Target", "dash", "#16a34a"], ["baseline", "Baseline", "dot", "#64748b"]]) {
      if (series[key] !== undefined && series[key] !== null) {
        traces.push({ x, y: x.map(() => series[key]), type: "scatter", mode: "lines", name: label, line: { dash, color, width: 1.5 }, hoverinfo: "skip" });
      }
    }
    await Plotly.newPlot(node, traces, plotLayout({ yaxis: { title: { text: series.metric.unit }, gridcolor: "#eceff3" } }), plotConfig);
    node.on("plotly_click", (ev) => { if (ev.points.length) pick(ev.points[0].x); });
  }

  function showSeriesTable(series) {
    const comps = series.columns.filter((c) => c !== "period" && c !== "value" && !series.dimensions.includes(c));
    table(document.getElementById("series-table"), [
      { key: "period", label: "Period", format: (r) => el("a", { href: "#explain", onclick: (e) => { e.preventDefault(); pick(r.period); } }, periodLabel(r.period)) },
      { key: "value", label: "Value", cls: "num", format: valueCell },
      ...comps.map((c) => ({ key: c, label: c.replaceAll("_", " "), cls: "num" })),
    ], series.rows.slice().reverse());
  }

  async function showBreakdown(series) {
    const card = document.getElementById("breakdown-card");
    if (!state.by) { card.hidden = true; return; }
    card.hidden = false;
    const dim = series.dimensions[0];
    const label = series.dimensions.find((d) => d.endsWith("_name")) || dim;
    document.getElementById("breakdown-title").textContent = `By ${state.by}`;
    const groups = new Map();
    for (const r of series.rows) {
      const key = r[label] || r[dim] || "(none)";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(r);
    }
    const valued = series.rows.filter((r) => r.value !== null);
    const last = valued.length ? valued[valued.length - 1].period : (series.rows.length ? series.rows[series.rows.length - 1].period : null);
    const latest = [...groups.entries()].map(([k, rows]) => ({ key: k, id: rows[0][dim], row: rows.find((r) => r.period === last) || rows[rows.length - 1] }));
    latest.sort((a, b) => (b.row.value ?? -Infinity) - (a.row.value ?? -Infinity));
    const top = latest.slice(0, 8).map((g) => g.key);
    const Plotly = await whenPlotly();
    const node = clear(document.getElementById("breakdown"));
    const traces = top.map((k, i) => ({
      x: groups.get(k).map((r) => r.period), y: groups.get(k).map((r) => r.value), name: String(k),
      type: "scatter", mode: "lines+markers", line: { color: COLORS[i % COLORS.length], width: 1.5 },
    }));
    await Plotly.newPlot(node, traces, plotLayout({ showlegend: true }), plotConfig);
    const comps = series.columns.filter((c) => c !== "period" && c !== "value" && !series.dimensions.includes(c));
    table(document.getElementById("breakdown-table"), [
      { key: "key", label: `${state.by} (${periodLabel(last)})`, format: (g) => {
        const filter = `${state.by}=${g.id ?? ""}`;
        return el("a", { href: `?${new URLSearchParams({ grain: state.grain, where: filter, period: last || "" })}#explain` }, String(g.key));
      } },
      { key: "value", label: "Value", cls: "num", format: (g) => valueCell(g.row) },
      ...comps.map((c) => ({ key: c, label: c.replaceAll("_", " "), cls: "num", format: (g) => number(g.row[c]) })),
    ], latest);
  }

  function showDefinition(series) {
    const m = series.metric;
    unit = m.unit;
    sample = m.sample;
    minResponses = series.knobs.min_survey_responses ?? 0;
    if (series.rows.length) {
      document.getElementById("from").placeholder = series.rows[0].period.slice(0, 7);
      document.getElementById("to").placeholder = series.rows[series.rows.length - 1].period.slice(0, 7);
    }
    document.title = `${m.name} · Tandem`;
    document.getElementById("metric-name").textContent = m.name;
    const meta = document.getElementById("metric-meta");
    clear(meta).append(
      el("span", { class: "badge" }, m.unit), " ", el("span", { class: "badge" }, m.direction), " ",
      ...m.teams.map((t) => el("span", { class: `badge team team-${t}` }, t)),
      series.where && Object.keys(series.where).length ? el("span", { class: "badge filter" }, Object.entries(series.where).map(([k, v]) => `${k} = ${v}`).join(", ")) : "");
    document.getElementById("definition").textContent = m.definition;
    const knobs = clear(document.getElementById("knobs"));
    const entries = Object.entries(series.knobs);
    if (!entries.length) knobs.append(el("dd", {}, "No setting changes this metric."));
    for (const [k, v] of entries) knobs.append(el("dt", {}, k), el("dd", {}, JSON.stringify(v)));
    document.getElementById("fingerprint").textContent = `Definitions version ${series.fingerprint}`;
  }

  async function pick(period) {
    state.period = period;
    save();
    const title = document.getElementById("explain-title");
    const body = clear(document.getElementById("explain-body"));
    title.textContent = `Loading ${periodLabel(period)}…`;
    try {
      const e = await api(`${base}/explain`, { period, grain: state.grain, where: state.where, limit: 100 });
      const parts = Object.entries(e.result).filter(([k]) => k !== "period" && k !== "value").map(([k, v]) => `${k.replaceAll("_", " ")} ${number(v)}`);
      title.textContent = `${periodLabel(e.period.start)} (${e.period.start} to ${e.period.end}): ${fmt(e.result.value, unit)} — ${parts.join(", ")}`;
      for (const s of e.sources) {
        const counted = s.total_rows === 1 ? "1 row counts" : `${number(s.total_rows)} rows count`;
        const shown = s.rows.length < s.total_rows ? `, the first ${s.rows.length} shown` : "";
        const t = el("table", { class: "grid rows" });
        body.append(el("h3", {}, `${s.description} (${counted}${shown})`), el("div", { class: "scroll explain-rows" }, t));
        table(t, s.columns.map((c) => ({
          key: c, label: c.replaceAll("_", " "), cls: s.measures.includes(c) ? "measure" : undefined,
          format: c === "account_id" ? (r) => el("a", { href: `/accounts/${encodeURIComponent(r.account_id)}` }, r.account_id) : undefined,
        })), s.rows, { empty: "No rows count in this period." });
      }
    } catch (err) { title.textContent = ""; problem(err); }
  }

  function save() {
    setParams({ grain: state.grain, from: state.from, to: state.to, by: state.by, where: state.where, period: state.period });
  }

  // The shared scorecard's target and baseline for this metric, scope and period, if it
  // carries the metric (drawn on the trend). Scope from the filter: csm_id=E1 → csm:E1.
  async function targetOf(trend) {
    const scope = (() => {
      if (!state.where.length) return "";
      if (state.where.length > 1) return null;
      const [dim, value] = state.where[0].split(/=(.*)/s);
      const kind = { csm: "csm", csm_id: "csm", sales_rep: "rep", sales_rep_id: "rep", rep: "rep", segment: "segment" }[dim];
      return kind ? `${kind}:${value}` : null;
    })();
    if (scope === null) return;
    const valued = trend.rows.filter((r) => r.value !== null);
    const period = state.period || (valued.length ? valued[valued.length - 1].period : "");
    try {
      const me = await Tandem.whoami();
      const asked = me.role === "member" && scope ? "mine" : scope;
      const card = await api("/api/scorecards/shared", { period, grain: state.grain, scope: asked, views: false });
      const line = card.sections.flatMap((s) => s.lines).find((l) => l.slug === slug);
      if (line) {
        trend.target = line.target;
        trend.baseline = line.baseline ? line.baseline.value : null;
      }
    } catch (e) { /* no scorecard line for this metric or scope: no target drawn */ }
  }

  async function load() {
    problem(null);
    save();
    try {
      const trend = await api(base, apiParams());
      await targetOf(trend);
      showDefinition(trend);
      await showTrend(trend);
      showSeriesTable(trend);
      if (state.by) await showBreakdown(await api(base, apiParams({ by: state.by })));
      else document.getElementById("breakdown-card").hidden = true;
      const withValue = trend.rows.filter((r) => r.value !== null);
      const chosen = state.period || (withValue.length ? withValue[withValue.length - 1].period : null);
      if (chosen) await pick(chosen);
    } catch (e) { problem(e); clear(document.getElementById("trend")); }
  }

  async function main() {
    state = readState();
    writeControls();
    try {
      const [catalog, me] = await Promise.all([api("/api/catalog"), Tandem.whoami()]);
      const people = ["csm", "sales_rep", "rep", "csm_id", "sales_rep_id"];
      const dims = catalog.dimensions.filter((d) => !["csm_id", "sales_rep_id", "rep", "acquisition_channel"].includes(d))
        .filter((d) => me.role !== "member" || !people.includes(d));
      select(document.getElementById("by"), dims, state.by);
      select(document.getElementById("where-dim"), dims, (state.where[0] || "").split("=")[0]);
    } catch (e) { problem(e); }
    document.getElementById("controls").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      state.grain = f.get("grain");
      state.from = f.get("from").trim();
      state.to = f.get("to").trim();
      state.by = f.get("by");
      state.where = f.get("where_dim") && f.get("where_value").trim() ? [`${f.get("where_dim")}=${f.get("where_value").trim()}`] : [];
      state.period = "";
      load();
    });
    for (const id of ["grain", "by"]) {
      document.getElementById(id).addEventListener("change", () => document.getElementById("controls").requestSubmit());
    }
    load();
  }
  document.addEventListener("DOMContentLoaded", main);
})();
