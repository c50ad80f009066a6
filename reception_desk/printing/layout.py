"""Line breaking for Chinese text drawn straight on the canvas (the fast path of the slips and receipts).

A Chinese line may break between any two ideographs, but not before closing punctuation (，。）」) nor after an
opening bracket (（「“); Latin words and numbers stay whole when they fit. Platypus does the same with
wordWrap="CJK"; this is the small subset the fixed forms need, without building Paragraphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from reception_desk.printing.fonts import Fonts

NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…—%‰·,.;:?!)]}")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")
ELLIPSIS = "…"


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "._-/@+#&'")


def tokens(paragraph: str) -> list[str]:
    """The unbreakable pieces of one paragraph: ideographs, Latin words, spaces, punctuation held to its side."""
    out: list[str] = []
    word: list[str] = []
    hold = ""  # an opening bracket waiting for what follows it
    for ch in paragraph:
        if _is_word_char(ch):
            word.append(ch)
            continue
        if word:
            out.append(hold + "".join(word))
            hold = ""
            word = []
        if ch in NO_LINE_START and out:
            out[-1] += ch
        elif ch in NO_LINE_END:
            hold += ch
        else:
            out.append(hold + ch)
            hold = ""
    if word or hold:
        out.append(hold + "".join(word))
    return out


def wrap(fonts: Fonts, text: str, width: float, size: float) -> list[str]:
    """Break text into lines no wider than `width` at `size`; explicit line breaks are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        used = 0.0
        for token in tokens(paragraph):
            w = fonts.width(token, size)
            if line and used + w <= width:
                line += token
                used += w
                continue
            if line:
                lines.append(line.rstrip())
                line, used = "", 0.0
            if token == " ":
                continue
            if w <= width:
                line, used = token, w
                continue
            # one piece wider than the line (a long number or code): break it by characters
            for ch in token:
                cw = fonts.width(ch, size)
                if line and used + cw > width:
                    lines.append(line)
                    line, used = "", 0.0
                line += ch
                used += cw
        lines.append(line.rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return lines


def truncate(fonts: Fonts, line: str, width: float, size: float) -> str:
    """The line cut to fit `width` with an ellipsis at its end."""
    room = width - fonts.width(ELLIPSIS, size)
    out = ""
    used = 0.0
    for ch in line:
        cw = fonts.width(ch, size)
        if used + cw > room:
            break
        out += ch
        used += cw
    return out.rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Fitted:
    """Text fitted into a box: its size, line spacing and lines (the last one ellipsised when it did not fit)."""

    size: float
    leading: float
    lines: tuple[str, ...]


def fit(
    fonts: Fonts,
    text: str,
    width: float,
    height: float,
    size: float,
    min_size: float,
    leading_ratio: float = 1.3,
) -> Fitted:
    """The largest size from `size` down to `min_size` at which text fits the box; else cut at `min_size`.

    One line is tried first at every size (a name or a department reads best on one line), then wrapping.
    """
    sizes = []
    s = size
    while s >= min_size - 0.01:
        sizes.append(s)
        s -= 0.5
    text_width = fonts.width(text, 1.0) if "\n" not in text else None
    for s in sizes:
        if text_width is not None and text_width * s <= width and s * leading_ratio <= height + 0.01:
            return Fitted(s, s * leading_ratio, (text,))
    for s in sizes:
        lines = wrap(fonts, text, width, s)
        if len(lines) * s * leading_ratio <= height + 0.01:
            return Fitted(s, s * leading_ratio, tuple(lines))
    s = min_size
    lines = wrap(fonts, text, width, s)
    keep = max(1, int((height + 0.01) // (s * leading_ratio)))
    if len(lines) > keep:
        lines = [*lines[: keep - 1], truncate(fonts, lines[keep - 1] + ELLIPSIS, width, s)]
    return Fitted(s, s * leading_ratio, tuple(lines))


def draw_lines(
    canvas: Canvas,
    fonts: Fonts,
    x: float,
    top: float,
    lines: Sequence[str],
    size: float,
    leading: float,
    missing: set[str] | None = None,
) -> float:
    """Draw lines downward from `top` (the top of the first line's box); returns the y below the last line."""
    if not lines:
        return top
    # the baseline sits about 0.8 of a size below the top of the line box, centred in the leading
    first = top - (leading - size) / 2 - size * 0.86
    tx = canvas.beginText(x, first)
    tx.setFont(fonts.main, size, leading)
    for i, line in enumerate(lines):
        if i:
            tx.textLine()
        fonts.text_out(tx, line, size, missing)
    canvas.drawText(tx)
    return top - leading * len(lines)


def draw_in_box(
    canvas: Canvas,
    fonts: Fonts,
    text: str,
    x: float,
    y: float,
    width: float,
    height: float,
    size: float,
    min_size: float,
    missing: set[str] | None = None,
    padding: float = 3.0,
    align: str = "left",
) -> None:
    """Fit text into a box (x, y = lower left) and draw it vertically centred."""
    inner_w = width - 2 * padding
    fitted = fit(fonts, text, inner_w, height - 2, size, min_size)
    block = fitted.leading * len(fitted.lines)
    top = y + (height + block) / 2
    if align == "left" or len(fitted.lines) > 1:
        draw_lines(canvas, fonts, x + padding, top, fitted.lines, fitted.size, fitted.leading, missing)
        return
    baseline = top - (fitted.leading - fitted.size) / 2 - fitted.size * 0.86
    anchor = x + width / 2 if align == "centre" else x + width - padding
    fonts.draw(canvas, anchor, baseline, fitted.lines[0], fitted.size, missing, align=align)
