"""Opening a dialog window-modal and awaiting its answer, without a nested event loop."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QDialog


async def answer_of(dialog: QDialog) -> int:
    """Open a dialog window-modal (no nested event loop) and wait for its result code."""
    loop = asyncio.get_running_loop()
    result: asyncio.Future[int] = loop.create_future()

    def done(code: int) -> None:
        if not result.done():
            result.set_result(int(code))

    dialog.finished.connect(done)
    dialog.open()
    return await result
