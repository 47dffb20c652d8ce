"""The one way tests wait for something another process does: poll a condition, fail with details after a while."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    condition: Callable[[], T],
    *,
    timeout: float = 60,
    every: float = 0.2,
    message: str = "condition",
    details: Callable[[], str] = str,
) -> T:
    """Poll ``condition`` until it returns something truthy and return that; fail after ``timeout`` seconds
    naming ``message``, with ``details()`` (worker logs, say) below it."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}\n{details()}".rstrip())
        time.sleep(every)
    return result
