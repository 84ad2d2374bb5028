"""Child processes the tests and the benchmarks start (servers): stopped the same way everywhere."""
from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen, timeout: float = 30) -> None:  # type: ignore[type-arg]
    """A clean stop (SIGTERM: a service saves what it keeps, a database its pages), killed after `timeout`."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
