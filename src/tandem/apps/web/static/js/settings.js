// Settings in force (/api/settings); admins change metric knobs with PATCH /api/settings.
"use strict";
(() => {
  const { api, el, clear, problem } = Tandem;

  function input(section, s, admin) {
    const name = `${section}.${s.name}`;
    if (!admin || !s.editable) return el("code", {}, JSON.stringify(s.value));
    const value = typeof s.value === "object" ? JSON.stringify(s.value) : String(s.value);
    return el("input", { name, value, "aria-label": name, dataset: { kind: typeof s.value, original: value }, size: Math.min(40, Math.max(6, value.length + 2)) });
  }

  function parse(node) {
    const kind = node.dataset.kind;
    if (kind === "number") return Number(node.value);
    if (kind === "boolean") return node.value === "true";
    if (kind === "object") return JSON.parse(node.value);
    return node.value;
  }

  async function render(form, admin) {
    const view = await api("/api/settings");
    clear(form);
    for (const section of view.sections) {
      const rows = section.settings.map((s) => el("tr", {},
        el("th", { scope: "row" }, el("code", {}, s.name)),
        el("td", {}, input(section.name, s, admin)),
        el("td", { class: "hint" }, s.description)));
      form.append(el("section", { class: "card" },
        el("h2", {}, `[${section.name}]`), el("p", { class: "sub" }, section.description),
        el("div", { class: "scroll" }, el("table", { class: "grid settings" }, el("tbody", {}, rows)))));
    }
    if (admin) form.append(el("p", {}, el("button", { type: "submit", class: "primary" }, "Save metric knobs"), " ", el("span", { id: "saved", class: "hint" })));
  }

  async function main() {
    const form = document.getElementById("settings");
    const admin = form.dataset.admin === "yes";
    try { await render(form, admin); } catch (e) { problem(e); }
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      problem(null);
      const changes = {};
      try {
        for (const node of form.querySelectorAll("input[name]")) {
          if (node.value === node.dataset.original) continue;
          const [section, key] = node.name.split(".");
          (changes[section] ||= {})[key] = parse(node);
        }
      } catch (e) { problem(new Error(`Not a valid value: ${e.message}`)); return; }
      if (!Object.keys(changes).length) { document.getElementById("saved").textContent = "Nothing changed."; return; }
      try {
        await api("/api/settings", null, { method: "PATCH", json: changes });
        await render(form, admin);
        document.getElementById("saved").textContent = "Saved: the new values apply to every number from now on.";
      } catch (e) { problem(e); }
    });
  }
  document.addEventListener("DOMContentLoaded", main);
})();
