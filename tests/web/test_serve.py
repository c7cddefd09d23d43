"""``totalplace serve --demo`` prints the address and an account per role, serves, and stops on Ctrl-C."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.workspaces import EXAMPLE


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_prints_its_accounts_serves_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "ws")
    port = _free_port()
    command = [sys.executable, "-c", "from totalplace.entry import main; main()",
               "serve", "--demo", "--port", str(port), "-w", str(tmp_path / "ws")]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and answer is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/health", timeout=2
                ) as reply:
                    answer = reply.read().decode()
            except OSError:
                time.sleep(0.3)
        assert answer is not None and '"status":"ok"' in answer.replace(" ", "")
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output and "Traceback" not in output
    for role in ("administrator", "analyst", "board"):
        assert role in output
    assert "Stopped." in output
