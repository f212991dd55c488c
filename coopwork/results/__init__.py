"""One set of results per territory × wave × language × threshold: computed once, shared by every display.

Reports (:mod:`coopwork.batch`), dashboards (:mod:`coopwork.dashboard`) and exports
(:mod:`coopwork.export`) only *format* these results; none of them summarises, protects or
builds a network itself, so the same workshop reads the same numbers everywhere.

Modules, one job each:

``fingerprint``  content hashes of the inputs, and :func:`~.fingerprint.key` for every key
``questions``    how each question is shown (or why not), in which section, counted in which unit
``inputs``       the data model: the tables a result reads, loaded once (:class:`~.inputs.Inputs`,
                 :class:`~.inputs.WaveData`), and the :class:`~.inputs.Scope` of one view
``statistics``   the protected statistics of each published question (disclosure of each table)
``network``      the published network and its history: stored graphs, the names shown, the previous wave
``charts``       the charts of a view: titles, units and axes, why nothing is shown
``views``        a territory's views and :func:`~.views.compute`, the one entry that builds a result
``scores``       every territory's scores against the others, in one pass per wave
``synthesis``    the cross-territory tables, read from the territories' results
``tables``       tidy tables as JSON and back
``audit``        the disclosure audit of the tables, its re-verification from published files, and
                 the legend of hidden cells the displays print
``store``        :func:`~.store.ensure`: compute what is stale, write it atomically, return digests

Ids, folders and result files are the base layer's (:mod:`coopwork.paths`, :mod:`coopwork.fileio`:
reading a result needs no pandas, for dashboard kernels).

A result (``<workspace>/.coopwork/results/<survey>/<territory>/<wave>.<lang>.k<min_count>.json``,
``_all`` for all territories) is plain JSON::

    {"version", "key", "digest", "survey_id", "survey_title", "territory", "territory_label",
     "wave", "previous_wave", "lang", "min_count",
     "cooperation": bool,            # a cooperation survey (dimensions, network): its own titles
     "unit": "organisations" | "responses",                     # what one submission is
     "respondents": {"n": int | None, "suppressed": bool},
     "key_figures": [[label, text], ...],                       # protected, formatted
     "sections": [{"id", "label"}, ...],                        # tabs / report headings, in order:
                                                                # those with a chart only
     "org_types": [{"id", "label"}, ...],                       # "" = every organisation
     "views": {"": {"n", "suppressed", "message",
                    "charts": [{"id", "section", "title", "figure", "message",
                                "display"?, "unit"?, "unit_label"?}]}},
     "tables": {"summaries", "practices", "network", "organisations", "scores", "change",
                "themes", "network_previous" (the network measures of the previous wave),
                ...: {"columns", "dtypes", "data"}},  # protected tidy tables
     "network": {"respondents", "nodes": [...], "edges": [...]} | null,  # published names only
     "graph": {"graph", "nodes", "edges"} | null,  # the same graph keyed by organisation (private:
                                                   # the export's dynamic GEXF joins the waves on it)
     "audit": {table name: audit record}}   # how each table was protected (results.audit)

The views of each organisation type (the dashboards' filter) are computed only for the
dashboards (``ensure(..., by_org_type=True)``) and stored next to the result in
``….by_org_type.json`` (``{"version", "of": <key of the result>, "views": {type: view}}``);
:func:`~coopwork.fileio.load_with_breakdown` merges them into ``views``.

``figure`` is a plain plotly figure dict from :mod:`coopwork.figures` (without its template:
:func:`coopwork.figures.with_template` adds it) or ``None`` with a ``message`` saying why.
``key`` hashes everything the result reads; ``digest`` hashes its content: a display whose
result digest did not change has nothing new to show. The synthesis (``_all``) also holds the
tables ``overview``, ``scores_all``, ``practices_all``, ``practices_where`` and ``changes``.

Examples
--------
>>> from coopwork.paths import results_file
>>> results_file("/ws", "enquete", None, "2025", "fr", 3).as_posix()
'/ws/.coopwork/results/enquete/_all/2025.fr.k3.json'
"""

from __future__ import annotations

__all__: list[str] = []  # the modules are imported by name (see above): the package only presents them
