"""``mapapp serve``: run the Streamlit page, as ``streamlit run mapapp/app.py`` does.

The page listens on 127.0.0.1 unless a host is given: it has no sign-in, so
whoever reaches the port sees the data and may upload their own. Stopping
``mapapp serve`` (Ctrl-C, or SIGTERM to its process) stops the page too.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
from pathlib import Path

__all__ = ["LOOPBACK", "run_streamlit", "streamlit_command"]

APP = Path(__file__).resolve().parent / "app.py"
ROOT = Path(__file__).resolve().parents[1]
#: The default address: reachable from this machine only.
LOOPBACK = "127.0.0.1"


def streamlit_command(file: str | None = None, *, port: int | None = None,
                      headless: bool = False, host: str = LOOPBACK) -> list[str]:
    """The command line that starts the page on ``file`` (default: the built-in data).

    Parameters
    ----------
    file : str, optional
        The dataset; the built-in one when ``None``.
    port : int, optional
        The port (Streamlit's default, 8501, when ``None``).
    headless : bool
        Do not open a browser.
    host : str
        The address to listen on (``"0.0.0.0"`` for every interface).

    Returns
    -------
    list of str
        The command, for :func:`subprocess.run`.
    """
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP),
           "--browser.gatherUsageStats", "false", "--server.enableStaticServing", "false",
           "--server.maxUploadSize", "200", "--client.toolbarMode", "minimal",
           "--client.showErrorDetails", "type",
           "--server.address", host]
    if port is not None:
        cmd += ["--server.port", str(port)]
    if headless:
        cmd += ["--server.headless", "true"]
    if file is not None:
        cmd += ["--", os.path.abspath(file)]
    return cmd


def is_loopback(host: str) -> bool:
    """Whether ``host`` can be reached from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_streamlit(file: str | None = None, *, port: int | None = None,
                  headless: bool = False, host: str = LOOPBACK) -> int:
    """Run the page until it is stopped; returns Streamlit's exit code.

    SIGTERM and SIGINT are passed on to Streamlit, so stopping this process
    stops the page and frees its port.
    """
    if file is not None and not Path(file).is_file():
        sys.stderr.write(f"{file}: no such file\n")
        return 1
    if not is_loopback(host):
        sys.stderr.write(
            f"WARNING: the page will listen on {host}: anyone who can reach this machine's "
            "port can read the data and upload files, with no sign-in. Leave out --host to "
            "keep it on this machine.\n")
    proc = subprocess.Popen(streamlit_command(file, port=port, headless=headless, host=host),
                            cwd=ROOT)

    def forward(signum, _frame):
        proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:  # (a second Ctrl-C while Streamlit stops)
                proc.send_signal(signal.SIGINT)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
