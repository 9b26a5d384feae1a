"""Write a folder of files all at once: nothing half-written is ever left behind.

Every writer of several output files (plans, generated bundles, wave plans) writes them into a
scratch folder beside the target, and only when all are complete moves them in, each by an atomic
rename. A failure before that leaves the target as it was and removes the scratch folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dom.errors import InvalidInput


@contextlib.contextmanager
def folder_writer(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a scratch folder; on a clean exit move every file written there into ``target``.

    Folders this call created are removed again on failure. ``target`` may already hold files:
    those written replace theirs, the others stay.
    """
    out = Path(target)
    if out.exists() and not out.is_dir():
        raise InvalidInput("exists and is not a folder", file=str(out), fix="pass a folder")
    created = [p for p in (*reversed(out.parents), out) if not p.exists()]
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield scratch
        out.mkdir(exist_ok=True)
        for produced in sorted(scratch.iterdir()):
            os.replace(produced, out / produced.name)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty
        raise
    shutil.rmtree(scratch, ignore_errors=True)
