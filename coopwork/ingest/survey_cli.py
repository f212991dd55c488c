"""``coopwork survey draft EXPORT``, ``survey show XLSFORM`` and ``survey annotate XLSFORM``.

``draft`` writes a draft XLSForm inferred from an export (:func:`~coopwork.ingest.draft.draft_survey`)
to ``--output`` or ``<workspace>/surveys/<export>_draft.xlsx`` and prints its path on stdout
(what to do next goes to stderr). ``show`` lists the questions of an XLSForm by section of its
reports, each with how it will be shown or why not, and says whether it has a territory question;
with ``--json`` stdout holds exactly one JSON object describing the survey
(:func:`survey_summary`); the roles of the questions and where they come from (form, side file,
inferred) are listed too. ``annotate`` writes the roles to the side file ``<form>.coopwork.yml``
(:mod:`coopwork.survey.roles`), with ``--territory-question``, ``--role``, ``--identifier`` and
``--not-identifier`` applied, so that a deployed form need not be edited. Errors are
:class:`~coopwork.errors.CoopworkError` and reach ``coopwork.cli`` (one message, exit 2).

Examples
--------
>>> from coopwork.survey import Choice, Question, Survey
>>> q = Question("org_type", "select_one", labels={"fr": "Type"}, dimension="profile",
...              choices=(Choice("scop", {"fr": "SCOP"}),))
>>> summary = survey_summary(Survey("s", "Titre", "1", ["fr"], "fr", {"org_type": q}, {}))
>>> summary["questions"][0]["choices"]
['scop']
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from ..i18n import normalise_lang, t, user_lang
from ..progress import say
from ..results.questions import classify, display_text, section_labels, unit_label
from ..survey import Survey, load_survey
from ..survey.roles import resolve_roles, role_lines, roles_from_options, write_side_file

__all__ = ["show_lines", "survey_main", "survey_summary"]


def _codebook(survey: Survey) -> dict | None:
    """The free-text codebook beside the form (``codebook_<form id>.yml``), when there is one."""
    from ..analysis.freetext import load_codebook  # lazy: `survey draft` skips the analysis (~0.16 s)

    if survey.path is None:
        return None
    path = Path(survey.path).parent / f"codebook_{survey.survey_id}.yml"
    return load_codebook(path) if path.is_file() else None


def survey_summary(survey: Survey, *, lang: str | None = None) -> dict:
    """A JSON-ready description of ``survey`` (the ``--json`` output of ``coopwork survey show``): its
    questions with their role, and how each will be shown (``display``) or why not (``reason``), in
    which section and counting which unit (:func:`coopwork.results.questions.classify`)."""
    lang = normalise_lang(lang)
    shown = {d.question.name: d for d in classify(survey, codebook=_codebook(survey))}
    territory = survey.role("territory")
    return {
        "survey_id": survey.survey_id,
        "title": survey.title,
        "version": survey.version,
        "languages": survey.languages,
        "default_language": survey.default_language,
        "territory_question": territory.name if territory is not None else None,
        "questions": [
            {"name": q.name, "type": q.type, "label": q.label(None, survey.default_language),
             "dimension": q.dimension, "role": q.role, "identifier": q.identifier, "repeat": q.repeat,
             "required": q.required, "choices": [c.name for c in q.choices],
             "display": shown[q.name].display, "reason": shown[q.name].reason,
             "section": shown[q.name].section if shown[q.name].shown else None,
             "unit": shown[q.name].unit, "shown_as": display_text(shown[q.name], lang=lang)}
            for q in survey.questions.values()
        ],
        "role_sources": dict(survey.role_sources),
    }


def show_lines(survey: Survey, *, lang: str | None = None) -> list[str]:
    """Human listing of ``survey``: whether it has a territory question, then one block per section of
    its reports with, for each question, how it will be shown; then the questions left out and why.

    Examples
    --------
    >>> from coopwork.survey import Question, Survey
    >>> s = Survey("s", "Titre", None, ["fr"], "fr", {"ville": Question("ville", "text")}, {})
    >>> lines = show_lines(s, lang="en")
    >>> lines[1].startswith("No territory question: one report and one dashboard for all respondents")
    True
    >>> print("\\n".join(lines[2:6]))
    <BLANKLINE>
    [Questions]
      ville  (text)  ville
          → only how many answered (the texts are never published)
    """
    lang = normalise_lang(lang)
    lines = [t("ingest_readers.show_title", lang, title=survey.title, survey_id=survey.survey_id,
               n=len(survey.questions), languages=", ".join(survey.languages))]
    territory = survey.role("territory")
    lines.append(t("ingest_readers.show_territory", lang, name=territory.name) if territory is not None
                 else t("ingest_readers.show_no_territory", lang))
    displays = classify(survey, codebook=_codebook(survey))
    shown = [d for d in displays if d.shown]
    for section in section_labels(survey, [d.section for d in shown], lang=lang):
        lines += ["", f"[{section['label']}]"]
        for d in (d for d in shown if d.section == section["id"]):
            how = display_text(d, lang=lang)
            if d.table is not None:
                how += " — " + t("results.per_row_of", lang, unit=unit_label(survey, d, lang=lang))
            lines += [_question_line(survey, d.question, lang), f"      → {how}"]
    hidden = [d for d in displays if not d.shown and d.reason not in ("metadata", "note")]
    plain = {}  # metadata and notes: one line each, by name only (a form has many)
    for d in displays:
        if not d.shown and d.reason in ("metadata", "note"):
            plain.setdefault(d.reason, []).append(d)
    if hidden or plain:
        lines += ["", f"[{t('ingest_readers.show_left_out', lang)}]"]
        for d in hidden:
            lines += [_question_line(survey, d.question, lang), f"      → {display_text(d, lang=lang)}"]
        for group in plain.values():
            names = ", ".join(d.question.name for d in group)
            lines += [f"  {names}", f"      → {display_text(group[0], lang=lang)}"]
    roles = role_lines(survey.role_sources, form=survey.path, lang=lang, always=True)
    dropped = [t("ingest_readers.language_dropped", lang, language=code, count=len(cells),
                 cells="; ".join(cells)) for code, cells in survey.dropped_languages.items()]
    return lines + (["", *roles] if roles else []) + (["", *dropped] if dropped else [])


def _question_line(survey: Survey, q, lang: str) -> str:
    flags = [f"role={q.role}"] if q.role else []
    if q.identifier:
        flags.append(t("ingest_readers.show_identifier", lang))
    if q.repeat:
        flags.append(f"repeat={q.repeat}")
    kind = q.type + (f" {q.list_name}" if q.list_name else "")
    extra = f"  [{', '.join(flags)}]" if flags else ""
    return f"  {q.name}  ({kind})  {q.label(lang, survey.default_language)}{extra}"


def survey_main(args: argparse.Namespace) -> int:
    """Run ``coopwork survey draft|show``; return the exit code."""
    lang = user_lang()
    if args.survey_command == "draft":
        from .draft import draft_path, draft_survey  # lazy: `survey show` skips the readers (~0.3 s)

        workspace = getattr(args, "workspace", ".")
        output = Path(args.output) if args.output else draft_path(args.export, workspace)
        path = draft_survey(args.export, fmt=args.format, output=output)
        say(t("ingest_readers.draft_written", lang, path=path, export=Path(args.export).name))
        print(path)
        return 0
    if args.survey_command == "annotate":
        return _annotate(args, lang)
    survey = load_survey(args.xlsform)
    if getattr(args, "json", False):
        json.dump(survey_summary(survey, lang=lang), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print("\n".join(show_lines(survey, lang=lang)))
    return 0


def _annotate(args: argparse.Namespace, lang: str) -> int:
    """Write ``<form>.coopwork.yml`` with the resolved roles and the options; print its path."""
    survey = load_survey(args.xlsform)
    roles = roles_from_options(args.territory_question, args.role or ())
    survey = resolve_roles(survey, roles=roles, identifiers=args.identifier or ())
    dropped = set(args.not_identifier or ())
    if dropped:
        questions = {n: replace(q, identifier=False) if n in dropped else q
                     for n, q in survey.questions.items()}
        sources = {k: v for k, v in survey.role_sources.items() if k[11:] not in dropped
                   or not k.startswith("identifier:")}
        survey = replace(survey, questions=questions, role_sources=sources)
    path = write_side_file(survey, not_identifiers=sorted(dropped))
    say("\n".join(role_lines(survey.role_sources, lang=lang, always=True)))
    say(t("ingest_readers.annotate_written", lang, path=path, form=args.xlsform))
    print(path)
    return 0
