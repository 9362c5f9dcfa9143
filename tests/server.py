"""Running the real service for tests: ``coco serve`` in a subprocess on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(db: Path, *args: str, env: dict[str, str] | None = None,
                   timeout: float = 30, log: Path | None = None,
                   command: Sequence[str] = (sys.executable, "-m", "coco_atlas.api.cli"),
                   cwd: Path = ROOT) -> Iterator[str]:
    """Start the server, wait until /healthz answers, yield its base URL, stop it.

    ``log``: a file for the server's stderr (tracebacks) and stdout (uvicorn's access log),
    for tests that may make it log a lot or read its log; by default stderr is a pipe read
    only if the server fails to start. ``command``: the ``coco`` to run (this checkout's by
    default; an installed one in tests/test_wheel.py)."""
    port = free_port()
    cmd = [*command, "serve", "--db", str(db), "--port", str(port), *args]
    err: IO[str] | int = log.open("a", encoding="utf-8") if log else subprocess.PIPE
    # one process unless a test asks for more (``--workers``, tests/test_workers.py): the
    # tests here were written for, and stop, a single server process
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, "COCO_WORKERS": "1", **(env or {})},
                            stdout=err if log else subprocess.DEVNULL, stderr=err, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                out = log.read_text(encoding="utf-8") if log else \
                    proc.stderr.read() if proc.stderr else ""
                raise RuntimeError(f"server exited: {out}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /healthz in time")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
        if not isinstance(err, int):
            err.close()
