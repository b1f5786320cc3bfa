"""A lesson step's text: a small Markdown subset turned into the simple HTML the lesson panel
shows (docs/lesson-format.md, "Text").

Blocks: paragraphs (separated by a blank line) and bullet lists (lines starting with "- " or
"* "). Inline: **bold**, *italic*, `code`, and formulas between dollar signs in the seeds'
ASCII notation, ``$[1 | a^1] × [b^1; W^1] = n^{2}$``, where ``^`` raises and ``_`` lowers the
next number, letter or ``{group}``. Formulas are marked so that an underscore in plain prose
(``x_0``) stays as written. Everything else is text: ``<`` and ``&`` are escaped, so a lesson
file cannot put its own HTML (or anything else) into the panel. Nothing is evaluated.
"""

from __future__ import annotations

import html
import re

# a script's argument: a {group}, a run of digits, or one other character (a letter, δ, L)
_SCRIPT = re.compile(r"([\^_])(\{[^{}]*\}|[0-9]+|[^\s{}^_$])")
# a formula between unescaped dollar signs, code between backticks; the rest is prose
_INLINE = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$|`([^`]+)`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_BULLET = re.compile(r"[-*] ")


def formula(text: str) -> str:
    """A formula in the seeds' notation as HTML: ``a^1`` → a<sup>1</sup>, ``w^1_{0,0}`` →
    w<sup>1</sup><sub>0,0</sub>, ``∂C/∂W^2`` → ∂C/∂W<sup>2</sup>."""

    def script(match: re.Match) -> str:
        tag = "sup" if match[1] == "^" else "sub"
        argument = match[2][1:-1] if match[2].startswith("{") else match[2]
        return f"<{tag}>{argument}</{tag}>"

    return _SCRIPT.sub(script, html.escape(text, quote=False))


def _prose(text: str) -> str:
    escaped = html.escape(text.replace("\\$", "$"), quote=False)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    return _ITALIC.sub(r"<i>\1</i>", escaped)


def inline(text: str) -> str:
    """One paragraph's or list item's text as HTML."""
    parts, position = [], 0
    for match in _INLINE.finditer(text):
        parts.append(_prose(text[position:match.start()]))
        if match[1] is not None:
            parts.append(formula(match[1].replace("\\$", "$")))
        else:
            parts.append(f"<code>{html.escape(match[2], quote=False)}</code>")
        position = match.end()
    parts.append(_prose(text[position:]))
    return "".join(parts)


def to_html(text: str) -> str:
    """A step's Markdown text as HTML: <p> paragraphs and <ul> lists."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{inline(item)}</li>" for item in items)
                          + "</ul>")
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            close()
        elif _BULLET.match(line):
            if paragraph:
                close()
            items.append(line[2:].strip())
        elif items and raw[:1].isspace():  # an indented line goes on with the list item
            items[-1] += " " + line
        else:
            if items:
                close()
            paragraph.append(line)
    close()
    return "".join(blocks)
