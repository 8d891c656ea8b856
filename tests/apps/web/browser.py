"""What the browser tests share: a live server, Debian's Chromium, and a strict page watcher.

The server is the real application on Uvicorn in a thread; the browser is
``/usr/bin/chromium`` (Debian's package, installed by ``make system``), driven by
Playwright's sync API; never a downloaded browser. A :class:`Watch` collects
every console error, page error, failed request and HTTP error response; a test
fails on any it did not expect. Screenshots go to ``build/screenshots`` (or
``$TANDEM_SCREENSHOTS``), kept as test artifacts.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import ConsoleMessage, Page, Request, Response

LAPTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(
    os.environ.get("TANDEM_SCREENSHOTS", Path(__file__).parents[3] / "build" / "screenshots")
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by Uvicorn on a free local port, for the length of the block."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Watch:
    """Everything that went wrong on a page; ``allow`` lists URL parts expected to fail."""

    problems: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _allowed(self, url: str) -> bool:
        return any(part in url for part in self.allow)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not self._allowed(
            message.location.get("url", "") + message.text
        ):
            self.problems.append(f"console error: {message.text} at {message.location}")

    def _failed(self, request: Request) -> None:
        if not self._allowed(request.url):
            self.problems.append(
                f"request failed: {request.method} {request.url} {request.failure}"
            )

    def _response(self, response: Response) -> None:
        if response.status >= 400 and not self._allowed(response.url):
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot kept as a test artifact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
