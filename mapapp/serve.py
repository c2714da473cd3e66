"""``mapapp serve``: run the Streamlit page, as ``streamlit run mapapp/app.py`` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
ROOT = Path(__file__).resolve().parents[1]


def streamlit_command(file: str | None = None, *, port: int | None = None,
                      headless: bool = False) -> list[str]:
    """The command line that starts the page on ``file`` (default: the built-in data)."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP),
           "--browser.gatherUsageStats", "false", "--server.enableStaticServing", "true"]
    if port is not None:
        cmd += ["--server.port", str(port)]
    if headless:
        cmd += ["--server.headless", "true"]
    if file is not None:
        cmd += ["--", os.path.abspath(file)]
    return cmd


def run_streamlit(file: str | None = None, *, port: int | None = None,
                  headless: bool = False) -> int:
    """Run the page until it is stopped; returns Streamlit's exit code."""
    if file is not None and not Path(file).is_file():
        sys.stderr.write(f"{file}: no such file\n")
        return 1
    try:
        return subprocess.call(streamlit_command(file, port=port, headless=headless), cwd=ROOT)
    except KeyboardInterrupt:
        return 130
