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

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fileio import RESULTS_VERSION, load, write_json
from ..i18n import LANGS
from ..paths import ALL, breakdown_file, dashboards_index, results_file
from ..threshold import DEFAULT_MIN_COUNT
from ..version import __version__
from .fingerprint import Fingerprint, fingerprint, key

if TYPE_CHECKING:
    from ..workspace import Workspace
    from .inputs import Inputs

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
    fp: Fingerprint,
    territory: str | None,
    wave: str,
    *,
    lang: str,
    min_count: int,
    territories: dict | None = None,
) -> str:
    """The key of one result: a hash of everything it reads (see the module docstring)."""
    previous = fp.previous_wave(territory, wave)
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


class _Source:
    """What :func:`ensure` reads: the fingerprint at once (light: read back from its cache when the
    inputs did not change), the tables (:class:`~.inputs.Inputs`, pandas) only when a result must be
    computed. A run that finds every result current never loads them."""

    def __init__(self, workspace: Workspace, inputs: Inputs | None = None,
                 fp: Fingerprint | None = None) -> None:
        self.workspace = workspace
        self._inputs = inputs
        self.fingerprint = inputs.fingerprint if inputs is not None else fp or fingerprint(workspace)
        self.survey_id = workspace.survey_id

    @property
    def inputs(self) -> Inputs:
        """The tables, loaded the first time a result has to be computed."""
        if self._inputs is None:
            from .inputs import Inputs  # lazy: a run with nothing to do imports no pandas (test_runner)

            self._inputs = Inputs(self.workspace, self.fingerprint)
        return self._inputs

    @property
    def survey(self) -> Any:
        """The workspace's survey."""
        return self.workspace.survey

    def label(self, territory: str, lang: str) -> str:
        """A territory's label in ``lang``."""
        return self.workspace.territory_label(territory, lang)

    def territories_in(self, wave: str) -> list[str]:
        """The territories that answered in ``wave``, sorted."""
        return [t for t in self.fingerprint.territories if wave in self.fingerprint.waves_of[t]]


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
    fingerprint: Fingerprint | None = None,
) -> list[Entry]:
    """Make sure the results asked for are on disk and current; compute only the stale ones.

    Whether a result is current is read from its key file (``<result>.key``: its key and digest),
    so a call that finds every result current reads neither the tables nor the results.

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
        result (:func:`~coopwork.paths.breakdown_file`); reports and exports do not read them.
    inputs
        The workspace's tables already loaded (:class:`~.inputs.Inputs`), when the caller has them.
    fingerprint
        The workspace's fingerprint, when the caller has it (else read here).

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
    source = _Source(workspace, inputs, fingerprint)
    waves_of = source.fingerprint.waves_of
    chosen = list(territories) if territories is not None else source.fingerprint.territories
    plan: list[tuple[str | None, str]] = []
    for territory in chosen:
        own = waves_of.get(territory, [])
        for wave in waves if waves is not None else own[-1:]:
            if wave in own:
                plan.append((territory, wave))
    if synthesis:
        for wave in waves if waves is not None else waves_of.get(ALL, [])[-1:]:
            if wave in waves_of.get(ALL, []):
                plan.append((None, wave))
    if jobs > 1:
        needed = {(t, w) for t, w in plan if t is not None}
        for wave in {w for t, w in plan if t is None}:  # what the syntheses read
            needed.update((territory, wave) for territory in source.territories_in(wave))
        syntheses = sorted({w for t, w in plan if t is None})
        _compute_in_parallel(source, sorted(needed), syntheses, langs=langs, min_count=min_count, jobs=jobs)
    entries: list[Entry] = []
    for lang in langs:
        for territory, wave in plan:
            if territory is None:
                entries.append(_ensure_synthesis(source, wave, lang=lang, min_count=min_count))
            else:
                entries.append(_ensure_one(source, territory, wave, lang=lang, min_count=min_count))
    if by_org_type:
        for entry in entries:
            _ensure_breakdown(source, entry)
    return entries


_shared: _Source | None = None  # what a forked worker inherits from its parent


def _compute_in_parallel(
    source: _Source,
    items: list[tuple[str, str]],
    syntheses: list[str],
    *,
    langs: tuple[str, ...],
    min_count: int,
    jobs: int,
) -> None:
    """Compute the stale results of ``items`` (territory, wave), then the stale syntheses of the
    waves ``syntheses``, in ``jobs`` processes forked from this one.

    The parent reads the workspace and does the per-wave work once before forking (only when
    something is stale); each task computes every language of one territory and wave (or one
    wave's synthesis), so the work that does not depend on the language (the network and its
    layout) is done once. Afterwards :func:`_ensure_one` finds every result current.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return
    stale = [
        (t, w)
        for t, w in items
        if any(_ensure_one(source, t, w, lang=lang, min_count=min_count, compute=False) is None
               for lang in langs)
    ]
    stale_waves = {w for _, w in stale}
    stale_syntheses = [w for w in syntheses if w in stale_waves or any(
        _synthesis_stale(source, w, lang=lang, min_count=min_count) for lang in langs)]
    if not stale and not stale_syntheses:
        return
    inputs = source.inputs
    for wave in sorted(stale_waves | set(stale_syntheses)):  # shared per-wave work, once
        data = inputs.wave(wave)
        _ = data.rows, data.relation_rows, [data.prepared(i) for i in inputs.published]
    _ = inputs.scores_of, inputs.codebook
    _fork(source, _compute_territory, [(t, w, langs, min_count) for t, w in stale], jobs)
    _fork(source, _compute_synthesis, [(w, langs, min_count) for w in stale_syntheses], jobs)


def _fork(source: _Source, task: Any, arguments: list[tuple], jobs: int) -> None:
    """Run ``task(*a)`` for every ``a`` in processes forked from this one (sharing ``source``)."""
    global _shared
    if len(arguments) < 2:  # not worth a process: the caller computes it
        return
    _shared = source
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


def key_file(path: Path) -> Path:
    """The key file of a result: ``<result>.key`` holds its key and digest (one line each).

    Written after the result and removed before it is rewritten, it tells whether a result is
    current without reading it.

    Examples
    --------
    >>> key_file(Path("/ws/.coopwork/results/s/a/2025.fr.k3.json")).name
    '2025.fr.k3.json.key'
    """
    return path.with_name(f"{path.name}.key")


def _head(path: Path) -> tuple[str, str] | None:
    """(key, digest) of the result at ``path``: from its key file, else from the result itself
    (then the key file is written for the next time); None when there is no readable result."""
    try:
        stored_key, digest = key_file(path).read_text(encoding="utf-8").split()
        if path.is_file():
            return stored_key, digest
    except (OSError, ValueError):
        pass
    data = load(path)
    if data is None or "key" not in data or "digest" not in data:
        return None
    _write_key_file(path, data["key"], data["digest"])
    return data["key"], data["digest"]


def _write_key_file(path: Path, result_key_: str, digest: str) -> None:
    tmp = key_file(path).with_name(f".{key_file(path).name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(f"{result_key_}\n{digest}\n", encoding="utf-8")
        os.replace(tmp, key_file(path))
    except OSError:  # a read-only workspace: the result is read each time
        tmp.unlink(missing_ok=True)


def _synthesis_stale(source: _Source, wave: str, *, lang: str, min_count: int) -> bool:
    """Whether the synthesis of ``wave`` must be computed (with every territory of the wave current)."""
    digests = {}
    for territory in source.territories_in(wave):
        stored = _ensure_one(source, territory, wave, lang=lang, min_count=min_count, compute=False)
        if stored is None:
            return True
        digests[territory] = stored.digest
    return _ensure_one(source, None, wave, lang=lang, min_count=min_count, territories=digests,
                       compute=False) is None


def _ensure_breakdown(source: _Source, entry: Entry) -> None:
    """The organisation-type views of a result, recomputed when the result's key changed."""
    from .views import breakdown  # lazy: a run with nothing to do imports no pandas (test_runner)

    path = breakdown_file(entry.path)
    head = load(path)
    if head is None or head.get("of") != entry.key:
        data = breakdown(source.inputs, entry.territory, entry.wave, lang=entry.lang,
                         min_count=entry.min_count)
        data["of"] = entry.key
        write_json(path, data)


def _ensure_synthesis(source: _Source, wave: str, *, lang: str, min_count: int) -> Entry:
    """The synthesis of a wave: ensured after the results of its territories, whose digests its
    key covers (each carries what the synthesis compares with its previous wave)."""
    here = {
        territory: _ensure_one(source, territory, wave, lang=lang, min_count=min_count)
        for territory in source.territories_in(wave)
    }

    def extra() -> dict:
        from .synthesis import synthesis_tables  # lazy: a run with nothing to do imports no pandas

        return synthesis_tables({k: load(e.path) for k, e in here.items()}, lang=lang, min_count=min_count)

    return _ensure_one(
        source,
        None,
        wave,
        lang=lang,
        min_count=min_count,
        territories={k: e.digest for k, e in here.items()},
        extra=extra,
    )


def _ensure_one(
    source: _Source,
    territory: str | None,
    wave: str,
    *,
    lang: str,
    min_count: int,
    territories: dict | None = None,
    extra: Any = None,
    compute: bool = True,
) -> Entry | None:
    """One result, computed when what is stored has not the key it must have (the synthesis gives
    its territories' digests, which its key covers, and ``extra``, its own tables); with
    ``compute=False``, None when it is stale (nothing is computed: is it current?)."""
    path = results_file(source.workspace.root, source.survey_id, territory, wave, lang, min_count)
    wanted = result_key(source.fingerprint, territory, wave, lang=lang, min_count=min_count,
                        territories=territories)
    head = _head(path)
    if head is None or head[0] != wanted:
        if not compute:
            return None
        from .audit import audit_tables  # lazy: a run with nothing to do imports no pandas (test_runner)
        from .views import compute as build  # lazy: a run with nothing to do imports no pandas

        data = build(source.inputs, territory, wave, lang=lang, min_count=min_count)
        if extra is not None:
            data["tables"].update(extra())
        data["audit"] = audit_tables(data["tables"], min_count=min_count)
        data["digest"] = key(data)
        data["key"] = wanted
        key_file(path).unlink(missing_ok=True)  # never a key file that names another result
        write_json(path, data)
        _write_key_file(path, wanted, data["digest"])
        head = (wanted, data["digest"])
    return Entry(territory, wave, lang, min_count, path, head[0], head[1])


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
    return survey.label_languages or list(LANGS)


def write_index(inputs: Inputs | _Source, *, langs: tuple[str, ...], min_count: int) -> dict:
    """Write the index the dashboards read (:func:`~coopwork.fileio.read_index`) and return it:
    the survey, its waves, the languages its dashboards offer, the territories' labels in each of
    them, the territories of each wave and each territory's current wave (all from the fingerprint:
    the tables are not read)."""
    fp = inputs.fingerprint
    territories = fp.territories
    offered = dashboard_languages(inputs.survey)
    index = {
        "version": RESULTS_VERSION,
        "survey_id": inputs.survey.survey_id,
        "title": inputs.survey.title,
        "waves": fp.waves_of.get(ALL, []),
        "min_count": int(min_count),
        "langs": list(langs),
        "dashboard_langs": offered,
        "territories": {lang: {tid: inputs.label(tid, lang) for tid in territories}
                        for lang in dict.fromkeys([*offered, *langs])},
        "available": {wave: [t for t in territories if wave in fp.waves_of[t]]
                      for wave in fp.waves_of.get(ALL, [])},
        "current": {tid: fp.current_wave(tid) for tid in territories},
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
    source = _Source(workspace)
    langs = tuple(dict.fromkeys(langs or ("fr", "en")))
    entries = ensure(
        workspace,
        by_org_type=by_org_type,
        territories=territories,
        waves=source.fingerprint.waves_of.get(ALL, []),
        langs=langs,
        min_count=min_count,
        jobs=os.cpu_count() or 1,
    )
    write_index(source, langs=langs, min_count=min_count)
    return entries
