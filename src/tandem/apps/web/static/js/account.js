// One account: /api/accounts/{id} (facts, timeline, tables, weekly usage chart).
"use strict";
(() => {
  const { api, el, clear, problem, fmt, number, table, whenPlotly, plotLayout, plotConfig } = Tandem;
  const id = document.getElementById("account-head").dataset.account;

  function facts(a) {
    const tiles = clear(document.getElementById("facts"));
    const items = [
      ["MRR", fmt(a.mrr, "currency")],
      ["Status", a.status],
      ["Plan", a.plan || "—"],
      ["Seats", number(a.seats)],
      ["CSM", a.csm_name || a.csm_id || "—"],
      ["Sales rep", a.sales_rep_name || a.sales_rep_id || "—"],
      ["Customer since", a.first_paid || "—"],
    ];
    if (a.health_score !== null && a.health_score !== undefined) {
      items.unshift(["Health", el("span", { class: `pill ${a.health_band}` }, String(Math.round(a.health_score)))]);
    }
    for (const [k, v] of items) tiles.append(el("div", { class: "tile" }, el("div", { class: "label" }, k), el("div", { class: "value" }, v)));
  }

  async function usage(rows) {
    const Plotly = await whenPlotly();
    const node = clear(document.getElementById("usage"));
    const x = rows.map((r) => r.week);
    await Plotly.newPlot(node, [
      { x, y: rows.map((r) => r.sessions), type: "bar", name: "Sessions", marker: { color: "#93c5fd" } },
      { x, y: rows.map((r) => r.users), type: "scatter", mode: "lines", name: "Active users", yaxis: "y2", line: { color: "#1d4ed8", width: 2 } },
    ], plotLayout({
      yaxis: { title: { text: "sessions" }, gridcolor: "#eceff3" },
      yaxis2: { title: { text: "users" }, overlaying: "y", side: "right", showgrid: false, rangemode: "tozero" },
      bargap: 0.15,
    }), plotConfig);
  }

  function timeline(events) {
    const list = clear(document.getElementById("timeline"));
    if (!events.length) list.append(el("li", { class: "empty" }, "Nothing has happened yet."));
    for (const e of events) {
      list.append(el("li", { class: `event ${e.tone}` },
        el("time", { datetime: e.day }, e.day), " ",
        el("strong", {}, e.title), e.detail ? el("span", { class: "detail" }, ` — ${e.detail}`) : ""));
    }
  }

  // A fact named *_day holding a day number (days since 1970-01-01) reads as a date.
  function fact(key, value) {
    if (typeof value !== "number") return String(value);
    if (key.endsWith("_day") && value > 3000) return new Date(value * 86400000).toISOString().slice(0, 10);
    return String(+value.toFixed(2));
  }

  async function health() {
    const card = document.getElementById("health-card");
    let h;
    try { h = await api(`/api/accounts/${encodeURIComponent(id)}/health`); } catch (e) { problem(e); return; }
    if (!h.history.length) { card.hidden = false; clear(document.getElementById("health")).append(el("p", { class: "hint" }, "No score: not a customer over the last twelve months.")); return; }
    card.hidden = false;
    const last = h.history[h.history.length - 1];
    const node = clear(document.getElementById("health"));
    node.append(
      el("p", {}, el("span", { class: `pill ${last.band}` }, last.health_score === null ? "no score" : Math.round(last.health_score)),
        ` as of ${last.as_of} · red below ${h.red_below}, green from ${h.green_from}`,
        last.missing.length ? el("span", { class: "hint" }, ` · left out (no data, weights renormalised): ${last.missing.join(", ")}`) : ""),
      el("div", { id: "health-chart", class: "chart small" }),
      el("div", { class: "scroll" }, el("table", { class: "grid", id: "health-parts" })));
    Tandem.table(document.getElementById("health-parts"), [
      { key: "title", label: "Component" },
      { key: "points", label: "Points", cls: "num", format: (c) => (c.points === null ? "—" : c.points.toFixed(1)) },
      { key: "score", label: "Sub-score", cls: "num", format: (c) => (c.score === null ? "—" : c.score.toFixed(0)) },
      { key: "share", label: "Weight", cls: "num", format: (c) => (c.share === null ? "—" : `${c.share.toFixed(0)}%`) },
      { key: "facts", label: "From", cls: "wide", format: (c) => Object.entries(c.facts).filter(([, v]) => v !== null).map(([k, v]) => `${k.replaceAll("_", " ")} ${fact(k, v)}`).join(", ") },
    ], last.components);
    const Plotly = await whenPlotly();
    const x = h.history.map((r) => r.as_of);
    const traces = last.components.map((c) => ({
      type: "bar", name: c.title, x, y: h.history.map((r) => (r.components.find((p) => p.name === c.name) || {}).points ?? 0),
    }));
    traces.push({ type: "scatter", mode: "lines+markers", name: "Score", x, y: h.history.map((r) => r.health_score), line: { color: "#111827", width: 2 } });
    await Plotly.newPlot(document.getElementById("health-chart"), traces, plotLayout({ barmode: "stack", yaxis: { range: [0, 100], title: { text: "points" } } }), plotConfig);
  }

  async function alerts() {
    try {
      const found = await api("/api/alerts", { account: id });
      if (!found.length) return;
      document.getElementById("alerts-card").hidden = false;
      Tandem.table(document.getElementById("account-alerts"), [
        { key: "raised_at", label: "Raised", format: (a) => a.raised_at.slice(0, 10) },
        { key: "subject", label: "What", format: (a) => [el("strong", {}, a.subject), el("br"), el("span", { class: "hint" }, a.reason)] },
        { key: "status", label: "Status", format: (a) => el("a", { href: `/alerts?status=${a.status}` }, a.status) },
      ], found);
    } catch (e) { problem(e); }
  }

  async function main() {
    health();
    alerts();
    try {
      const d = await api(`/api/accounts/${encodeURIComponent(id)}`);
      const a = d.account;
      document.title = `${a.name} · Tandem`;
      document.getElementById("account-name").textContent = a.name || a.account_id;
      document.getElementById("account-meta").textContent =
        [a.account_id, a.segment, a.region, a.industry, `as of ${d.as_of}`].filter(Boolean).join(" · ");
      facts(a);
      timeline(d.events);
      table(document.getElementById("subscriptions"), [
        { key: "valid_from", label: "From" }, { key: "valid_to", label: "To", format: (r) => r.valid_to || "running" },
        { key: "plan", label: "Plan" }, { key: "mrr", label: "MRR", cls: "num", format: (r) => fmt(r.mrr, "currency") },
        { key: "seats", label: "Seats", cls: "num" },
      ], d.subscriptions.slice().reverse(), { empty: "No subscriptions." });
      table(document.getElementById("onboardings"), [
        { key: "started_at", label: "Started", format: (r) => (r.started_at || "").slice(0, 10) },
        { key: "target_days", label: "Target days", cls: "num" },
        { key: "days", label: "Days taken", cls: "num" },
        { key: "late", label: "Late", format: (r) => (r.late ? el("span", { class: "pill red" }, "late") : "no") },
        { key: "status", label: "Status" },
      ], d.onboardings, { empty: "No onboarding." });
      table(document.getElementById("surveys"), [
        { key: "responded_at", label: "Date", format: (r) => (r.responded_at || "").slice(0, 10) },
        { key: "survey", label: "Survey" }, { key: "score", label: "Score", cls: "num" },
        { key: "category", label: "" }, { key: "comment", label: "Comment", format: (r) => r.comment || "" },
      ], d.surveys, { empty: "No survey responses." });
      table(document.getElementById("tickets"), [
        { key: "created_at", label: "Opened", format: (r) => (r.created_at || "").slice(0, 10) },
        { key: "resolved_at", label: "Resolved", format: (r) => (r.resolved_at || "open").slice(0, 10) },
        { key: "priority", label: "Priority" }, { key: "contacts", label: "Contacts", cls: "num" },
        { key: "escalated", label: "Escalated", format: (r) => (r.escalated ? el("span", { class: "pill red" }, "yes") : "no") },
      ], d.tickets, { empty: "No tickets." });
      await usage(d.usage);
    } catch (e) {
      problem(e);
      clear(document.getElementById("usage"));
    }
  }
  document.addEventListener("DOMContentLoaded", main);
})();
