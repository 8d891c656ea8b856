// Team pages (leaders): league tables of every CSM or sales rep (the scorecard compared
// across them), the NPS mix per CSM and onboarding days per CSM, all from the public API.
"use strict";
(() => {
  const { api, el, clear, problem, fmt, params, setParams, whenPlotly, plotLayout, plotConfig } = Tandem;
  const STATUS = { green: "on track", amber: "watch", red: "off track", none: "", no_value: "no value" };
  let state = {};

  function league(l) {
    const rows = l.entries.map((e, i) => el("tr", {},
      el("td", { class: "num" }, i + 1),
      el("td", {}, e.label),
      el("td", { class: "num" }, fmt(e.value, l.unit), e.low_confidence ? el("sup", { class: "low-n" }, " low n") : ""),
      el("td", { class: "num wide" }, fmt(e.previous, l.unit)),
      el("td", {}, el("span", { class: `pill ${e.status}` }, STATUS[e.status] ?? e.status)),
      el("td", { class: "num wide" }, e.responses ?? "")));
    const table = el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, el("th", { class: "num" }, "#"), el("th", {}, state.kind === "rep" ? "Sales rep" : "CSM"),
        el("th", { class: "num" }, "Value"), el("th", { class: "num wide" }, "Previous"), el("th", {}, "Status"), el("th", { class: "num wide" }, "Responses"))),
      el("tbody", {}, rows));
    return el("section", { class: "card league", dataset: { slug: l.slug } },
      el("h3", {}, el("a", { href: `/metrics/${encodeURIComponent(l.slug)}?by=${state.kind === "rep" ? "sales_rep" : "csm"}` }, l.name)),
      el("p", { class: "hint" }, `${l.reference_label}: ${fmt(l.reference, l.unit)} · ${l.higher_is_better ? "higher" : "lower"} is better`),
      el("div", { class: "scroll" }, table));
  }

  function quarterOf(period) {
    return `${period.slice(0, 5)}${String(Math.floor((+period.slice(5, 7) - 1) / 3) * 3 + 1).padStart(2, "0")}`;
  }

  // Every person against every metric, one coloured cell each: who is off track where.
  function matrix(leagues) {
    const people = new Map();
    for (const l of leagues) for (const e of l.entries) if (!people.has(e.label)) people.set(e.label, {});
    for (const l of leagues) for (const e of l.entries) people.get(e.label)[l.slug] = e;
    const head = el("tr", {}, el("th", {}, state.kind === "rep" ? "Sales rep" : "CSM"),
      leagues.map((l) => el("th", { class: "rot", title: l.name }, el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); show(l.slug); } }, l.name))));
    const rows = [...people.entries()].map(([label, cells]) => el("tr", {}, el("th", { scope: "row" }, label),
      leagues.map((l) => {
        const e = cells[l.slug];
        return el("td", { class: `cell ${e ? e.status : ""}`, title: e ? `${l.name}: ${fmt(e.value, l.unit)} (${STATUS[e.status] ?? e.status})` : "" }, e ? fmt(e.value, l.unit) : "");
      })));
    clear(document.getElementById("matrix")).append(el("table", { class: "grid matrix" }, el("thead", {}, head), el("tbody", {}, rows)));
  }

  let leagues = [];
  function show(slug) {
    const pick = document.getElementById("metric");
    pick.value = slug;
    const l = leagues.find((x) => x.slug === slug) || leagues[0];
    clear(document.getElementById("leagues")).append(league(l));
  }

  // Surveys go out quarterly: the latest of the last four quarters (up to the period) with answers.
  async function npsMix(period) {
    const first = `${+period.slice(0, 4) - 1}${period.slice(4, 7)}`;
    const body = await api("/api/metrics/nps", { by: "csm", grain: "quarter", from: quarterOf(first), to: period });
    const answered = body.rows.filter((r) => r.csm_id && r.nps_responses > 0);
    const quarter = answered.length ? answered.map((r) => r.period).sort().pop() : null;
    document.getElementById("nps-title").textContent = quarter ? `NPS mix per CSM, quarter from ${quarter.slice(0, 7)}` : "NPS mix per CSM: no answers in the last four quarters";
    const rows = answered.filter((r) => r.period === quarter).sort((a, b) => (b.value ?? -999) - (a.value ?? -999));
    const y = rows.map((r) => r.csm_name || r.csm_id);
    const share = (k) => rows.map((r) => (100 * r[k]) / r.nps_responses);
    const Plotly = await whenPlotly();
    const node = clear(document.getElementById("nps-mix"));
    node.style.height = `${Math.max(260, 26 * rows.length + 80)}px`;
    await Plotly.newPlot(node, [
      { type: "bar", orientation: "h", name: "Detractors", y, x: share("detractors"), marker: { color: "#dc2626" } },
      { type: "bar", orientation: "h", name: "Passives", y, x: share("passives"), marker: { color: "#cbd5e1" } },
      { type: "bar", orientation: "h", name: "Promoters", y, x: share("promoters"), marker: { color: "#16a34a" } },
    ], plotLayout({ barmode: "stack", hovermode: "closest", xaxis: { range: [0, 100], title: { text: "% of responses" } }, yaxis: { autorange: "reversed", automargin: true }, margin: { l: 130, r: 16, t: 8, b: 60 } }), plotConfig);
  }

  async function onboarding(period) {
    const quarterStart = quarterOf(period);
    const body = await api("/api/metrics/days_to_onboard", { by: "csm", grain: "quarter", from: quarterStart, to: period });
    const rows = body.rows.filter((r) => r.csm_id && r.value !== null).sort((a, b) => b.value - a.value);
    document.getElementById("onboarding-title").textContent = `Days to onboard per CSM, quarter from ${quarterStart}`;
    const Plotly = await whenPlotly();
    const node = clear(document.getElementById("onboarding"));
    node.style.height = `${Math.max(260, 26 * rows.length + 80)}px`;
    await Plotly.newPlot(node, [{
      type: "bar", orientation: "h", y: rows.map((r) => r.csm_name || r.csm_id), x: rows.map((r) => r.value),
      marker: { color: "#2563eb" }, name: "median days",
    }], plotLayout({ hovermode: "closest", xaxis: { title: { text: "median days to go live" } }, yaxis: { autorange: "reversed", automargin: true }, margin: { l: 130, r: 16, t: 8, b: 60 } }), plotConfig);
  }

  async function load() {
    problem(null);
    setParams({ kind: state.kind, period: state.period });
    const node = document.getElementById("leagues");
    node.setAttribute("aria-busy", "true");
    try {
      const card = await api("/api/scorecards/shared", { compare: state.kind, views: false, period: state.period });
      const period = card.period.start.slice(0, 7);
      document.getElementById("period").value = period;
      document.getElementById("teams-sub").textContent = `${card.comparison.title} · ${card.period.label}`;
      leagues = card.comparison.leagues;
      const pick = document.getElementById("metric");
      const current = pick.value;
      Tandem.select(pick, leagues.map((l) => ({ value: l.slug, label: l.name })), current);
      const firstRed = leagues.find((l) => l.entries.some((e) => e.status === "red"));
      show(current && leagues.some((l) => l.slug === current) ? current : (firstRed || leagues[0]).slug);
      matrix(leagues);
      await Promise.all([npsMix(period), onboarding(period)]);
    } catch (e) { problem(e); clear(node); }
  }

  function main() {
    const p = params();
    state = { kind: p.get("kind") || "csm", period: p.get("period") || "" };
    const form = document.getElementById("picker");
    form.elements.kind.value = state.kind;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      state = { kind: form.elements.kind.value, period: form.elements.period.value };
      load();
    });
    for (const name of ["kind", "period"]) form.elements[name].addEventListener("change", () => form.requestSubmit());
    document.getElementById("metric").addEventListener("change", (ev) => show(ev.target.value));
    load();
  }
  document.addEventListener("DOMContentLoaded", main);
})();
