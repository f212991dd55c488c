"""``coopwork survey draft EXPORT``, ``survey show XLSFORM`` and ``survey annotate XLSFORM``.

``draft`` writes a draft XLSForm inferred from an export (:func:`~coopwork.ingest.draft.draft_survey`)
to ``--output`` or ``<workspace>/surveys/<export>_draft.xlsx`` and prints its path on stdout
(what to do next goes to stderr). ``show`` lists the questions of an XLSForm by dimension;
with ``--json`` stdout holds exactly one JSON object describing the survey
(:func:`survey_summary`); the roles of the questions and where they come from (form, side file,
inferred) are listed too. ``annotate`` writes the roles to the side file ``<form>.coopwork.yml``
(:mod:`coopwork.ingest.roles`), with ``--territory-question``, ``--role``, ``--identifier`` and
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
import os
import sys
from pathlib import Path

from ..i18n import normalise_lang, t
from ..progress import say
from ..survey import Survey, load_survey

__all__ = ["show_lines", "survey_main", "survey_summary"]


def _lang() -> str:
    return normalise_lang(os.environ.get("COOPWORK_LANG"))


def survey_summary(survey: Survey) -> dict:
    """A JSON-ready description of ``survey`` (the ``--json`` output of ``coopwork survey show``)."""
    return {
        "survey_id": survey.survey_id,
        "title": survey.title,
        "version": survey.version,
        "languages": survey.languages,
        "default_language": survey.default_language,
        "questions": [
            {"name": q.name, "type": q.type, "label": q.label(None, survey.default_language),
             "dimension": q.dimension, "role": q.role, "identifier": q.identifier, "repeat": q.repeat,
             "required": q.required, "choices": [c.name for c in q.choices]}
            for q in survey.questions.values()
        ],
        "role_sources": dict(survey.role_sources),
    }


def show_lines(survey: Survey, *, lang: str | None = None) -> list[str]:
    """Human listing of ``survey``: one block per dimension, one line per question.

    Examples
    --------
    >>> from coopwork.survey import Question, Survey
    >>> s = Survey("s", "Titre", None, ["fr"], "fr", {"ville": Question("ville", "text")}, {})
    >>> show_lines(s, lang="en")[1:4]
    ['', '[no dimension]', '  ville  (text)  ville']
    >>> show_lines(s, lang="en")[-2]
    'Roles of the questions:'
    """
    lang = normalise_lang(lang)
    lines = [t("ingest_readers.show_title", lang, title=survey.title, survey_id=survey.survey_id,
               n=len(survey.questions), languages=", ".join(survey.languages))]
    blocks: dict[str, list[str]] = {}
    for q in survey.questions.values():
        if not q.is_answer:
            continue
        flags = [f"role={q.role}"] if q.role else []
        if q.identifier:
            flags.append(t("ingest_readers.show_identifier", lang))
        if q.repeat:
            flags.append(f"repeat={q.repeat}")
        kind = q.type + (f" {q.list_name}" if q.list_name else "")
        extra = f"  [{', '.join(flags)}]" if flags else ""
        label = q.label(lang, survey.default_language)
        blocks.setdefault(q.dimension or "", []).append(f"  {q.name}  ({kind})  {label}{extra}")
    for dimension, rows in blocks.items():
        lines += ["", f"[{dimension or t('ingest_readers.show_no_dimension', lang)}]", *rows]
    from .roles import role_lines

    roles = role_lines(survey.role_sources, form=survey.path, lang=lang, always=True)
    dropped = [t("ingest_readers.language_dropped", lang, language=code, count=len(cells),
                 cells="; ".join(cells)) for code, cells in survey.dropped_languages.items()]
    return lines + (["", *roles] if roles else []) + (["", *dropped] if dropped else [])


def survey_main(args: argparse.Namespace) -> int:
    """Run ``coopwork survey draft|show``; return the exit code."""
    lang = _lang()
    if args.survey_command == "draft":
        from .draft import draft_path, draft_survey

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
        json.dump(survey_summary(survey), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print("\n".join(show_lines(survey, lang=lang)))
    return 0


def _annotate(args: argparse.Namespace, lang: str) -> int:
    """Write ``<form>.coopwork.yml`` with the resolved roles and the options; print its path."""
    from dataclasses import replace

    from .roles import resolve_roles, role_lines, roles_from_options, write_side_file

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
