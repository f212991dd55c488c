"""How a dashboard page looks: its CSS and the HTML text of its parts (no widget, no data).

Readable on a projector (large type, strong contrast) and on a phone (one column, full width, below
:data:`~coopwork.figures.theme.NARROW_BELOW` pixels). The CSS classes are those the widgets carry
(:mod:`coopwork.dashboard.widgets`) and the page's script reads (``static/page.js``). Every text that
comes from the results or from participants is escaped here: what participants write never becomes
markup.

Examples
--------
>>> note = {"kind": "see", "text": "<script>alert(1)</script>", "display_name": "Léa"}
>>> html = notes_html([note], lang="en")
>>> "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "<script>" in html, "What we see" in html
(True, False, True)
>>> message_html("Moins de 3 <réponses>", "cw-message", "cw-suppressed")
'<div class="cw-message cw-suppressed">Moins de 3 &lt;réponses&gt;</div>'
"""

from __future__ import annotations

from html import escape

from ..figures.theme import NARROW_BELOW
from ..i18n import t
from ..journal.about import option_of
from ..vocabulary import KINDS, kind_label, known_kind
from .assets import asset_url

__all__ = ["CSS", "friendly_error", "front_end", "message_html", "notes_html", "title_html"]

# Readable on a projector (large type, strong contrast) and on a phone (one column, full width).
CSS = """
<style>
.cw-dashboard { font-family: "Atkinson Hyperlegible", Verdana, Arial, sans-serif; font-size: 17px;
  color: #1d2433; max-width: 1200px; margin: 0 auto; }
.cw-dashboard h1 { font-size: 1.7em; margin: .3em 0; color: #123; }
.cw-dashboard .cw-sub { font-size: 1.05em; color: #334; margin-bottom: .4em; }
.cw-dashboard .widget-label { font-size: 16px; min-width: 9em; }
.cw-dashboard select, .cw-dashboard input, .cw-dashboard textarea, .cw-dashboard button {
  font-size: 16px !important; }
.cw-controls { flex-wrap: wrap !important; gap: .4em 1.2em; height: auto !important;
  overflow: visible !important; }
.cw-plot { width: 100%; position: relative; }
.cw-plot-wait { color: #667; font-size: 1.05em; margin: .6em 0; }
.cw-plot.cw-drawn .cw-plot-wait { display: none; }
.cw-plot.cw-failed { min-height: 0 !important; }
.cw-plot.cw-failed .cw-plot-wait { display: block; background: #fff6e0; border-left: 5px solid #e0a100;
  padding: .6em .9em; color: #1d2433; }
.cw-chart { border-top: 3px solid #e3e7ee; padding: .6em 0 1em 0; width: 100%; }
.cw-message { background: #fff6e0; border-left: 5px solid #e0a100; padding: .6em .9em; margin: .5em 0;
  font-size: 1.05em; }
.cw-info { background: #eef4fa; border-left: 5px solid #1f6f8b; padding: .6em .9em; margin: .5em 0;
  font-size: 1.05em; }
.cw-error { background: #fde8e8; border-left: 5px solid #b3261e; padding: .8em 1em; font-size: 1.15em; }
.cw-notes { list-style: none; padding-left: 0; margin: .3em 0; }
.cw-note { background: #f4f7fb; border-radius: 6px; padding: .4em .7em; margin: .25em 0;
  overflow-wrap: anywhere; white-space: pre-wrap; }
.cw-kind { font-weight: bold; margin-right: .3em; }
.cw-see .cw-kind { color: #1f6f8b; } .cw-means .cw-kind { color: #6d597a; }
.cw-do .cw-kind { color: #2d6a4f; }
.cw-who { color: #555; font-style: italic; }
.cw-about { background: #fff6e0; border: 1px solid #e0a100; border-radius: 4px; padding: 0 .3em; }
.cw-form { flex-wrap: wrap !important; gap: .3em .8em; align-items: flex-start; }
.cw-form textarea { min-height: 3.2em; }
.cw-status { min-height: 1.4em; }
.cw-dashboard .jupyter-widgets.widget-tab > .p-TabBar .p-TabBar-tab,
.cw-dashboard .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab { font-size: 16px; min-width: 8em;
  flex: 1 1 auto; min-height: 30px; }  /* rows of tabs that fill the width, not a ragged line */
.cw-dashboard .widget-tab > .lm-TabBar { height: auto !important; min-height: 0 !important; }
.cw-dashboard .lm-TabBar-content { flex-wrap: wrap; }
.cw-dashboard button, .cw-dashboard select, .cw-dashboard .widget-toggle-button { min-height: 44px; }
@media (max-width: PHONE_MAX_WIDTHpx) {
  /* a phone: one column, full-width controls a finger can hit, no sideways scrolling of the page */
  .cw-dashboard { font-size: 15px; padding: 0 6px; box-sizing: border-box; width: 100%; }
  .cw-dashboard h1 { font-size: 1.3em; }
  .cw-controls { flex-direction: column !important; align-items: stretch !important; }
  .cw-controls > * { width: 100% !important; max-width: 100% !important; margin: 0 0 4px 0 !important;
    height: auto !important; min-height: 44px; }
  .cw-controls .widget-label { min-width: 7.5em !important; width: 7.5em !important; text-align: left;
    white-space: normal !important; line-height: 1.2; height: auto !important; }
  .cw-controls select { flex: 1 1 auto !important; min-width: 0 !important; width: auto !important; }
  .cw-form { flex-direction: column !important; }
  .cw-form > * { width: 100% !important; max-width: 100% !important; }
  .cw-form textarea { width: 100% !important; min-height: 5em; }
  /* the tabs: a tidy grid of two columns, each a button a finger can hit, the open one marked */
  .cw-dashboard .lm-TabBar-content { display: grid !important; grid-template-columns: 1fr 1fr; gap: 4px;
    height: auto !important; }
  .cw-dashboard .widget-tab > .lm-TabBar { height: auto !important; min-height: 0 !important;
    overflow: visible !important; }
  .cw-dashboard .lm-TabBar-tab { min-width: 0 !important; max-width: none !important; width: auto !important;
    min-height: 44px !important; max-height: none !important; height: auto !important; margin: 0 !important;
    padding: 4px 8px !important; white-space: normal !important; line-height: 1.2; display: flex !important;
    align-items: center; align-self: stretch !important; border: 1px solid #c9d1dc !important;
    border-radius: 6px; transform: none !important; }
  .cw-dashboard .lm-TabBar-tab.lm-mod-current::before { display: none !important; }
  .cw-dashboard .lm-TabBar-tabLabel { white-space: normal !important; overflow: visible !important; }
  .cw-dashboard .lm-TabBar-tab.lm-mod-current { background: #1d2433 !important; color: white !important; }
  .cw-dashboard .widget-tab-contents { padding: 4px !important; }
  .cw-write-note { width: 100% !important; }
}
</style>
""".replace("PHONE_MAX_WIDTH", str(NARROW_BELOW - 1))


def front_end() -> str:
    """The HTML that loads the page's script (``static/page.js``) once, with the plotly.js it draws with.

    ipywidgets' HTML widget runs no ``<script>``, so an image that fails to load adds the script tag.
    The asset URLs are relative to the server's base URL: Voilà's ``data-base-url`` (which ends in
    ``voila/``), or JupyterLab's page configuration.

    Examples
    --------
    >>> html = front_end()
    >>> "page.js?v=" in html and "plotly.js?v=" in html and str(NARROW_BELOW) in html
    True
    """
    script = ("if(!window.coopworkPage){var b=document.body.getAttribute('data-base-url'),"
              "c=document.getElementById('jupyter-config-data');"
              "b=b?b.replace(/voila\\/$/,''):(c?JSON.parse(c.textContent).baseUrl:'/');"
              "var s=document.createElement('script');"
              f"s.src=b+'{asset_url('page.js')}';s.setAttribute('data-plotly',b+'{asset_url('plotly.js')}');"
              f"s.setAttribute('data-narrow-below','{NARROW_BELOW}');document.head.appendChild(s);}}")
    return f'<img src="data:," alt="" style="display:none" onerror="{escape(script, quote=True)}">'


def notes_html(notes: list[dict], *, lang: str = "fr", options: list[tuple[str, str]] = ()) -> str:
    """The notes of one chart as escaped HTML (participants' words never become markup).

    A note about one bar or option of the chart (:mod:`coopwork.journal.about`) names it, with the
    label ``options`` (``(key, label)`` pairs of :func:`~coopwork.journal.about.chart_options`) gives it
    in the reader's language.

    Examples
    --------
    >>> note = {"kind": "see", "text": "Beaucoup", "chart": "org_type#scop"}
    >>> "✎ Worker co-op" in notes_html([note], lang="en", options=[("scop", "Worker co-op")])
    True
    """
    if not notes:
        return f'<p class="cw-notes cw-empty">{escape(t("dashboard.no_notes", lang))}</p>'
    labels = dict(options)
    items = []
    for note in notes:
        kind = known_kind(note["kind"]) or KINDS[0]
        name = note.get("display_name")
        who = f' <span class="cw-who">— {escape(name)}</span>' if name else ""
        option = option_of(note)
        about = f'<span class="cw-about">✎ {escape(labels.get(option, option))}</span> ' if option else ""
        label = escape(kind_label(kind, lang))
        items.append(f'<li class="cw-note cw-{kind}"><span class="cw-kind">{label}</span> '
                     f'{about}{escape(note["text"])}{who}</li>')
    return f'<ul class="cw-notes">{"".join(items)}</ul>'


def message_html(text: str, *classes: str) -> str:
    """A line of the page in a box of ``classes`` (``cw-message``: a warning, ``cw-info``, ``cw-sub``)."""
    return f'<div class="{" ".join(classes)}">{escape(text)}</div>'


def title_html(heading: str, place: str, wave: str, lang: str) -> str:
    """The page's title: the dashboard (or the form's title), the place, the wave.

    ``data-cw-lang``: the page's script declares the page's language (``<html lang>``) from it.
    """
    return (f'<h1 lang="{escape(lang)}" data-cw-lang="{escape(lang)}">'
            f"{escape(heading)} — {escape(place)}</h1>"
            f'<div class="cw-sub">{escape(t("dashboard.wave", lang))} {escape(wave)}</div>')


def friendly_error(lang: str = "fr") -> str:
    """What a visitor sees when something went wrong (the traceback goes to the server log only)."""
    return f'<div class="cw-error">{escape(t("dashboard.friendly_error", lang))}</div>'
