"""Fixtures for the loader tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.io.bundles import TINY


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A writable copy of the tiny bundle (with its orders files), to break on purpose."""
    return Path(shutil.copytree(TINY, tmp_path / "tiny"))
