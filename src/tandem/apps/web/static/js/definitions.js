// The definitions page: /api/catalog, grouped by domain, filtered as you type.
"use strict";
(() => {
  const { api, el, clear, problem } = Tandem;

  function card(m) {
    const knobs = Object.entries(m.knobs);
    return el("article", { class: "definition card", id: m.slug, dataset: { text: `${m.slug} ${m.name} ${m.definition}`.toLowerCase() } },
      el("h3", {}, el("a", { href: `/metrics/${encodeURIComponent(m.slug)}` }, m.name), " ", el("code", {}, m.slug)),
      el("p", { class: "badges" },
        el("span", { class: "badge" }, m.unit),
        el("span", { class: "badge" }, m.direction),
        m.teams.map((t) => el("span", { class: `badge team team-${t}` }, t)),
        m.company_wide ? el("span", { class: "badge" }, "company-wide") : null),
      el("p", {}, m.definition),
      el("p", { class: "hint" }, "Components: ", m.components.join(", ")),
      knobs.length ? el("p", { class: "hint" }, "Settings: ", knobs.map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join("; ")) : null);
  }

  async function main() {
    const node = document.getElementById("catalog");
    try {
      const catalog = await api("/api/catalog");
      clear(node);
      const domains = new Map();
      for (const m of catalog.metrics) {
        if (!domains.has(m.domain)) domains.set(m.domain, []);
        domains.get(m.domain).push(m);
      }
      for (const [domain, items] of domains) {
        node.append(el("section", { class: "domain" },
          el("h2", {}, domain.charAt(0).toUpperCase() + domain.slice(1)),
          el("div", { class: "cards" }, items.map(card))));
      }
      node.append(el("p", { class: "hint" }, `Dimensions to cut by: ${catalog.dimensions.join(", ")}.`));
      const find = document.getElementById("find");
      find.addEventListener("input", () => {
        const words = find.value.toLowerCase().split(/\s+/).filter(Boolean);
        for (const c of node.querySelectorAll(".definition")) {
          c.hidden = !words.every((w) => c.dataset.text.includes(w));
        }
        for (const s of node.querySelectorAll(".domain")) {
          s.hidden = !s.querySelector(".definition:not([hidden])");
        }
      });
    } catch (e) { problem(e); clear(node); }
  }
  document.addEventListener("DOMContentLoaded", main);
})();
