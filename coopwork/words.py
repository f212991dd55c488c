"""Participants' words in every output format: the one place that escapes them.

Free text typed by people (journal notes, display names, free-text answers, territory names)
is shown in HTML pages, Markdown files and file names. Each format has one function here,
and the invisible characters that reorder or hide text are one set, :data:`BIDI`:
bidirectional embeddings, overrides and isolates, the marks LRM/RLM and the Arabic letter mark
U+061C (a "right-to-left override" turns ``exe.txt`` into ``txt.exe`` on screen). The journal
drops them from notes (``clean_text``), ids that hold them are refused
(:func:`coopwork.paths.problem`). HTML is escaped with the standard library's
:func:`html.escape`; spreadsheet cells are neutralised (below).

Examples
--------
>>> markdown("**gras** <b>x</b> [lien](http://x) > citation")
'\\\\*\\\\*gras\\\\*\\\\* &lt;b&gt;x&lt;/b&gt; \\\\[lien\\\\]\\\\(http://x\\\\) &gt; citation'
>>> "\\u061c" in BIDI and "\\u202e" in BIDI
True

Spreadsheet cells: formulas neutralised in every CSV and XLSX cell ("formula injection").

A free-text answer such as ``=HYPERLINK("http://…")`` or ``@SUM(…)`` written as is into a
CSV or XLSX file is run as a formula by Excel or LibreOffice when a person opens the file.
Every text cell that coopwork writes to a CSV or XLSX file goes through :func:`neutralise`
(the ONE function for this, used by every exporter and by the issues file of each ingest): a
text whose first character (after any leading spaces) is ``=``, ``+``, ``-``, ``@``, a tab, a
carriage return or a line feed — or their full-width forms — gets a leading apostrophe, the
convention recommended by OWASP, so spreadsheets show it as plain, readable text
(``'-1+1+cmd|' /C calc'!A0``). Only text is touched: numbers, dates and missing values are left
as they are, and so is a text that is only numbers — a negative number (``"-3"``, ``"-2,5"``) or
the numbers of a coordinate (``"-6.955502 39.12 0 0"``, a geopoint; ``;`` between the points
of a trace) — which no spreadsheet can run.

Write CSV files with :func:`to_csv`: besides neutralising, it ends lines with CRLF (RFC 4180)
so that a cell holding a lone carriage return is quoted — with ``\\n`` line ends, Python's
``csv`` module leaves such a cell unquoted and a reader would start a new row (and a new,
un-neutralised first cell) in the middle of it.

>>> neutralise("=1+1"), neutralise("@SUM(A1)"), neutralise("Tiers-lieu"), neutralise(-3)
("'=1+1", "'@SUM(A1)", 'Tiers-lieu', -3)
>>> neutralise("-6.955502 39.12 0 0"), neutralise("-1+1+cmd|' /C calc'!A0")
('-6.955502 39.12 0 0', "'-1+1+cmd|' /C calc'!A0")
>>> import pandas as pd
>>> neutralise_frame(pd.DataFrame({"note": ["+1+cmd|' /C calc'!A0", "-3"], "n": [4, 5]}))["note"].tolist()
["'+1+cmd|' /C calc'!A0", '-3']
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BIDI", "FORMULA_TRIGGERS", "NUMBERS", "is_formula_like", "markdown", "neutralise",
           "neutralise_frame", "to_csv"]

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

#: first characters that make a spreadsheet read a cell as a formula (or hide one after a control char)
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
_PREFIX = "'"
_NUMBER = r"[+\-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+\-]?\d+)?"
#: a text made only of numbers (a negative number, a geopoint's or a trace's coordinates)
NUMBERS = re.compile(rf"[ \u00a0]*{_NUMBER}(?:[ \u00a0;]+{_NUMBER})*[ \u00a0;]*")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula.

    Leading spaces are ignored (some spreadsheets strip them before parsing). A text made only of
    numbers (:data:`NUMBERS`: ``-3``, ``-6.955502 39.12 0 0``) is not: it can compute nothing.

    Examples
    --------
    >>> is_formula_like("  =cmd|' /C calc'!A0"), is_formula_like("SCOP"), is_formula_like("")
    (True, False, False)
    >>> is_formula_like("-2.5"), is_formula_like("-1+1"), is_formula_like("-45.76 4.83;-45.77 4.84")
    (False, True, False)
    """
    if not text:
        return False
    stripped = text.lstrip(" \u00a0")
    triggered = text[0] in FORMULA_TRIGGERS or (bool(stripped) and stripped[0] in FORMULA_TRIGGERS)
    return triggered and not NUMBERS.fullmatch(text)


def neutralise(value: object) -> object:
    """Return ``value`` made safe for a CSV or XLSX cell.

    Strings that could be read as formulas get a leading apostrophe; any other value is
    returned unchanged (numbers stay numbers, so ``-3`` is not touched, nor is the text ``"-3"``).

    Examples
    --------
    >>> neutralise("-nope"), neutralise("\\t=cmd"), neutralise(None), neutralise(2.5)
    ("'-nope", "'\\t=cmd", None, 2.5)
    """
    if isinstance(value, str) and is_formula_like(value):
        return _PREFIX + value
    return value


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``table`` whose text cells and column names are neutralised.

    Only text columns (``str``/``object``/``category`` dtypes) are touched; numeric,
    boolean and date columns keep their dtype. The index is left as is.

    Examples
    --------
    >>> import pandas as pd
    >>> safe = neutralise_frame(pd.DataFrame({"=x": ["-1", "-x", None]}))
    >>> list(safe.columns), safe.iloc[:2, 0].tolist()
    (["'=x"], ['-1', "'-x"])
    """
    import pandas as pd

    out = table.copy()
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            out[column] = series.astype(object).map(neutralise, na_action="ignore")
        elif pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            out[column] = series.map(neutralise, na_action="ignore")
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out


def to_csv(table: pd.DataFrame, path: str | Path | None = None, *, index: bool = False) -> str:
    """Write ``table`` as a safe UTF-8 CSV (neutralised cells, RFC 4180 line ends); return the text.

    The file starts with a byte-order mark so that Excel opens accents correctly.

    Examples
    --------
    >>> import pandas as pd
    >>> to_csv(pd.DataFrame({"a": ["x\\r=1+1", "@y"], "n": [1, 2]})).split("\\r\\n")
    ['a,n', '"x\\r=1+1",1', "'@y,2", '']
    """
    text = neutralise_frame(table).to_csv(index=index, lineterminator="\r\n")
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8-sig", newline="")
    return text
