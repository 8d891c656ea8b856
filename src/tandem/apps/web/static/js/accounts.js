// The account list: /api/accounts with filters, search, sort and pages mirrored in the URL.
"use strict";
(() => {
  const { api, el, clear, problem, fmt, table, select, params, setParams } = Tandem;
  const FILTERS = ["q", "segment", "region", "plan", "csm", "sales_rep", "status", "band"];
  const SORTABLE = { name: "name", mrr: "mrr", health: "health", segment: "segment", plan: "plan", csm: "csm", sales_rep: "sales_rep", status: "status" };
  let state = {};
  let facetsLoaded = false;

  function readState() {
    const p = params();
    const s = { sort: p.get("sort") || "mrr", order: p.get("order") || "desc", page: +(p.get("page") || 1) };
    for (const f of FILTERS) s[f] = p.get(f) || "";
    return s;
  }

  function fillFacets(f) {
    const form = document.getElementById("filters");
    for (const name of ["segment", "region", "plan"]) select(form.elements[name], f[name], state[name]);
    select(form.elements.band, f.health_band, state.band);
    select(form.elements.csm, f.csm.map((p) => ({ value: p.id, label: p.name || p.id })), state.csm);
    select(form.elements.sales_rep, f.sales_rep.map((p) => ({ value: p.id, label: p.name || p.id })), state.sales_rep);
    form.elements.q.value = state.q;
    form.elements.status.value = state.status;
    form.elements.band.closest("label").hidden = !f.health_band.length;
  }

  function header(label, key) {
    if (!key) return label;
    const active = state.sort === key;
    const arrow = active ? (state.order === "desc" ? " ▼" : " ▲") : "";
    return el("a", {
      href: "#", class: "sort", "aria-sort": active ? (state.order === "desc" ? "descending" : "ascending") : undefined,
      onclick: (e) => {
        e.preventDefault();
        state.order = active && state.order === "desc" ? "asc" : (active ? "desc" : (key === "name" ? "asc" : "desc"));
        state.sort = key;
        state.page = 1;
        load();
      },
    }, label + arrow);
  }

  function band(row) {
    if (row.health_score === null || row.health_score === undefined) return "—";
    return el("span", { class: `pill ${row.health_band || ""}` }, `${Math.round(row.health_score)}`);
  }

  async function load() {
    problem(null);
    const query = { sort: state.sort, order: state.order, page: state.page, per_page: 50 };
    for (const f of FILTERS) query[f] = state[f];
    setParams(Object.assign({}, query, { per_page: "" }));
    const node = document.getElementById("accounts");
    node.setAttribute("aria-busy", "true");
    try {
      const data = await api("/api/accounts", Object.assign({ facets: !facetsLoaded }, query));
      if (data.facets) { fillFacets(data.facets); facetsLoaded = true; }
      document.getElementById("summary").textContent =
        `${data.total.toLocaleString("en")} accounts · MRR ${fmt(data.total_mrr, "currency")} on ${data.as_of}`;
      const hasHealth = data.rows.some((r) => r.health_score !== null);
      const columns = [
        { key: "name", label: header("Account", "name"), format: (r) => el("a", { href: `/accounts/${encodeURIComponent(r.account_id)}` }, r.name || r.account_id) },
        hasHealth || state.sort === "health" ? { key: "health_score", label: header("Health", "health"), format: band, cls: "num" } : null,
        { key: "mrr", label: header("MRR", "mrr"), cls: "num", format: (r) => fmt(r.mrr, "currency") },
        { key: "status", label: header("Status", "status"), format: (r) => el("span", { class: `status ${r.status}` }, r.status) },
        { key: "segment", label: header("Segment", "segment"), cls: "wide" },
        { key: "plan", label: header("Plan", "plan"), cls: "wide" },
        { key: "csm_name", label: header("CSM", "csm"), cls: "wide", format: (r) => r.csm_name || r.csm_id || "—" },
        { key: "sales_rep_name", label: header("Sales rep", "sales_rep"), cls: "wide", format: (r) => r.sales_rep_name || r.sales_rep_id || "—" },
        { key: "region", label: "Region", cls: "wide" },
      ].filter(Boolean);
      table(node, columns, data.rows, { empty: "No account matches these filters." });
      pager(data);
    } catch (e) { problem(e); clear(node); }
  }

  function pager(data) {
    const nav = clear(document.getElementById("pager"));
    const go = (page) => el("a", { href: "#", onclick: (e) => { e.preventDefault(); state.page = page; load(); window.scrollTo(0, 0); } });
    if (data.page > 1) nav.append(Object.assign(go(data.page - 1), { textContent: "← Previous" }));
    nav.append(el("span", {}, ` Page ${data.page} of ${data.pages} `));
    if (data.page < data.pages) nav.append(Object.assign(go(data.page + 1), { textContent: "Next →" }));
  }

  async function main() {
    state = readState();
    const me = await Tandem.whoami().catch(() => null);
    if (me && me.role === "member") {
      for (const label of document.querySelectorAll("[data-people]")) label.hidden = true;
    }
    const form = document.getElementById("filters");
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      for (const f of FILTERS) state[f] = (form.elements[f].value || "").trim();
      state.page = 1;
      load();
    });
    for (const f of FILTERS.filter((x) => x !== "q")) form.elements[f].addEventListener("change", () => form.requestSubmit());
    load();
  }
  document.addEventListener("DOMContentLoaded", main);
})();
