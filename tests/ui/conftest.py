"""Fixtures of the UI tests: the widgets a test builds are settled and deleted at its end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.settling import settle


@pytest.fixture
def pages(qtbot: Any) -> Iterator[list[Any]]:
    """The pages a test builds, settled and deleted at its end."""
    created: list[Any] = []
    yield created
    settle(qtbot, created)


@pytest.fixture
def widgets(qtbot: Any) -> Iterator[list[Any]]:
    """The pages and dialogs a test builds, settled and deleted at its end."""
    created: list[Any] = []
    yield created
    settle(qtbot, created)
