// Users (admin): list /api/users, add with POST, remove with DELETE.
"use strict";
(() => {
  const { api, el, problem, table } = Tandem;

  async function load() {
    const users = await api("/api/users");
    table(document.getElementById("users"), [
      { key: "username", label: "User" }, { key: "role", label: "Role" },
      { key: "member_id", label: "Team member", format: (u) => u.member_id || "—" },
      { key: "tokens", label: "API tokens", cls: "num" },
      { key: "created_at", label: "Created", format: (u) => u.created_at.slice(0, 10) },
      { key: "actions", label: "", format: (u) => el("button", { type: "button", class: "link danger", onclick: () => remove(u.username) }, "Remove") },
    ], users);
  }

  async function remove(username) {
    if (!confirm(`Remove ${username}? Their sessions and tokens stop working at once.`)) return;
    try { await api(`/api/users/${encodeURIComponent(username)}`, null, { method: "DELETE" }); await load(); }
    catch (e) { problem(e); }
  }

  async function main() {
    try { await load(); } catch (e) { problem(e); }
    const form = document.getElementById("add-user");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      problem(null);
      const f = new FormData(form);
      const body = { username: f.get("username"), password: f.get("password"), role: f.get("role") };
      if (f.get("member_id")) body.member_id = f.get("member_id");
      try { await api("/api/users", null, { method: "POST", json: body }); form.reset(); await load(); }
      catch (e) { problem(e); }
    });
  }
  document.addEventListener("DOMContentLoaded", main);
})();
