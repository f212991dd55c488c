"""A small bilingual XLSForm written with openpyxl for the reader tests (generic, not the sample)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workbooks import write_workbook

SURVEY = [
    ["type", "name", "label::Français (fr)", "label::English (en)", "coopwork::role", "coopwork::identifier"],
    ["begin_group", "profil", "Profil", "Profile", "", ""],
    ["select_one terr", "territoire", "Territoire", "Territory", "territory", ""],
    ["text", "org_nom", "Nom de la structure", "Organisation name", "organisation", ""],
    ["select_one types", "org_type", "Type de structure", "Organisation type", "org_type", ""],
    ["end_group", "", "", "", "", ""],
    ["integer", "salaries", "Nombre de salariés", "Number of employees", "", ""],
    ["decimal", "budget", "Budget (k€)", "Budget (k€)", "", ""],
    ["select_multiple jours", "jours", "Jours d'ouverture", "Opening days", "", ""],
    ["select_multiple secteurs", "secteurs", "Secteurs", "Sectors", "", ""],
    ["text", "contact_email", "Courriel", "Email", "", "yes"],
    ["begin_repeat", "partenariats", "Partenariats", "Partnerships", "", ""],
    ["text", "partenaire_nom", "Partenaire", "Partner", "partner", ""],
    ["select_one intensite", "intensite", "Intensité", "Intensity", "", ""],
    ["end_repeat", "", "", "", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::Français (fr)", "label::English (en)"],
    ["terr", "bray", "Pays de Bray", "Pays de Bray"],
    ["terr", "matera", "Matera", "Matera"],
    ["types", "association", "Association", "Association"],
    ["types", "scop", "SCOP", "Worker cooperative"],
    ["types", "tiers_lieu", "Tiers-lieu", "Third place"],
    ["jours", "lun", "Lundi", "Monday"],
    ["jours", "mar", "Mardi", "Tuesday"],
    ["jours", "mer", "Mercredi", "Wednesday"],
    ["secteurs", "emploi", "Emploi", "Employment"],
    ["secteurs", "emploi_formation", "Emploi, formation", "Employment, training"],
    ["secteurs", "culture", "Culture", "Culture"],
    ["intensite", "faible", "Faible", "Weak"],
    ["intensite", "forte", "Forte", "Strong"],
]
SETTINGS = [["form_title", "form_id", "version", "default_language"],
            ["Petit test", "petit_test", "1", "Français (fr)"]]


def write_xlsform(path: Path, survey=SURVEY, choices=CHOICES, settings=SETTINGS) -> Path:
    """Write an XLSForm workbook from rows of cells."""
    return write_workbook(path, {"survey": survey, "choices": choices, "settings": settings})


@pytest.fixture(scope="session")
def small_form(tmp_path_factory) -> Path:
    """Path of the small bilingual test XLSForm."""
    return write_xlsform(tmp_path_factory.mktemp("form") / "petit_test.xlsx")


@pytest.fixture(scope="session")
def small_survey(small_form):
    """The small test survey as a Survey."""
    from coopwork.survey import load_survey

    return load_survey(small_form)


@pytest.fixture
def write_xlsx():
    """The function writing a workbook of plain sheets: ``write_xlsx(path, {title: rows})``."""
    return write_workbook
