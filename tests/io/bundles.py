"""The tiny bundle of ``tests/data`` and a helper to break a copy of it on purpose."""

from __future__ import annotations

from pathlib import Path

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in a text file by ``new``."""
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new))
