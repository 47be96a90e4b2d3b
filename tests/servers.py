"""Waiting for a server the tests started as a process (`voxcart serve`, `rasa run`)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx
import pytest


def wait_until_up(
    url: str,
    process: subprocess.Popen,
    what: str,
    limit_s: float,
    *,
    output: Callable[[], str] | None = None,
    poll_s: float = 0.2,
) -> None:
    """Returns once `url` answers; fails the test, with the end of the process's output, when
    the process exits first or `limit_s` passes. `output` reads that output when it does not go
    to the process's stderr pipe (a log file)."""

    def tail() -> str:
        text = output() if output else (process.communicate()[1] or "")
        return str(text)[-3000:]

    deadline = time.monotonic() + limit_s
    while True:
        if process.poll() is not None:
            pytest.fail(f"{what} exited early:\n{tail()}")
        try:
            httpx.get(url, timeout=1, trust_env=False)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                more = f":\n{output()[-3000:]}" if output else ""
                pytest.fail(f"{what} did not answer within {limit_s:.0f} s{more}")
            time.sleep(poll_s)
