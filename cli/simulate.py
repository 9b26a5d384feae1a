"""``dom simulate STUDY.yaml --out DIR``: a what-if study (contracts §9), its runs in this process
or on RQ workers, with a progress bar over runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from dom.studies import RunResult

_console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to the root app."""

    @app.command("simulate")
    def simulate_cmd(
        study_file: Path = typer.Argument(..., help="The study, YAML (contracts §9)."),
        out: Path = typer.Option(..., "--out", help="Folder for runs, tables and report.html."),
        workers: int = typer.Option(
            0,
            "--workers",
            min=0,
            help="With DOM_REDIS_URL: start this many local RQ workers (0: use running ones, "
            "'dom simulate --worker'). Without it runs stay in this process.",
        ),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    ) -> None:
        """Replay the study's scenarios in every mode against hindsight; write DIR."""
        from dom.studies import load_study, simulate
        from dom.studies.parallel import executor_for

        study, _ = load_study(study_file)
        executor = executor_for(study, workers)
        runs = len(study.runs())
        if quiet:
            result = simulate(study, out, executor)
        else:
            with Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[last]}"), TimeElapsedColumn(), console=_console,
                transient=True,
            ) as bar:  # fmt: skip
                task = bar.add_task(f"study {study.name}", total=runs, last="")

                def done(run: RunResult) -> None:
                    state = "failed" if run.error else f"{run.seconds:.1f} s"
                    bar.update(
                        task, advance=1, last=f"{run.scenario}/{run.mode}/{run.seed} {state}"
                    )

                result = simulate(study, out, executor, done)
        for failure in result.failures:
            typer.echo(
                f"run {failure.scenario}/{failure.mode}/{failure.seed} failed: {failure.error}",
                err=True,
            )
        typer.echo(f"{runs - len(result.failures)} of {runs} runs; wrote {out / 'report.html'}")
        if result.failures:
            sys.exit(1)

    @app.command("study-worker")
    def study_worker_cmd(
        burst: bool = typer.Option(False, "--burst", help="Leave when the queue is empty."),
        study_file: Path | None = typer.Option(
            None, "--study", help="Load this study's inputs before the first job."
        ),
    ) -> None:
        """Take study runs from Redis (DOM_REDIS_URL) on one solver thread."""
        import os

        from dom.errors import InvalidInput
        from dom.studies import load_study
        from dom.studies.parallel import work

        url = os.environ.get("DOM_REDIS_URL")
        if not url:
            raise InvalidInput(
                "dom study-worker needs DOM_REDIS_URL", column="DOM_REDIS_URL",
                fix="set DOM_REDIS_URL to the Redis the study was queued on",
            )  # fmt: skip
        study = load_study(study_file)[0] if study_file is not None else None
        work(url, study=study, burst=burst)
