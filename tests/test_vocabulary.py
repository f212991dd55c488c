"""Dimensions and note kinds: one list, one catalogue family each."""

from __future__ import annotations

import pytest

from coopwork.i18n import LANGS, catalogue
from coopwork.vocabulary import DIMENSIONS, KINDS, dimension_label, kind_label


@pytest.mark.parametrize("lang", LANGS)
def test_every_dimension_and_kind_has_a_label_in_every_language(lang):
    for name in DIMENSIONS:
        assert dimension_label(name, lang) != name
    for kind in KINDS:
        assert kind_label(kind, lang) != kind


def test_no_second_catalogue_family():
    keys = set(catalogue())
    assert not {k for k in keys if k.startswith(("figures.dim_", "dashboard.kind_"))}


def test_the_journal_and_the_demo_use_the_same_lists():
    from coopwork import journal
    from coopwork.demo import form

    assert journal.KINDS is KINDS
    assert form.DIMENSIONS is DIMENSIONS


def test_a_configured_label_follows_the_language_chain():
    assert dimension_label("trust", "hu", labels={"fr": "Confiance", "en": "Trust"}) == "Trust [en]"
    assert dimension_label("trust", "fr", labels={"fr": "Confiance", "en": "Trust"}) == "Confiance"
