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


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 (every text below is escaped)
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bars_horizontal(title: str, rows: Sequence[tuple[str, int]], *, width: int = 640) -> SafeString:
    """One bar per row (label, value), longest first as given."""
    label_w, bar_h, gap = 220, 18, 6
    height = max(1, len(rows)) * (bar_h + gap) + gap
    top = max((value for _, value in rows), default=0) or 1
    body: list[str] = []
    for n, (label, value) in enumerate(rows):
        y = gap + n * (bar_h + gap)
        length = (width - label_w - 70) * value / top
        body.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" {FONT}>{escape(label[:34])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + length + 4:.1f}" y="{y + 13}" {FONT}>{value:,}</text>'
        )
    return _svg(width, height, title, body)


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
    left, bottom, legend_rows = 48, 22, (len(stacks) + 1) // 2
    plot_h = height - bottom - 10
    full_h = height + legend_rows * 18 + 6
    totals = [sum(values[i] for values in stacks.values()) for i in range(len(labels))]
    top = max(totals, default=0) or 1
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
    for n, name in enumerate(stacks):
        lx, ly = 10 + (n % 2) * ((width - 20) / 2), height + 4 + (n // 2) * 18
        colour = PALETTE[n] if n < 7 else OTHER_COLOUR
        body.append(
            f'<rect x="{lx:.1f}" y="{ly}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16:.1f}" y="{ly + 11}" {FONT}>{escape(name[:46])}</text>'
        )
    return _svg(width, full_h, title, body)


def heatmap(title: str, rows: Sequence[str], matrix: Sequence[Sequence[int]], *, width: int = 640) -> SafeString:
    """A grid of rows (weekdays) by 24 hours, darker for more."""
    left, cell_h, top_margin = 90, 20, 18
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
