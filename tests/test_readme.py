"""The README's commands work as written, in a fresh shell, and the samples are the project's."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

README = ROOT / "README.md"


def _table_spans() -> list[str]:
    """The code spans of the "What you can do" table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## What you can do", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [span for row in rows for span in re.findall(r"`([^`]+)`", row)]


def _table_commands() -> list[str]:
    """Every command in the table (a code span that runs a program)."""
    return [span for span in _table_spans() if span.startswith(".venv/bin/")]


def _opens_a_server(command: str) -> bool:
    words = shlex.split(command)
    return Path(words[0]).name == "streamlit" or words[1:2] == ["serve"]


def test_the_readme_says_how_to_run_the_commands():
    text = README.read_text(encoding="utf-8")
    assert ". .venv/bin/activate" in text
    assert len(_table_commands()) >= 8
    # every command of the table runs from the virtual environment, as written
    for span in _table_spans():
        if re.match(r"(mapapp|streamlit|python3?) ", span):
            pytest.fail(f"README command without .venv/bin/: {span!r}")


COMMANDS = [c for c in _table_commands() if not _opens_a_server(c)]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of what the commands read, with .venv/bin pointing at this environment."""
    where = tmp_path_factory.mktemp("readme")
    shutil.copy(ROOT / "incidents.geojson", where)
    shutil.copytree(ROOT / "samples", where / "samples")
    shutil.copytree(ROOT / "stories", where / "stories")
    (where / ".venv").mkdir()
    (where / ".venv" / "bin").symlink_to(Path(sys.executable).parent)
    return where


@pytest.mark.parametrize("command", COMMANDS)
def test_each_readme_command_runs_as_written(checkout, command):
    # (a fresh shell: no virtual environment activated, the command's own words)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(checkout),
           "INCIDENT_MAP_CACHE": str(checkout / ".cache")}
    done = subprocess.run(shlex.split(command), cwd=checkout, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    for output in re.findall(r"-o (\S+)", command):
        assert (checkout / output).stat().st_size > 0


def test_the_readme_table_covers_every_subcommand_but_serve():
    words = {shlex.split(c)[1] for c in COMMANDS}
    assert {"export", "validate", "info", "import", "geocode", "gazetteer"} <= words


def test_the_samples_are_made_by_the_project_script(tmp_path):
    # the committed samples are exactly what tools/make_samples.py writes
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "make_samples.py"),
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("acled_sample.csv", "ucdp_ged_sample.csv"):
        assert (tmp_path / name).read_bytes() == (ROOT / "samples" / name).read_bytes()


@pytest.mark.parametrize(("name", "fmt"), [("acled_sample.csv", "acled"),
                                           ("ucdp_ged_sample.csv", "ucdp")])
def test_each_sample_imports_whole_in_its_layout(name, fmt):
    import geodata

    loaded = geodata.load(ROOT / "samples" / name, lenient=False)
    assert loaded.format == fmt
    assert 25 <= len(loaded.gdf) <= 40
    assert loaded.report.ok
    # clearly synthetic: every row says so
    text = (ROOT / "samples" / name).read_text(encoding="utf-8")
    assert text.count("Synthetic sample row") == len(loaded.gdf)


def test_the_readmes_pictures_are_there_described_and_small():
    from PIL import Image

    text = README.read_text(encoding="utf-8")
    pictures = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", text)
    paths = [path for _, path in pictures]
    assert {"docs/screenshots/page.png", "docs/screenshots/export-offline.png",
            "docs/story-step.png"} <= set(paths)
    for alt, path in pictures:
        assert len(alt) >= 40, path  # (it says what the picture shows)
        # the story's step is the export as it is, a 16:9 slide at 300 dpi
        assert (ROOT / path).stat().st_size < (800_000 if "story" in path else 400_000), path
        if path == "docs/story-step.png":
            with Image.open(ROOT / path) as image:
                assert image.size == (4000, 2250), path
        if path.startswith("docs/screenshots/"):
            with Image.open(ROOT / path) as image:
                assert image.size == (1400, 900), path
