// The shared scorecard: /api/scorecards/{name} for a period and a scope. Each tile links to
// its metric page for the same period and scope, where the accounts behind it are listed.
"use strict";
(() => {
  const { api, el, clear, problem, fmt, select, params, setParams, whenPlotly, plotLayout, plotConfig } = Tandem;
  const STATUS = { green: "On track", amber: "Watch", red: "Off track", none: "No target", no_value: "No value" };
  let state = {};
  let me = null;

  function readState() {
    const p = params();
    return { name: p.get("name") || "shared", period: p.get("period") || "", grain: p.get("grain") || "", scope: p.get("scope") || "" };
  }

  // The metric page's filter for a scope: csm:E1 → where=csm_id=E1.
  function whereOf(scope) {
    const [kind, value] = scope.split(/:(.*)/s);
    const column = { csm: "csm_id", rep: "sales_rep_id", segment: "segment" }[kind];
    return column && value ? [`${column}=${value}`] : [];
  }

  function sparkline(points, target, higher) {
    const values = points.map((p) => p.value).filter((v) => v !== null);
    const w = 120, h = 32, pad = 3;
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.setAttribute("class", "spark");
    svg.setAttribute("aria-hidden", "true");
    if (!values.length) return svg;
    const all = target === null || target === undefined ? values : [...values, target];
    let lo = Math.min(...all), hi = Math.max(...all);
    if (hi === lo) { hi += 1; lo -= 1; }
    const x = (i) => pad + (i * (w - 2 * pad)) / Math.max(1, points.length - 1);
    const y = (v) => h - pad - ((v - lo) * (h - 2 * pad)) / (hi - lo);
    if (target !== null && target !== undefined) {
      const line = document.createElementNS(svg.namespaceURI, "line");
      Object.entries({ x1: pad, x2: w - pad, y1: y(target), y2: y(target), class: "target" }).forEach(([k, v]) => line.setAttribute(k, v));
      svg.append(line);
    }
    let d = "";
    points.forEach((p, i) => { if (p.value !== null) d += `${d && points[i - 1] && points[i - 1].value !== null ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`; });
    const path = document.createElementNS(svg.namespaceURI, "path");
    path.setAttribute("d", d);
    svg.append(path);
    const last = points.length - 1;
    if (points[last] && points[last].value !== null) {
      const dot = document.createElementNS(svg.namespaceURI, "circle");
      Object.entries({ cx: x(last), cy: y(points[last].value), r: 2.5 }).forEach(([k, v]) => dot.setAttribute(k, v));
      svg.append(dot);
    }
    return svg;
  }

  function change(line) {
    if (line.change === null || line.change === undefined || line.change === 0) return "";
    const better = (line.change > 0) === line.higher_is_better;
    const size = line.unit === "percent" ? `${Math.abs(line.change).toFixed(1)} pts` : fmt(Math.abs(line.change), line.unit);
    const significance = line.change_test ? (line.change_test.significant ? " (significant)" : " (not significant)") : "";
    return el("span", { class: `change ${better ? "good" : "bad"}` }, `${line.change > 0 ? "▲" : "▼"} ${size}${significance}`);
  }

  function tile(line, card) {
    const query = new URLSearchParams({ grain: card.grain, period: card.period.start });
    whereOf(state.scope).forEach((w) => query.append("where", w));
    const status = line.status;
    const facts = [];
    if (line.target !== null && line.target !== undefined) facts.push(`target ${fmt(line.target, line.unit)}`);
    if (line.baseline && line.baseline.value !== null) facts.push(`baseline ${fmt(line.baseline.value, line.unit)}`);
    if (line.previous !== null && line.previous !== undefined) facts.push(`last ${fmt(line.previous, line.unit)}`);
    const survey = line.responses !== null && line.responses !== undefined
      ? el("div", { class: "hint" }, `${line.responses} responses`,
          line.interval ? ` · 95% ${fmt(line.interval.low, line.unit)}–${fmt(line.interval.high, line.unit)}` : "",
          line.low_confidence ? el("span", { class: "low-n", title: "fewer responses than min_survey_responses" }, " · low confidence") : "")
      : null;
    return el("a", {
      class: `tile metric status-${status}`, href: `/metrics/${encodeURIComponent(line.slug)}?${query}#explain`,
      dataset: { slug: line.slug, status }, title: `${line.description}\n${line.rule}`,
    },
      el("div", { class: "tile-top" }, el("span", { class: "name" }, line.name), el("span", { class: `pill ${status}` }, STATUS[status] || status)),
      el("div", { class: "value" }, fmt(line.value, line.unit), " ", change(line)),
      sparkline(line.trend, line.target, line.higher_is_better),
      el("div", { class: "hint" }, facts.join(" · ")),
      survey,
      el("div", { class: "badges" }, line.teams.map((t) => el("span", { class: `badge team team-${t}` }, t)),
        line.note ? el("span", { class: "hint" }, ` ${line.note}`) : ""));
  }

  // The running totals' span, with some air: the movements are small beside the totals.
  function waterfallRange(steps) {
    let level = 0;
    const seen = [];
    for (const s of steps) {
      if (s.kind === "total") level = s.amount;
      else level += s.kind === "decrease" ? -Math.abs(s.amount) : s.amount;
      seen.push(level);
    }
    const lo = Math.min(...seen), hi = Math.max(...seen);
    const air = Math.max((hi - lo) * 0.25, hi * 0.005);
    return [Math.max(0, lo - air), hi + air];
  }

  async function views(card) {
    const node = clear(document.getElementById("views"));
    if (card.waterfall) {
      node.append(el("section", { class: "card" }, el("h2", {}, `MRR movements, ${card.period.label}`), el("div", { id: "waterfall", class: "chart small" })));
    }
    if (card.trailing) {
      const t = card.trailing;
      node.append(el("section", { class: "card" }, el("h2", {}, "Trailing twelve months"),
        el("p", {}, `Net revenue retention ${fmt(t.net_revenue_retention, "percent")} · gross revenue retention ${fmt(t.gross_revenue_retention, "percent")} (${t.first_day} to ${t.last_day})`)));
    }
    if (card.lifetime) {
      const lv = card.lifetime;
      const predicted = lv.refused
        ? el("p", { class: "hint" }, `Predicted CLV: no figure (${lv.refused})`)
        : el("p", {}, `Predicted CLV over ${lv.horizon_weeks} weeks: ${fmt(lv.predicted_clv, "currency")} (mean of ${lv.accounts_scored} accounts that ordered)`);
      node.append(el("section", { class: "card" }, el("h2", {}, "Lifetime value"),
        el("p", {}, `Customer lifetime value (catalog): ${fmt(lv.simple_clv, "currency")}`),
        predicted, el("p", { class: "hint" }, lv.note)));
    }
    if (card.cohorts && card.cohorts.rows.length) {
      const table = el("table", { class: "grid cohort" });
      table.append(el("thead", {}, el("tr", {}, el("th", {}, "Cohort"), el("th", { class: "num" }, "Size"), card.cohorts.months.map((m) => el("th", { class: "num" }, `M${m}`)))));
      const body = el("tbody");
      for (const r of card.cohorts.rows) {
        body.append(el("tr", {}, el("td", {}, r.cohort), el("td", { class: "num" }, r.size),
          r.logo.map((v) => el("td", { class: "num heat", style: v === null ? "" : `--heat:${Math.max(0, Math.min(1, v / 100)).toFixed(2)}` }, v === null ? "" : `${v.toFixed(0)}%`))));
      }
      table.append(body);
      node.append(el("section", { class: "card" }, el("h2", {}, "Logo retention by signup month"), el("div", { class: "scroll" }, table)));
    }
    if (card.waterfall) {
      const Plotly = await whenPlotly();
      const steps = card.waterfall.steps;
      await Plotly.newPlot(document.getElementById("waterfall"), [{
        type: "waterfall", x: steps.map((s) => s.label), y: steps.map((s) => (s.kind === "decrease" ? -Math.abs(s.amount) : s.amount)),
        measure: steps.map((s) => (s.kind === "total" ? (s === steps[0] ? "absolute" : "total") : "relative")),
        connector: { line: { color: "#cbd5e1" } },
        increasing: { marker: { color: "#16a34a" } }, decreasing: { marker: { color: "#dc2626" } }, totals: { marker: { color: "#2563eb" } },
      }], plotLayout({ hovermode: "closest", showlegend: false, yaxis: { range: waterfallRange(steps), gridcolor: "#eceff3" } }), plotConfig);
    }
  }

  async function load() {
    problem(null);
    setParams({ name: state.name === "shared" ? "" : state.name, period: state.period, grain: state.grain, scope: state.scope });
    const node = document.getElementById("sections");
    node.setAttribute("aria-busy", "true");
    try {
      const card = await api(`/api/scorecards/${encodeURIComponent(state.name)}`, { period: state.period, grain: state.grain, scope: state.scope });
      document.getElementById("card-title").textContent = card.title;
      document.getElementById("card-sub").textContent = `${card.scope.label} · ${card.period.label} (${card.period.start} to ${card.period.end}) · against ${card.previous_period.label}`;
      document.getElementById("period").value = card.period.start.slice(0, 7);
      const counts = { green: 0, amber: 0, red: 0 };
      for (const s of card.sections) for (const l of s.lines) if (l.status in counts) counts[l.status] += 1;
      clear(document.getElementById("counts")).append(
        ...Object.entries(counts).map(([k, n]) => el("span", { class: `pill ${k}` }, `${n} ${STATUS[k].toLowerCase()}`)));
      clear(node);
      for (const s of card.sections) {
        node.append(el("section", { class: "card" }, el("h2", {}, s.title), s.note ? el("p", { class: "sub" }, s.note) : "",
          el("div", { class: "tiles metrics" }, s.lines.map((l) => tile(l, card)))));
      }
      await views(card);
    } catch (e) { problem(e); clear(node); }
  }

  async function scopes() {
    const pick = document.getElementById("scope");
    if (me.role === "member") {
      select(pick, [{ value: "mine", label: `My book (${me.member_name || me.member_id})` }], state.scope);
      pick.closest("label").querySelector("option[value='']").textContent = "Whole company";
      return;
    }
    const f = (await api("/api/accounts", { facets: true, per_page: 1 })).facets;
    const options = [
      ...f.segment.map((s) => ({ value: `segment:${s}`, label: `Segment: ${s}` })),
      ...f.csm.map((p) => ({ value: `csm:${p.id}`, label: `CSM: ${p.name || p.id}` })),
      ...f.sales_rep.map((p) => ({ value: `rep:${p.id}`, label: `Rep: ${p.name || p.id}` })),
    ];
    select(pick, options, state.scope);
  }

  async function main() {
    state = readState();
    try {
      me = await Tandem.whoami();
      const [cards] = await Promise.all([api("/api/scorecards"), scopes()]);
      select(document.getElementById("name"), cards.map((c) => c.name), state.name);
    } catch (e) { problem(e); }
    document.getElementById("grain").value = state.grain;
    const form = document.getElementById("picker");
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      state = { name: f.get("name") || "shared", period: f.get("period") || "", grain: f.get("grain") || "", scope: f.get("scope") || "" };
      load();
    });
    for (const name of ["name", "grain", "scope", "period"]) form.elements[name].addEventListener("change", () => form.requestSubmit());
    load();
  }
  document.addEventListener("DOMContentLoaded", main);
})();
