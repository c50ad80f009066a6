"""Errors reach the user as a Chinese dialog, and the log file with the detail."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from reception_desk.errors import ServiceError
from reception_desk.logs import file_handler

log = logging.getLogger("reception_desk.ui")
LOG_FILE = "reception-desk.log"


def setup_logging() -> Path:
    """Log to the user data folder; returns the log file."""
    from reception_desk.db import data_dir

    path = data_dir() / LOG_FILE
    root = logging.getLogger()
    root.addHandler(file_handler(path))  # database errors are logged without the rows' personal data
    root.setLevel(logging.INFO)
    return path


def message_for(exc: BaseException) -> str:
    """What the user reads: a service's own Chinese message, else a general one."""
    if isinstance(exc, ServiceError):
        return str(exc)
    from reception_desk.db import data_dir

    return QCoreApplication.translate("errors", "操作未完成：{0}。详细信息已写入日志文件 {1}。").format(
        type(exc).__name__, data_dir() / LOG_FILE
    )


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    """Log the error with its traceback and show it in a dialog."""
    if isinstance(exc, ServiceError):
        log.warning("refused: %s", exc)
    else:
        log.error("operation failed", exc_info=exc)
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        title or QCoreApplication.translate("errors", "无法完成"),
        message_for(exc),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("errorDialog")
    box.open()
