"""Voilà dashboards for participatory workshops (the journal they write to is :mod:`coopwork.journal`).

- the charts come from :mod:`coopwork.results` (every chart of a territory × wave × language, as JSON);
- :mod:`coopwork.dashboard.app` — the ipywidgets + plotly dashboard a Voilà kernel shows (light);
- :mod:`coopwork.dashboard.serve` — ``coopwork serve``: notebooks, Voilà settings, workshop mode;
- :mod:`coopwork.dashboard.kernels` — the kernel manager that culls idle kernels but not the pool;
- :mod:`coopwork.dashboard.cli` — ``coopwork serve`` and ``coopwork journal`` handlers.
"""
