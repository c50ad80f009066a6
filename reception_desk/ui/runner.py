"""Database work off the UI thread: one worker thread, awaited from qasync coroutines."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class DbRunner:
    """Serialises database calls on one thread (like Anki's taskman), so the UI never waits on SQL."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
        self._slow = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slow")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run fn(*args, **kwargs) on the database thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def run_slow(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Long jobs (imports, exports, PDF batches) on their own thread, so quick reads are not held up."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._slow, functools.partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        """Stop the worker threads (waits for the running job)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._slow.shutdown(wait=True, cancel_futures=True)
