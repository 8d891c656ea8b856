// Alerts: /api/alerts (a member sees their own), acknowledge and resolve with a note.
"use strict";
(() => {
  const { api, el, problem, table, params, setParams } = Tandem;
  let status = "";
  const SEVERITY = { critical: "red", high: "red", medium: "amber", low: "none" };

  async function act(alert, verb) {
    const note = prompt(verb === "ack" ? "Acknowledge: a note for the history (optional)" : "Resolve: what was done (optional)", "");
    if (note === null) return;
    try { await api(`/api/alerts/${alert.alert_id}/${verb}`, null, { method: "POST", json: { note } }); await load(); }
    catch (e) { problem(e); }
  }

  async function load() {
    problem(null);
    setParams({ status });
    try {
      const alerts = await api("/api/alerts", { status });
      document.getElementById("summary").textContent = `${alerts.length} alert${alerts.length === 1 ? "" : "s"}`;
      table(document.getElementById("alerts"), [
        { key: "raised_at", label: "Raised", cls: "nowrap", format: (a) => a.raised_at.slice(0, 10) },
        { key: "severity", label: "Severity", format: (a) => el("span", { class: `pill ${SEVERITY[a.severity] || "none"}` }, a.severity) },
        { key: "account_name", label: "Account", format: (a) => el("a", { href: `/accounts/${encodeURIComponent(a.account_id)}` }, a.account_name || a.account_id) },
        { key: "subject", label: "What", format: (a) => el("span", {}, el("strong", {}, a.subject || a.rule_id), el("br"), el("span", { class: "hint" }, a.reason)) },
        { key: "owner_name", label: "Owner", cls: "wide", format: (a) => [a.owner_name || a.owner_id || a.owner_role, a.escalated_to ? el("span", { class: "hint" }, ` → ${a.escalated_to_name || a.escalated_to}`) : ""] },
        { key: "status", label: "Status" },
        { key: "actions", label: "", format: (a) => [
          a.status === "open" ? el("button", { type: "button", class: "small", onclick: () => act(a, "ack") }, "Acknowledge") : "",
          a.status !== "resolved" ? el("button", { type: "button", class: "small", onclick: () => act(a, "resolve") }, "Resolve") : "",
        ] },
      ], alerts, { empty: "No alerts." });
    } catch (e) { problem(e); }
  }

  function main() {
    status = params().get("status") ?? "open";
    const pick = document.getElementById("status");
    pick.value = status;
    pick.addEventListener("change", () => { status = pick.value; load(); });
    load();
  }
  document.addEventListener("DOMContentLoaded", main);
})();
