"""Participants' words in every output format: the one place that escapes them.

Free text typed by people (journal notes, display names, free-text answers, territory names)
is shown in HTML pages, Markdown files and file names. Each format has one function here,
and the invisible characters that reorder or hide text are one set, :data:`BIDI`:
bidirectional embeddings, overrides and isolates, the marks LRM/RLM and the Arabic letter mark
U+061C (a "right-to-left override" turns ``exe.txt`` into ``txt.exe`` on screen). The journal
drops them from notes (``clean_text``), ids that hold them are refused
(:func:`coopwork.results.paths.problem`). HTML is escaped with the standard library's
:func:`html.escape`; spreadsheets neutralise formulas in :mod:`coopwork.export.safe`.

Examples
--------
>>> markdown("**gras** <b>x</b> [lien](http://x) > citation")
'\\\\*\\\\*gras\\\\*\\\\* &lt;b&gt;x&lt;/b&gt; \\\\[lien\\\\]\\\\(http://x\\\\) &gt; citation'
>>> "\\u061c" in BIDI and "\\u202e" in BIDI
True
"""

from __future__ import annotations

__all__ = ["BIDI", "markdown"]

#: invisible characters that reorder or hide text: bidirectional embeddings (LRE, RLE, PDF),
#: overrides (LRO, RLO), isolates (LRI, RLI, FSI, PDI), the marks LRM, RLM and ALM (U+061C)
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

#: characters that make Markdown syntax (escaped with a backslash)
_MARKDOWN = "\\`*_{}[]()#+!|"


def markdown(text: object) -> str:
    """One line of Markdown that shows ``text`` as it was typed: no link, image, emphasis nor HTML.

    Runs of white space (line breaks included) become one space; ``&``, ``<`` and ``>`` become
    HTML entities (so that no tag and no block quote starts), Markdown's punctuation is escaped
    with a backslash.

    Examples
    --------
    >>> markdown("a\\n  b & <c>")
    'a b &amp; &lt;c&gt;'
    """
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in _MARKDOWN:
        value = value.replace(char, "\\" + char)
    return value
