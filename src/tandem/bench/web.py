"""The dashboard under load: API latency with concurrent clients, and first paint in Chromium.

``python -m tandem.bench.web WORKSPACE [--day FILE]`` (or the ``web`` step of
``tandem bench``) serves the workspace with ``tandem serve`` in its own process
and measures, with ``clients`` concurrent clients (threads, one keep-alive
connection each, an API token):

- **warm**: the result cache and the server's answers filled by two passes of
  the same requests, the book of accounts built; p50 / p95 / max per kind of
  request: the scorecard (when the server has it), a metric page's series, the
  account list (pages, filters, sorts);
- **cold**: nothing kept (the result cache and ``[web] response_cache`` off):
  every metric request computed from the store, every account list queried
  from the book; and, apart, the first account-list request after the server
  starts (the book built);
- **during a load**: the warm mix while ``tandem load`` adds one more day of
  usage events, with the errors counted;
- **first paint**: first-contentful-paint of each page in Debian's Chromium
  (a fresh browser context: nothing cached), after logging in.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLIENTS = 20
#: Requests per client in each measured pass.
PER_CLIENT = 15
SLUGS = (
    "nps",
    "customer_churn_rate",
    "net_revenue_retention",
    "mrr",
    "csat",
    "days_to_onboard",
    "adoption_rate",
    "first_contact_resolution",
)
SORTS = ("mrr", "name", "segment", "csm", "status")
#: Debian's Chromium and the flags it needs headless on a machine with no network
#: (the benchmark's first paint and the browser tests share them).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] web: {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    proc: subprocess.Popen[bytes]
    started_seconds: float

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serve(workspace: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``tandem serve`` in its own process, with a throwaway secret; stopped after the block."""
    port = _free_port()
    environ = {**os.environ, "TANDEM_WEB_SECRET": secrets.token_urlsafe(48), **(env or {})}
    started = time.perf_counter()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the server stops
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tandem.apps.cli",
            "serve",
            "--workspace",
            str(workspace),
            "--port",
            str(port),
        ],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    err = log.read().decode(errors="replace")
                    raise RuntimeError(f"the server did not start: {err[-2000:]}") from None
                time.sleep(0.1)
        yield Server(port, proc, time.perf_counter() - started)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.seek(0)
        errors = log.read().decode(errors="replace")
        log.close()
        if errors.strip():
            _say(f"server log: {errors[-1500:]}")


def _requests(kind: str, n: int, seed: int, segments: tuple[str | None, ...]) -> list[str]:
    """``n`` paths of one kind, varied the way people click (pages, filters, sorts)."""
    out = []
    for i in range(n):
        k = i + seed
        if kind == "metric":
            slug = SLUGS[k % len(SLUGS)]
            by = "&by=segment" if k % 3 == 1 else ""
            out.append(f"/api/metrics/{slug}?grain=month{by}")
        elif kind == "accounts":
            segment = segments[k % len(segments)]
            page = 1 + (k * 7) % 40
            sort = SORTS[k % len(SORTS)]
            filt = f"&segment={segment}" if segment else ""
            out.append(f"/api/accounts?sort={sort}&page={page}{filt}")
        elif kind == "scorecard":
            out.append("/api/scorecards/shared")
        else:
            raise ValueError(kind)
    return out


@dataclass
class Pass:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0

    def summary(self) -> dict[str, Any]:
        times = sorted(self.seconds)
        if not times:
            return {"requests": 0, "errors": len(self.errors), "first_errors": self.errors[:3]}
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        return {
            "requests": len(times),
            "errors": len(self.errors),
            "first_errors": self.errors[:3],
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(p95 * 1000, 1),
            "max_ms": round(times[-1] * 1000, 1),
            "per_second": round(len(times) / self.wall, 1) if self.wall else None,
        }


def hammer(
    server: Server,
    token: str,
    kind: str,
    clients: int = CLIENTS,
    per_client: int = PER_CLIENT,
    until: threading.Event | None = None,
    segments: tuple[str | None, ...] = (None,),
) -> Pass:
    """``clients`` threads, each sending its share of requests (or until ``until`` is set)."""
    result = Pass()
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"}

    def client(number: int) -> None:
        con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        paths = _requests(kind, per_client, seed=number * per_client, segments=segments)
        i = 0
        try:
            while True:
                if until is None and i >= len(paths):
                    break
                if until is not None and until.is_set():
                    break
                path = paths[i % len(paths)]
                i += 1
                start = time.perf_counter()
                try:
                    con.request("GET", path, headers=headers)
                    response = con.getresponse()
                    body = response.read()
                    took = time.perf_counter() - start
                    with lock:
                        if response.status == 200:
                            result.seconds.append(took)
                        else:
                            result.errors.append(f"{response.status} {path} {body[:200]!r}")
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        result.errors.append(f"{type(exc).__name__} {path}")
                    con.close()
                    con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        finally:
            con.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.wall = time.perf_counter() - started
    return result


def _one(server: Server, token: str, path: str) -> tuple[int, float]:
    con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    try:
        start = time.perf_counter()
        con.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = con.getresponse()
        response.read()
        return response.status, time.perf_counter() - start
    finally:
        con.close()


def _segments(server: Server, token: str) -> list[str]:
    """The workspace's segments, for the account-list filters the clients use."""
    con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    try:
        con.request(
            "GET",
            "/api/accounts?facets=true&per_page=1",
            headers={"Authorization": f"Bearer {token}"},
        )
        facets = json.loads(con.getresponse().read())["facets"]
    finally:
        con.close()
    return list(facets["segment"])


def _has(server: Server, token: str, path: str) -> bool:
    return _one(server, token, path)[0] == 200


def _user(workspace: Path) -> tuple[str, str, str]:
    from tandem.state.users import Role, Users

    users = Users(workspace)
    password = secrets.token_urlsafe(16)
    users.add("bench", password, Role.LEADER, replace=True)
    return "bench", password, users.create_token("bench", "benchmark")


def _kinds(server: Server, token: str) -> list[str]:
    kinds = ["metric", "accounts"]
    if _has(server, token, "/api/scorecards/shared"):
        kinds.insert(0, "scorecard")
    return kinds


def _paints(page: Any) -> dict[str, float]:
    """The page's paint timings, once the first contentful paint is recorded (up to 10 s).

    Polled from here: the pages' CSP forbids the string evaluation ``wait_for_function``
    would need.
    """
    deadline = time.monotonic() + 10
    while True:
        found = dict(
            page.evaluate("performance.getEntriesByType('paint').map(p => [p.name, p.startTime])")
        )
        if "first-contentful-paint" in found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def first_paint(server: Server, username: str, password: str, pages: list[str]) -> dict[str, Any]:
    """First-contentful-paint (ms) of each page in a fresh Chromium context, logged in."""
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for page_path in pages:
                context = browser.new_context(viewport={"width": 1366, "height": 860})
                page = context.new_page()
                page.goto(f"{server.base}/login")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
                page.wait_for_load_state("load")
                page.goto(server.base + page_path, wait_until="load")
                paints = _paints(page)
                nav = page.evaluate(
                    "(() => { const n = performance.getEntriesByType('navigation')[0];"
                    " return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd]; })()"
                )
                out[page_path] = {
                    "first_contentful_paint_ms": round(paints.get("first-contentful-paint", -1), 1),
                    "response_end_ms": round(nav[0], 1),
                    "dom_content_loaded_ms": round(nav[1], 1),
                    "load_ms": round(nav[2], 1),
                }
                context.close()
        finally:
            browser.close()
    return out


def measure(
    workspace: Path,
    *,
    day: Path | None = None,
    clients: int = CLIENTS,
    per_client: int = PER_CLIENT,
    paint: bool = True,
) -> dict[str, Any]:
    """Every web figure for one workspace (which gets a 'bench' user)."""
    username, password, token = _user(workspace)
    figures: dict[str, Any] = {"clients": clients, "per_client": per_client}

    with serve(workspace) as server:
        figures["server_start_seconds"] = round(server.started_seconds, 2)
        _, took = _one(server, token, "/api/accounts")
        figures["book_build_ms"] = round(took * 1000, 1)
        mix = (None, *_segments(server, token))
        kinds = _kinds(server, token)
        warm: dict[str, Any] = {}
        for kind in kinds:
            _say(f"warm {kind}")
            for _ in range(2):  # fill the caches and the pool of open workspaces
                hammer(server, token, kind, clients=clients, per_client=per_client, segments=mix)
            warm[kind] = hammer(
                server, token, kind, clients=clients, per_client=per_client, segments=mix
            ).summary()
        figures["warm"] = warm
        if paint and Path(CHROMIUM).exists():
            pages = ["/", "/accounts", "/metrics/nps", "/definitions"]
            _say("first paint")
            figures["first_paint"] = first_paint(server, username, password, pages)

    nothing_kept = {"TANDEM__CACHE__MODE": "off", "TANDEM__WEB__RESPONSE_CACHE": "false"}
    with serve(workspace, nothing_kept) as server:
        cold: dict[str, Any] = {}
        for kind in kinds:
            _say(f"cold {kind}")
            if kind == "accounts":
                hammer(server, token, kind, clients=1, per_client=1)  # the book, once per load
            # A whole scorecard computed from the store is seconds of work: one per client.
            share = 1 if kind == "scorecard" else per_client
            cold[kind] = hammer(
                server, token, kind, clients=clients, per_client=share, segments=mix
            ).summary()
        figures["cold"] = cold

    if day is not None:
        with serve(workspace) as server:
            for kind in kinds:
                hammer(server, token, kind, clients=clients, per_client=2, segments=mix)
            done = threading.Event()
            passes: dict[str, Pass] = {}

            def run(kind: str, share: int) -> None:
                passes[kind] = hammer(server, token, kind, clients=share, until=done, segments=mix)

            share = max(1, clients // len(kinds))
            workers = [threading.Thread(target=run, args=(k, share)) for k in kinds]
            for w in workers:
                w.start()
            _say("during a load")
            started = time.perf_counter()
            load = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tandem.apps.cli",
                    "load",
                    str(day),
                    "--workspace",
                    str(workspace),
                ],
                capture_output=True,
                text=True,
            )
            load_seconds = time.perf_counter() - started
            time.sleep(1.0)
            done.set()
            for w in workers:
                w.join()
            figures["during_load"] = {
                "load_seconds": round(load_seconds, 2),
                "load_exit": load.returncode,
                "load_error": load.stderr.strip().splitlines()[-1] if load.returncode else "",
                **{k: p.summary() for k, p in passes.items()},
            }
    return figures


def _ms(figures: dict[str, Any], key: str) -> str:
    value = figures.get(key)
    return "—" if value is None else f"{value} ms"


def lines(figures: dict[str, Any]) -> list[str]:
    """The web section of the benchmark report (Markdown lines)."""
    out = [
        f"### Dashboard and API ({figures['clients']} concurrent clients)",
        "",
        "| request | warm p50 | warm p95 | cold p50 | cold p95 | requests/s warm |",
        "|---|---|---|---|---|---|",
    ]
    for kind, warm in figures.get("warm", {}).items():
        cold = figures.get("cold", {}).get(kind, {})
        out.append(
            f"| {kind} | {_ms(warm, 'p50_ms')} | {_ms(warm, 'p95_ms')} | "
            f"{_ms(cold, 'p50_ms')} | {_ms(cold, 'p95_ms')} | {warm.get('per_second')} |"
        )
    failed = {
        kind: f
        for kind, f in figures.get("cold", {}).items()
        if f.get("errors") and f.get("p50_ms") is None
    }
    for kind, f in failed.items():
        reasons = sorted({e.split(" ")[0] for e in f.get("first_errors", [])})
        out += [
            "",
            f"Cold {kind}: no answer among {f['errors']} requests ({', '.join(reasons)}): "
            "each computes the whole scorecard from nothing at once.",
        ]
    out += [
        "",
        f"The book of accounts, built on the first list request after a load: "
        f"{figures.get('book_build_ms')} ms.",
    ]
    during = figures.get("during_load")
    if during:
        out += [
            "",
            f"During a load of one more day of events ({during['load_seconds']} s, exit "
            f"{during['load_exit']}{': ' + during['load_error'] if during['load_error'] else ''}):",
        ]
        for kind in figures.get("warm", {}):
            s = during.get(kind, {})
            out.append(
                f"- {kind}: p95 {s.get('p95_ms')} ms over {s.get('requests')} answers, "
                f"{s.get('errors')} errors"
            )
    paint = figures.get("first_paint")
    if paint:
        out += ["", "| page | first contentful paint | DOM ready | load |", "|---|---|---|---|"]
        for page, p in paint.items():
            out.append(
                f"| `{page}` | {p['first_contentful_paint_ms']} ms | "
                f"{p['dom_content_loaded_ms']} ms | {p['load_ms']} ms |"
            )
    return out


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tandem.bench.web")
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--day", type=Path, help="A file to load while the clients run.")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--per-client", type=int, default=PER_CLIENT)
    parser.add_argument("--no-paint", action="store_true")
    args = parser.parse_args(argv)
    figures = measure(
        args.workspace,
        day=args.day,
        clients=args.clients,
        per_client=args.per_client,
        paint=not args.no_paint,
    )
    print(json.dumps(figures, indent=1))
    print("\n".join(lines(figures)), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
