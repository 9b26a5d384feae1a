"""One self-contained HTML page (Jinja2, inline CSS and SVG: it loads nothing from anywhere) of
sections, each with tables, figures and notes; studies and single plans build their sections,
this module lays them out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import jinja2

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("dom.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Table:
    """A table: its first ``text_columns`` columns are labels (left aligned)."""

    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""
    text_columns: int = 1


@dataclass(frozen=True)
class Section:
    title: str
    intro: str = ""
    tables: Sequence[Table] = ()
    figures: Sequence[str] = ()  # SVG elements, trusted: made by dom.reports.figures
    notes: Sequence[str] = field(default_factory=list)


def render_page(title: str, subtitle: str, sections: Sequence[Section]) -> str:
    """The page's HTML."""
    return _ENV.get_template("page.html.j2").render(
        title=title, subtitle=subtitle, sections=sections
    )


def money(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def share(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{100 * value:.{digits}f}%"


def number(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def with_interval(
    mean: float | None, low: float | None, high: float | None, form: str = "money"
) -> str:
    """``mean [low, high]`` in the form given (money, share or number)."""
    show = {"money": money, "share": share, "number": number}[form]
    if mean is None:
        return ""
    if low is None or high is None:
        return show(mean)
    return f"{show(mean)} [{show(low)}, {show(high)}]"
