"""The README's examples run as written: its Python blocks, and every ``dom`` command it shows
exists with the options it uses."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import register_all

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.DOTALL)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]


def _dom_commands() -> list[list[str]]:
    """Each ``dom ...`` command line of the README's shell blocks, continuations joined."""
    commands = []
    for lang, code in BLOCKS:
        if lang != "bash":
            continue
        for line in code.replace("\\\n", " ").splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.commenters = "#"
            words: list[str] = []
            for token in [*lexer, ";"]:
                if token.strip("&|;"):
                    words.append(token)
                    continue
                if words[:1] == ["dom"]:
                    commands.append(words[1:])
                words = []
    return commands


def test_the_quickstart_is_ten_lines_and_one_import() -> None:
    """The first Python block is at most ten lines and imports only ``dom``."""
    lines = [line for line in PYTHON[0].splitlines()]
    assert len(lines) <= 10
    assert [line for line in lines if "import" in line] == ["import dom"]


@pytest.mark.parametrize("code", PYTHON, ids=[f"block{i}" for i in range(len(PYTHON))])
def test_python_blocks_run_as_written(code: str, tmp_path: Path) -> None:
    """Each Python block runs in a fresh interpreter from a folder holding the repo's data."""
    (tmp_path / "data").symlink_to(ROOT / "data")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip()


@pytest.mark.parametrize("args", _dom_commands(), ids=lambda a: " ".join(a[:2]))
def test_every_dom_command_shown_exists_with_its_options(args: list[str]) -> None:
    """``dom <command> --help`` answers, and lists every ``--option`` the README passes it."""
    path = [a for a in args[:2] if not a.startswith("-") and a in {"data", "warehouse"}]
    command = [args[0], *([args[1]] if path else [])]
    done = CliRunner().invoke(register_all(), [*command, "--help"])
    assert done.exit_code == 0, done.output
    help_text = re.sub(r"\s+", " ", done.output)
    for option in [a.split("=")[0] for a in args if a.startswith("--")]:
        assert option in help_text, f"dom {' '.join(command)} has no {option}"
