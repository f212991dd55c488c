"""Values as people and files read them: a missing value, a plain value, a number in a language.

The one place that decides when a cell holds nothing (:func:`missing`: None, NA, NaN, NaT), how a
value becomes a plain Python value for a file that has no missing value and no numpy type
(:func:`attribute`: a graph attribute, a GEXF attribute) and how a number reads in a language
(:func:`format_number`, :func:`format_percent`). Disclosure control (``protect``), the figures, the
results and every display word numbers with these; nothing else formats a number for people.

Examples
--------
>>> import pandas as pd
>>> missing(None), missing(pd.NA), missing(float("nan")), missing(0), missing([1, 2])
(True, True, True, False, False)
>>> format_number(1234.5, decimals=1, lang="en"), format_percent(41.66, lang="en")
('1,234.5', '42%')
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from .i18n import normalise_lang

__all__ = ["attribute", "format_number", "format_percent", "missing"]


def missing(value: object) -> bool:
    """True when ``value`` holds nothing: None, ``pd.NA``, NaN, NaT (a list or an array is not missing).

    Examples
    --------
    >>> missing(pd.NaT), missing(""), missing("x")
    (True, False, False)
    """
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: not one missing value
        return False


def attribute(value: object) -> object:
    """A plain Python value for a graph or GEXF attribute, or None when missing: dates and timestamps
    as ISO text (GEXF has no date type), numpy scalars as Python numbers.

    Examples
    --------
    >>> import numpy as np
    >>> attribute(np.int64(3)), attribute(pd.Timestamp("2025-03-01")), attribute(pd.NA)
    (3, '2025-03-01T00:00:00', None)
    """
    if missing(value):
        return None
    if isinstance(value, (list, tuple, np.ndarray)):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def format_number(value: object, *, decimals: int = 0, lang: str | None = "fr") -> str:
    """Format a number for people: ``1 234,5`` in French, ``1,234.5`` in English; NA → ``""``.

    Examples
    --------
    >>> format_number(1234.5, decimals=1, lang="fr"), format_number(1234.5, decimals=1, lang="en")
    ('1\\u202f234,5', '1,234.5')
    >>> format_number(None)
    ''
    """
    if missing(value) or not np.isfinite(float(value)):
        return ""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{decimals}f}"
    if normalise_lang(lang) == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_percent(value: object, *, decimals: int = 0, lang: str | None = "fr") -> str:
    """Format a percentage (0–100 scale): ``42 %`` in French (narrow no-break space), ``42%`` in English.

    Examples
    --------
    >>> format_percent(41.66, lang="en"), format_percent(41.66, decimals=1, lang="fr")
    ('42%', '41,7\\u202f%')
    """
    text = format_number(value, decimals=decimals, lang=lang)
    if not text:
        return ""
    return f"{text}\u202f%" if normalise_lang(lang) == "fr" else f"{text}%"
