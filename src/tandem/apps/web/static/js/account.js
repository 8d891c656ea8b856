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

  async function main() {
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
