"""Results on disk: one JSON file per key, written once, atomically; and the index of a workspace.

:func:`ensure` is the one entry point of every display: it fingerprints the workspace, works
out the key of each result asked for, computes only those whose key changed (sharing the work
of a wave between its territories) and returns what every consumer needs to know about each
result: its file and its *digest* (a hash of its content). A report, a dashboard page or an
export whose result has the same digest as last time has nothing new to show.

A result's key covers everything it reads (:func:`result_key`): the wave's rows of every
territory (the comparison with the others reads them), the territory's rows in its previous
wave (what changed), the XLSForm, the codebook, the language, the threshold, the results
version and the coopwork version. The synthesis (``territory=None``) is computed after the
territories of its wave and its key also covers their digests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..threshold import DEFAULT_MIN_COUNT
from ..version import __version__
from .audit import audit_tables
from .compute import Inputs, breakdown, compute
from .fingerprint import key
from .io import RESULTS_VERSION, load, write_json
from .paths import ALL, breakdown_file, dashboards_index, results_file

if TYPE_CHECKING:
    from ..workspace import Workspace

__all__ = ["Entry", "ensure", "prepare_all", "result_key", "write_index"]


@dataclass(frozen=True)
class Entry:
    """One result on disk: where it is, the key it was computed for and the digest of its content."""

    territory: str | None
    wave: str
    lang: str
    min_count: int
    path: Path
    key: str
    digest: str


def result_key(
    inputs: Inputs,
    territory: str | None,
    wave: str,
    *,
    lang: str,
    min_count: int,
    territories: dict | None = None,
) -> str:
    """The key of one result: a hash of everything it reads (see the module docstring)."""
    fp = inputs.fingerprint
    previous = inputs.previous_wave(territory, wave)
    earlier = fp.wave(previous) if territory is None else fp.slice(previous, territory)
    return key(
        RESULTS_VERSION,
        __version__,
        fp.survey,
        fp.codebook,
        territory,
        wave,
        fp.wave(wave),
        previous,
        earlier,
        lang,
        int(min_count),
        territories or {},
    )


def ensure(
    workspace: Workspace,
    *,
    territories: list[str] | None = None,
    waves: list[str] | None = None,
    langs: tuple[str, ...] = ("fr",),
    min_count: int = DEFAULT_MIN_COUNT,
    synthesis: bool = True,
    by_org_type: bool = False,
    jobs: int = 1,
    inputs: Inputs | None = None,
) -> list[Entry]:
    """Make sure the results asked for are on disk and current; compute only the stale ones.

    Parameters
    ----------
    workspace
        An open workspace.
    territories
        Territory ids (default: all). Each gets the results of ``waves`` it has rows in.
    waves
        Waves (default: each territory's own latest wave; the synthesis of the latest wave).
    langs
        Languages of the texts.
    min_count
        Disclosure threshold.
    synthesis
        Also the results of all territories together (``territory`` None), per wave.
    jobs
        Processes computing the stale results of territories side by side (forked from this one,
        which has read the workspace; 1: in this process, as inside a Jupyter kernel).
    by_org_type
        Also the views of each organisation type (the dashboards' filter), written next to each
        result (:func:`~coopwork.results.paths.breakdown_file`); reports and exports do not read them.

    Returns
    -------
    list of Entry
        One per result, territories first, then the synthesis of each wave.

    Examples
    --------
    >>> entries = ensure(open_workspace(path), langs=("fr", "en"))  # doctest: +SKIP
    >>> load(entries[0].path)["views"][""]["charts"][0]["id"]  # doctest: +SKIP
    'network'
    """
    inputs = inputs or Inputs(workspace)
    chosen = list(territories) if territories is not None else [t for t in inputs.waves_of if t != ALL]
    plan: list[tuple[str | None, str]] = []
    for territory in chosen:
        own = inputs.waves_of.get(territory, [])
        for wave in waves if waves is not None else own[-1:]:
            if wave in own:
                plan.append((territory, wave))
    if synthesis:
        for wave in waves if waves is not None else inputs.waves_of.get(ALL, [])[-1:]:
            if wave in inputs.waves_of.get(ALL, []):
                plan.append((None, wave))
    if jobs > 1:
        needed = {(t, w) for t, w in plan if t is not None}
        for wave in {w for t, w in plan if t is None}:  # what the syntheses read
            needed.update((territory, wave) for territory in inputs.wave(wave).rows)
        syntheses = sorted({w for t, w in plan if t is None})
        _compute_in_parallel(inputs, sorted(needed), syntheses, langs=langs, min_count=min_count, jobs=jobs)
    entries: list[Entry] = []
    for lang in langs:
        for territory, wave in plan:
            if territory is None:
                entries.append(_ensure_synthesis(inputs, wave, lang=lang, min_count=min_count))
            else:
                entries.append(_ensure_one(inputs, territory, wave, lang=lang, min_count=min_count))
    if by_org_type:
        for entry in entries:
            _ensure_breakdown(inputs, entry)
    return entries


_shared: Inputs | None = None  # the Inputs a forked worker inherits from its parent


def _compute_in_parallel(
    inputs: Inputs,
    items: list[tuple[str, str]],
    syntheses: list[str],
    *,
    langs: tuple[str, ...],
    min_count: int,
    jobs: int,
) -> None:
    """Compute the stale results of ``items`` (territory, wave), then the syntheses of the waves
    ``syntheses``, in ``jobs`` processes forked from this one.

    The parent reads the workspace and does the per-wave work once before forking; each task
    computes every language of one territory and wave (or one wave's synthesis), so the work
    that does not depend on the language (the network and its layout) is done once. Afterwards
    :func:`_ensure_one` finds every result current.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return
    stale = [
        (t, w)
        for t, w in items
        if any(_stored(inputs, t, w, lang=lang, min_count=min_count)[2] is None for lang in langs)
    ]
    for wave in sorted({w for _, w in stale} | set(syntheses)):  # shared per-wave work, once
        data = inputs.wave(wave)
        _ = data.rows, data.relation_rows, [data.prepared(i) for i in inputs.published]
    _ = inputs.scores_of, inputs.codebook
    _fork(inputs, _compute_territory, [(t, w, langs, min_count) for t, w in stale], jobs)
    _fork(inputs, _compute_synthesis, [(w, langs, min_count) for w in syntheses], jobs)


def _fork(inputs: Inputs, task: Any, arguments: list[tuple], jobs: int) -> None:
    """Run ``task(*a)`` for every ``a`` in processes forked from this one (sharing ``inputs``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _shared
    if len(arguments) < 2:  # not worth a process: the caller computes it
        return
    _shared = inputs
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(jobs, len(arguments)), mp_context=context) as pool:
            for future in [pool.submit(task, *a) for a in arguments]:
                future.result()
    finally:
        _shared = None


def _compute_territory(territory: str, wave: str, langs: tuple[str, ...], min_count: int) -> None:
    """In a forked worker: one territory's results of one wave, in every language."""
    for lang in langs:
        _ensure_one(_shared, territory, wave, lang=lang, min_count=min_count)


def _compute_synthesis(wave: str, langs: tuple[str, ...], min_count: int) -> None:
    """In a forked worker: the synthesis of one wave, in every language."""
    for lang in langs:
        _ensure_synthesis(_shared, wave, lang=lang, min_count=min_count)


def _stored(
    inputs: Inputs,
    territory: str | None,
    wave: str,
    *,
    lang: str,
    min_count: int,
    territories: dict | None = None,
) -> tuple[Path, str, dict | None]:
    """Where a result lives, the key it must have, and what is stored there when it has that key."""
    path = results_file(inputs.workspace.root, inputs.survey.survey_id, territory, wave, lang, min_count)
    wanted = result_key(inputs, territory, wave, lang=lang, min_count=min_count, territories=territories)
    head = load(path)
    return path, wanted, head if head is not None and head.get("key") == wanted else None


def _ensure_breakdown(inputs: Inputs, entry: Entry) -> None:
    """The organisation-type views of a result, recomputed when the result's key changed."""
    path = breakdown_file(entry.path)
    head = load(path)
    if head is None or head.get("of") != entry.key:
        data = breakdown(inputs, entry.territory, entry.wave, lang=entry.lang, min_count=entry.min_count)
        data["of"] = entry.key
        write_json(path, data)


def _ensure_synthesis(inputs: Inputs, wave: str, *, lang: str, min_count: int) -> Entry:
    """The synthesis of a wave: ensured after the results of its territories, whose digests its
    key covers (each carries what the synthesis compares with its previous wave)."""
    from .synthesis import synthesis_tables

    here = {
        territory: _ensure_one(inputs, territory, wave, lang=lang, min_count=min_count)
        for territory in sorted(inputs.wave(wave).rows)
    }

    def extra() -> dict:
        return synthesis_tables({k: load(e.path) for k, e in here.items()}, lang=lang, min_count=min_count)

    return _ensure_one(
        inputs,
        None,
        wave,
        lang=lang,
        min_count=min_count,
        territories={k: e.digest for k, e in here.items()},
        extra=extra,
    )


def _ensure_one(
    inputs: Inputs,
    territory: str | None,
    wave: str,
    *,
    lang: str,
    min_count: int,
    territories: dict | None = None,
    extra: Any = None,
) -> Entry:
    path, wanted, head = _stored(
        inputs, territory, wave, lang=lang, min_count=min_count, territories=territories
    )
    if head is None:
        data = compute(inputs, territory, wave, lang=lang, min_count=min_count)
        if extra is not None:
            data["tables"].update(extra())
        data["audit"] = audit_tables(data["tables"], min_count=min_count)
        data["digest"] = key(data)
        data["key"] = wanted
        write_json(path, data)
        head = data
    return Entry(territory, wave, lang, min_count, path, head["key"], head["digest"])


def dashboard_languages(survey) -> list[str]:
    """The languages a dashboard offers: the interface languages the form also has labels for
    (every interface language when the form's labels name no language).

    Examples
    --------
    >>> from coopwork.survey import load_survey
    >>> from coopwork.demo import sample_survey_path
    >>> dashboard_languages(load_survey(sample_survey_path()))
    ['fr', 'en', 'it', 'pt', 'ro', 'hu', 'de']
    """
    from ..i18n import LANGS

    return survey.label_languages or list(LANGS)


def write_index(inputs: Inputs, *, langs: tuple[str, ...], min_count: int) -> dict:
    """Write the index the dashboards read (:func:`~coopwork.results.io.read_index`) and return it:
    the survey, its waves, the languages its dashboards offer, the territories' labels in each of
    them, the territories of each wave and each territory's current wave."""
    territories = [tid for tid in inputs.waves_of if tid != ALL]
    offered = dashboard_languages(inputs.survey)
    index = {
        "version": RESULTS_VERSION,
        "survey_id": inputs.survey.survey_id,
        "title": inputs.survey.title,
        "waves": inputs.waves_of.get(ALL, []),
        "min_count": int(min_count),
        "langs": list(langs),
        "dashboard_langs": offered,
        "territories": {lang: {tid: inputs.label(tid, lang) for tid in territories}
                        for lang in dict.fromkeys([*offered, *langs])},
        "available": {wave: sorted(inputs.wave(wave).rows) for wave in inputs.waves_of.get(ALL, [])},
        "current": {tid: inputs.current_wave(tid) for tid in territories},
    }
    write_json(dashboards_index(inputs.workspace.root), index)
    return index


def prepare_all(
    workspace: Workspace,
    *,
    territories: list[str] | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    langs: tuple[str, ...] | None = None,
    by_org_type: bool = False,
) -> list[Entry]:
    """Every wave's results of the territories (default: all) and the syntheses, in every interface
    language, plus the index: what the dashboards of a workshop read (``coopwork serve``,
    ``coopwork demo``). ``by_org_type`` also prepares the views of each organisation type (a
    workshop's territory); otherwise a dashboard computes them when its filter is first used.
    ``langs`` defaults to French and English; a dashboard computes another language it offers
    when its button is first pressed (``coopwork serve --lang`` prepares its own language too)."""
    inputs = Inputs(workspace)
    langs = tuple(dict.fromkeys(langs or ("fr", "en")))
    entries = ensure(
        workspace,
        by_org_type=by_org_type,
        territories=territories,
        waves=inputs.waves_of.get(ALL, []),
        langs=langs,
        min_count=min_count,
        jobs=os.cpu_count() or 1,
        inputs=inputs,
    )
    write_index(inputs, langs=langs, min_count=min_count)
    return entries
