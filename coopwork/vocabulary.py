"""Names and labels of coopwork's own vocabulary: indicator dimensions and the kinds of notes.

The one place that lists the indicator families (``coopwork::dimension``) and the kinds of a
journal note, and that turns each into the words of a language. Every display — figures,
results, dashboards, exports — asks here; no module retypes a list or a catalogue family.

Examples
--------
>>> dimension_label("governance", "en"), dimension_label("my_own", "en")
('Governance', 'my_own')
>>> dimension_label("trust", "ro", labels={"fr": "Confiance des pairs", "en": "Peer trust"})
'Peer trust [en]'
>>> KINDS, kind_label("means", "en")
(('see', 'means', 'do'), 'What it means for us')
"""

from __future__ import annotations

from collections.abc import Mapping

from .i18n import catalogue, pick, t

__all__ = ["DIMENSIONS", "KINDS", "dimension_label", "kind_label", "known_kind"]

#: the indicator families of the sample survey, in the order pages show them
DIMENSIONS = ("profile", "ties", "mutualisation", "governance", "trust", "effects", "transition",
              "culture", "trajectory")
#: the kinds of a journal note: what participants see, what it means, what to do
KINDS = ("see", "means", "do")


def dimension_label(name: str, lang: str | None, *, labels: Mapping[str, str] | None = None) -> str:
    """The label of a dimension: ``labels`` (by language), else the catalogue, else the name.

    Examples
    --------
    >>> dimension_label("ties", "fr")
    'Liens de coopération'
    """
    if labels:
        chosen = pick(dict(labels), lang)
        if chosen:
            return chosen
    key = f"analysis.dimension_{name}"
    return t(key, lang) if key in catalogue() else str(name)


def known_kind(kind: object) -> str | None:
    """``kind`` when it is one of :data:`KINDS`, else None.

    Examples
    --------
    >>> known_kind("do"), known_kind("other")
    ('do', None)
    """
    return kind if kind in KINDS else None


def kind_label(kind: object, lang: str | None) -> str:
    """The heading of a kind of note in ``lang`` (a kind coopwork does not know is shown as it is).

    Examples
    --------
    >>> kind_label("see", "fr"), kind_label("autre", "fr")
    ('Ce que nous voyons', 'autre')
    """
    known = known_kind(kind)
    return t(f"export.placemat_{known}", lang) if known else str(kind)
