"""Participants' words: one Markdown escaping, one set of invisible controls."""

from __future__ import annotations

import pytest

from coopwork.journal import clean_text
from coopwork.results.paths import problem
from coopwork.words import BIDI, markdown


@pytest.mark.parametrize("text", ["[x](javascript:alert(1))", "![i](http://e/i.png)", "<script>x</script>",
                                  "> quote", "**bold** _it_ `code`", "# title", "a | b"])
def test_markdown_shows_the_words_and_makes_no_syntax(text):
    out = markdown(text)
    assert "<" not in out and ">" not in out.replace("&gt;", "")
    for char in "[]()*_`#|!":
        assert char not in out.replace("\\" + char, "")


@pytest.mark.parametrize("char", sorted(BIDI))
def test_every_bidi_control_is_dropped_from_notes_and_refused_in_ids(char):
    assert char not in clean_text(f"facture{char}txt.exe")
    assert problem(f"terr{char}itoire") == "id_control"


def test_the_arabic_letter_mark_is_one_of_them():
    assert "\u061c" in BIDI
