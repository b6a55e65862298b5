"""Charts as server-rendered SVG: readable without JavaScript, each shown next to a table of
the same figures (the table is what a screen reader reads: the SVG is marked as an image
with a title, its numbers are not repeated to assistive technology)."""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

__all__ = ["bars_horizontal", "bars_stacked", "heatmap"]

# Colours that stay apart for the common colour-vision deficiencies (Okabe and Ito, 2008).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
OTHER_COLOUR = "#999999"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


# A character of 12-px text, counted generously (system-ui averages about 6.5 px; "W" is wider).
CHAR_W = 7.5
# A label's line in a fluid chart: what a 320-px phone column holds.
LABEL_W = 300


def _svg(
    width: int, height: int, title: str, body: list[str], *, time_line: bool = False, legend: str = ""
) -> SafeString:
    """The chart at its own size in CSS pixels, so its text stays 12 px on any screen (scaled to
    a phone's width it was about 5 px); a chart wider than the screen scrolls in its box
    (.chart-scroll), which a keyboard can reach to scroll it. A ``time_line`` (months or days
    from left to right) opens scrolled to its end, the latest (static/js/charts.js); without
    JavaScript it opens at its start. Its ``legend`` is below the box, whole whatever part of the
    chart is in view."""
    latest = ' data-open-at="end"' if time_line else ""
    return mark_safe(  # noqa: S308 (every text below is escaped)
        f'<div class="chart-scroll"{latest} tabindex="0" role="group" aria-label="{escape(title)}">'
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg></div>{legend}"
    )


def _fit(text: str, width: float) -> str:
    """``text`` cut with an ellipsis to what fits ``width`` pixels of 12-px text."""
    most = max(4, int(width // CHAR_W))
    return text if len(text) <= most else text[: most - 1] + "\u2026"


def _lines(text: str, width: float, most: int = 2) -> list[str]:
    """``text`` in lines that fit ``width`` pixels of 12-px text, broken between words, at most
    ``most`` of them (the last cut with an ellipsis if the text is longer still)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width // CHAR_W:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = [*lines[: most - 1], _fit(" ".join(lines[most - 1 :]), width)]
    return [_fit(line, width) for line in lines] or [""]


def bars_horizontal(title: str, rows: Sequence[tuple[str, int]]) -> SafeString:
    """One bar per row (label, value), longest first as given. Fluid: as wide as its box, bars
    in percent of it, text at 12 px, so it fits a phone without scrolling or shrinking. Each
    label is written above its bar (on two lines if need be), so a long one (a refusal's
    reason, in Spanish too) is read whole instead of cut at the chart's left edge."""
    line_h, bar_h, gap, most = 15, 16, 8, 75  # the longest bar: 75% of the width, its value beside it
    top = max((value for _, value in rows), default=0) or 1
    body: list[str] = []
    y = 4
    for label, value in rows:
        lines = _lines(label, LABEL_W)
        for n, line in enumerate(lines):
            body.append(f'<text x="0" y="{y + 11 + n * line_h}" {FONT}>{escape(line)}</text>')
        y += len(lines) * line_h
        length = most * value / top
        body.append(
            f'<rect x="0" y="{y}" width="{length:.2f}%" height="{bar_h}" fill="{PALETTE[0]}"/>'
            f'<text x="{length:.2f}%" dx="4" y="{y + 12}" {FONT}>{value:,}</text>'
        )
        y += bar_h + gap
    height = max(y, bar_h + gap)
    return mark_safe(  # noqa: S308 (every text is escaped)
        f'<div class="chart-fluid"><svg class="chart" role="img" aria-label="{escape(title)}" width="100%" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg></div>'
    )


def bars_stacked(
    title: str, labels: Sequence[str], series: dict[str, list[int]], *, width: int = 640, height: int = 260
) -> SafeString:
    """One column per label, stacked by series (at most 7 named, the rest as "other"), with
    a legend below."""
    names = list(series)
    shown = names[:7]
    stacks = {name: series[name] for name in shown}
    if len(names) > 7:
        stacks[str(_("Other actions"))] = [sum(series[name][i] for name in names[7:]) for i in range(len(labels))]
    totals = [sum(values[i] for values in stacks.values()) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    # the axis' top value is right-aligned left of the plot: room for all its digits
    left, bottom = max(48, 10 + CHAR_W * len(f"{top:,}")), 22
    plot_h = height - bottom - 10
    step = (width - left - 10) / max(1, len(labels))
    body = [
        f'<text x="{left - 6}" y="16" text-anchor="end" {FONT}>{top:,}</text>',
        f'<text x="{left - 6}" y="{plot_h + 10}" text-anchor="end" {FONT}>0</text>',
        f'<line x1="{left}" y1="{plot_h + 10}" x2="{width - 10}" y2="{plot_h + 10}" stroke="#666"/>',
    ]
    every = max(1, len(labels) // 16)
    for i, label in enumerate(labels):
        x = left + i * step
        y: float = plot_h + 10
        for n, values in enumerate(stacks.values()):
            h = plot_h * values[i] / top
            if h > 0:
                colour = PALETTE[n] if n < 7 else OTHER_COLOUR
                body.append(
                    f'<rect x="{x + 2:.1f}" y="{y - h:.1f}" width="{max(1.0, step - 4):.1f}" height="{h:.1f}" '
                    f'fill="{colour}"/>'
                )
                y -= h
        if i % every == 0:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{plot_h + 24}" text-anchor="middle" {FONT}>{escape(label)}</text>'
            )
    # The legend is the page's text below the chart, not the chart's: a chart wider than a phone
    # shows part of itself at a time, and each colour's name must stay in view (it is hidden from
    # assistive technology, as the chart is: the table beside it says the same).
    legend = "".join(
        f'<li><span class="swatch" style="background:{PALETTE[n] if n < 7 else OTHER_COLOUR}"></span>'
        f"{escape(name)}</li>"
        for n, name in enumerate(stacks)
    )
    return _svg(
        width,
        height,
        title,
        body,
        time_line=True,
        legend=f'<ul class="chart-legend" aria-hidden="true">{legend}</ul>',
    )


def heatmap(title: str, rows: Sequence[str], matrix: Sequence[Sequence[int]], *, width: int = 640) -> SafeString:
    """A grid of rows (weekdays) by 24 hours, darker for more."""
    left, cell_h, top_margin = max(60, 10 + CHAR_W * max((len(name) for name in rows), default=0)), 20, 18
    cell_w = (width - left - 10) / 24
    peak = max((value for row in matrix for value in row), default=0) or 1
    body = [
        f'<text x="{left + h * cell_w + cell_w / 2:.1f}" y="12" text-anchor="middle" {FONT}>{h}</text>'
        for h in range(0, 24, 3)
    ]
    for r, (name, values) in enumerate(zip(rows, matrix, strict=True)):
        y = top_margin + r * cell_h
        body.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" {FONT}>{escape(name)}</text>')
        for h, value in enumerate(values):
            opacity = 0.06 + 0.94 * value / peak if value else 0.0
            body.append(
                f'<rect x="{left + h * cell_w:.1f}" y="{y}" width="{cell_w - 1:.1f}" height="{cell_h - 2}" '
                f'fill="{PALETTE[0]}" fill-opacity="{opacity:.2f}" stroke="#ddd" stroke-width="0.5"/>'
            )
    return _svg(width, top_margin + len(rows) * cell_h + 4, title, body)
