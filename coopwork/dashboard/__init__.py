"""Voilà dashboards for participatory workshops (the journal they write to is :mod:`coopwork.journal`).

- the charts come from :mod:`coopwork.results` (every chart of a territory × wave × language, as JSON);
- the page a Voilà kernel shows (light: no pandas, no plotly): :mod:`coopwork.dashboard.page` — what it
  shows and does (:class:`~coopwork.dashboard.page.Dashboard`); :mod:`coopwork.dashboard.widgets` — its
  ipywidgets (filters, tabs, a chart with its notes, the note form); :mod:`coopwork.dashboard.charts` —
  a chart as the page receives it; :mod:`coopwork.dashboard.styles` — its CSS and HTML text;
  :mod:`coopwork.dashboard.notes` — its side of the journal; :mod:`coopwork.dashboard.assets` — its
  script and plotly.js, served by the dashboards' server;
- :mod:`coopwork.dashboard.serve` — ``coopwork serve``: notebooks, Voilà settings, workshop mode;
- :mod:`coopwork.dashboard.kernels` — the kernel manager that culls idle kernels but not the pool;
- :mod:`coopwork.dashboard.cli` — the ``coopwork serve`` handler (``coopwork journal``'s is in
  :mod:`coopwork.journal.cli`).
"""
