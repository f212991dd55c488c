"""Survey definitions: an XLSForm read with pyxform into a :class:`Survey`.

The XLSForm (the ODK/KoboToolbox standard) is the codebook of everything downstream:
ingestion validates against it, analysis takes labels, choice order, dimensions and roles
from it. coopwork reads it with pyxform (through :func:`coopwork.survey.xlsform.parse_xlsform`),
so any form pyxform accepts is accepted here, and pyxform's own errors come back as a
:class:`~coopwork.errors.SurveyError` naming the file and row. A translation with broken cells
(a ``${name`` without ``}`` in a language the analysis does not need) is left out, every broken
cell listed in :attr:`Survey.dropped_languages`; a form broken where it matters is refused with
every broken cell listed at once.

The package holds the survey layer:

:mod:`~coopwork.survey.model`
    the form as data (:class:`Survey`, :class:`Question`, …) and how each question is shown
    (:func:`display_kind`);
:mod:`~coopwork.survey.xlsform`
    pyxform's reading of the file, broken translations set aside;
:mod:`~coopwork.survey.load`
    :func:`load_survey`, the form in order with its groups and repeats;
:mod:`~coopwork.survey.roles`
    the roles coopwork needs (territory, organisation, partner, …): the form's ``coopwork::``
    columns, else the side file ``<form>.coopwork.yml``, else inferred;
:mod:`~coopwork.survey.xpath`
    the form's expressions (relevance, constraints, calculations) run on a table of answers.

coopwork-specific columns of the survey sheet (passed through by pyxform):

``coopwork::dimension``
    indicator family (profile, ties, mutualisation, governance, trust, effects,
    transition, culture, trajectory).
``coopwork::identifier``
    ``yes`` for direct identifiers (names, emails, phones), pseudonymised at ingestion.
``coopwork::role``
    ``territory``, ``organisation``, ``org_type``, ``partner``, ``name_consent`` or ``weight``
    (see ``docs/architecture.md``).

Examples
--------
>>> from coopwork.demo import sample_survey_path
>>> survey = load_survey(sample_survey_path())
>>> survey.survey_id, survey.languages
('cooperation_territoriale', ['fr', 'en', 'it', 'pt', 'ro', 'hu', 'de'])
>>> survey.role("territory").name
'territoire'
"""

from ..paths import side_file_path
from .load import load_survey
from .model import (
    DISPLAYS,
    KEY_ROLES,
    NON_ANSWER_TYPES,
    NUMERIC_TYPES,
    REASONS,
    ROLES,
    SELECT_TYPES,
    Choice,
    Group,
    Question,
    Survey,
    display_kind,
    survey_from_dict,
    survey_to_dict,
)
from .xlsform import language_code

__all__ = ["DISPLAYS", "KEY_ROLES", "NON_ANSWER_TYPES", "NUMERIC_TYPES", "REASONS", "ROLES", "SELECT_TYPES",
           "Choice", "Group", "Question", "Survey", "display_kind", "language_code", "load_survey",
           "side_file_path", "survey_from_dict", "survey_to_dict"]

