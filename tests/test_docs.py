"""The user docs: every README example runs as written and shows a value; every file the
docs cite is in the project."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tandem.service.workspace import Workspace
from tandem.synth import SynthConfig, generate

ROOT = Path(__file__).resolve().parents[1]
TANDEM = Path(sys.executable).parent / "tandem"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def examples(text: str) -> list[str]:
    """``tandem …`` lines of the bash blocks, comments dropped, continuations joined."""
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line.startswith("tandem "):
                out.append(line)
    return out


def readme_examples() -> list[str]:
    return [e for e in examples((ROOT / "README.md").read_text()) if "--workspace demo" in e]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company as ``make demo`` makes it, in a folder named ``demo``."""
    root = tmp_path_factory.mktemp("readme")
    generate(SynthConfig(accounts=2000, months=24, seed=7), root / "demo" / "data")
    subprocess.run([str(TANDEM), "init", "-w", str(root / "demo")], check=True,
                   capture_output=True)  # fmt: skip
    with Workspace(root / "demo") as ws:
        ws.load([root / "demo" / "data"])
    return root


def test_the_readme_has_examples_on_the_demo() -> None:
    assert len(readme_examples()) >= 15


@pytest.mark.parametrize("example", readme_examples())
def test_every_readme_example_runs_and_shows_a_value(demo: Path, example: str) -> None:
    done = subprocess.run(
        [str(TANDEM), *shlex.split(example)[1:]],
        cwd=demo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (example, done.stderr)
    shown = done.stdout + "".join(p.read_text() for p in demo.glob("*.html"))
    assert re.search(r"\d", shown), (example, shown[:500])
    if example.split()[1] in ("metric", "explain", "summary"):
        assert "no value" not in done.stdout, example


_LINK = re.compile(r"\]\(([^)#\s]+)\)")
_FILE = re.compile(r"`([\w./-]+\.(?:py|md|yml|yaml|toml|json|j2|png|sh))`")
#: Files of a user's workspace or machine that the docs name, not files of the project.
WORKSPACE_FILES = {
    "tandem.toml", "alerts.yml", "shared.yml", "manifest.json", "state.sqlite",
    "README.md", "review.yml", "part-0.parquet", "CDNOW_sample.txt", "PROVENANCE.md",
}  # fmt: skip
_PROJECT = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file()]


def _exists(doc: Path, cited: str) -> bool:
    if (doc.parent / cited).exists() or (ROOT / cited).exists():
        return True
    return any(p == cited or p.endswith("/" + cited.lstrip("./")) for p in _PROJECT)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_docs_cite_only_files_in_the_project(doc: Path) -> None:
    text = doc.read_text()
    cited = [c for c in _LINK.findall(text) if not c.startswith(("http", "mailto:"))]
    cited += [c for c in _FILE.findall(text) if Path(c).name not in WORKSPACE_FILES]
    missing = sorted({c for c in cited if not _exists(doc, c)})
    assert not missing, f"{doc.name} cites files not in the project: {missing}"
