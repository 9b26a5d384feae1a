"""The study's report.html opens in headless Chromium (Debian's, through Playwright) without a
console error or a request leaving the page, and shows its tables and figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run"]  # fmt: skip


@pytest.mark.slow
@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="chromium: run scripts/setup.sh")
def test_the_report_opens_without_errors_and_shows_tables_and_figures(study_out: Path) -> None:
    """No console error, no request beyond the file, the KPI tables and the SVG figures."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith("file:") else outside.append(r.url))
        page.goto((study_out / "report.html").resolve().as_uri())
        tables = page.locator("table.kpi").count()
        figures = page.locator(".figure svg").count()
        headings = page.locator("section h2").all_inner_texts()
        browser.close()
    assert errors == [] and outside == []
    assert tables >= 4 and figures >= 5
    assert {"Each mode against hindsight", "Each scenario against base", "Frontier",
            "Who serves whom", "Cost breakdown"} <= set(headings)  # fmt: skip
