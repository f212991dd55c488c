"""Fixtures of the analysis tests: a small bilingual XLSForm and synthetic processed responses.

The responses have the processed-table shape of ``docs/architecture.md``: meta columns then one
typed column per top-level question. Territory ``t3`` has exactly **two** respondents: the
disclosure tests check it never shows through any builder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from coopwork.survey import Survey, load_survey

SURVEY_ROWS = [
    # type, name, label fr, label en, relevant, appearance, dimension, role
    ("select_one territoires", "territoire", "Territoire", "Territory", "", "", "profile", "territory"),
    ("text", "org_nom", "Nom de l'organisation", "Organisation name", "", "", "profile", "organisation"),
    ("select_one types", "org_type", "Type d'organisation", "Type of organisation", "", "", "profile",
     "org_type"),
    ("select_one oui_non", "consent_nom", "Accord pour être nommé", "", "", "", "", "name_consent"),
    ("select_one oui_non", "mutualise", "Mutualisez-vous des ressources ?", "Do you pool resources?", "", "",
     "mutualisation", ""),
    ("select_multiple formes", "formes", "Quelles ressources ?", "Which resources?", "${mutualise} = 'oui'",
     "", "mutualisation", ""),
    ("integer", "salaries", "Nombre de salariés", "Number of employees", "", "", "profile", ""),
    ("select_one likert5", "conf_engagements", "Nos partenaires tiennent parole", "Partners keep their word",
     "", "likert", "trust", ""),
    ("select_one likert5", "conf_info", "Nous partageons l'information", "We share information", "",
     "likert", "trust", ""),
    ("select_one likert5", "conf_conflits", "Les conflits nous paralysent", "Conflicts paralyse us", "",
     "likert", "trust", ""),
    ("select_one likert5", "gouv_decisions", "Décisions partagées", "Shared decisions", "", "likert",
     "governance", ""),
    ("select_one likert5", "gouv_habitants", "Les habitants participent", "Residents take part", "", "likert",
     "governance", ""),
    ("decimal", "poids", "Poids", "Weight", "", "", "", "weight"),
    ("text", "avis", "Qu'est-ce qui a changé ?", "What has changed?", "", "multiline", "trajectory", ""),
]

CHOICES = [
    ("territoires", "t1", "Pays de Vilaine", "Vilaine country"),
    ("territoires", "t2", "Thiers", "Thiers"),
    ("territoires", "t3", "Petit village", "Small village"),
    ("territoires", "t4", "Territoire sans réponse", "Territory without answers"),
    ("types", "association", "Association", "Association"),
    ("types", "scop", "SCOP", "Worker cooperative"),
    ("types", "scic", "SCIC", ""),  # no English label: falls back to French
    ("types", "collectivite", "Collectivité", "Local authority"),
    ("oui_non", "oui", "Oui", "Yes"),
    ("oui_non", "non", "Non", "No"),
    ("formes", "locaux", "Locaux", "Premises"),
    ("formes", "emplois", "Emplois partagés", "Shared jobs"),
    ("formes", "achats", "Achats groupés", "Joint purchasing"),
    *[("likert5", str(i), f"niveau {i}", f"level {i}") for i in range(1, 6)],
]


def write_form(path: Path, rows=SURVEY_ROWS, choices=CHOICES) -> Path:
    """Write a bilingual XLSForm with coopwork columns (openpyxl)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label::Français (fr)", "label::English (en)", "relevant", "appearance",
                  "coopwork::dimension", "coopwork::role"])
    for row in rows:
        sheet.append(list(row))
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", "label::Français (fr)", "label::English (en)"])
    for row in choices:
        sheet.append(list(row))
    sheet = book.create_sheet("settings")
    sheet.append(["form_id", "form_title", "default_language", "version"])
    sheet.append(["toy", "Toy survey", "Français (fr)", "1"])
    book.save(path)
    return path


@pytest.fixture(scope="session")
def toy_survey(tmp_path_factory) -> Survey:
    return load_survey(write_form(tmp_path_factory.mktemp("form") / "toy.xlsx"))


def make_responses(sizes: dict[str, int], *, wave: str = "2025", seed: int = 7) -> pd.DataFrame:
    """Synthetic processed responses of the toy survey, ``sizes`` = respondents per territory."""
    rng = np.random.default_rng(seed)
    rows = []
    for territory, size in sizes.items():
        for i in range(size):
            mutualise = rng.choice(["oui", "non", None], p=[0.55, 0.4, 0.05])
            formes = None
            if mutualise == "oui":
                picked = [f for f in ("locaux", "emplois", "achats") if rng.random() < 0.5]
                formes = " ".join(picked) if picked else ("locaux" if rng.random() < 0.8 else None)
            trust = rng.normal()

            def likert(latent, _rng=rng):
                if _rng.random() < 0.08:
                    return None
                return str(int(np.clip(round(3 + latent + _rng.normal(scale=0.8)), 1, 5)))

            rows.append({
                "_submission_id": f"{wave}-{territory}-{i}",
                "_wave": wave,
                "_territory": territory,
                "_submitted_at": pd.Timestamp("2025-06-01", tz="UTC"),
                "_source": "0123456789ab",
                "territoire": territory,
                "org_nom": f"Organisation {territory}-{i}",
                "org_type": rng.choice(["association", "scop", "scic", "collectivite"],
                                       p=[0.5, 0.2, 0.2, 0.1]),
                "consent_nom": rng.choice(["oui", "non"], p=[0.7, 0.3]),
                "mutualise": mutualise,
                "formes": formes,
                "salaries": None if rng.random() < 0.1 else int(rng.integers(0, 60)),
                "conf_engagements": likert(trust),
                "conf_info": likert(trust),
                "conf_conflits": likert(-trust),
                "gouv_decisions": likert(0.5),
                "gouv_habitants": likert(-0.5),
                "poids": float(rng.choice([0.5, 1.0, 2.0])),
                "avis": None if rng.random() < 0.3 else str(rng.choice([
                    "Nous mutualisons des locaux", "Plus de confiance entre nous",
                    "Des tensions sur la gouvernance", "Rien de particulier",
                    "Un emploi partagé avec la SCIC"])),
            })
    frame = pd.DataFrame(rows)
    types = {"salaries": "Int64", "poids": "Float64"}
    for column in frame.columns:
        if column == "_submitted_at":
            continue
        frame[column] = frame[column].astype(types.get(column, "string"))
    return frame


@pytest.fixture
def toy_responses() -> pd.DataFrame:
    """Two waves; t1 = 25, t2 = 18, t3 = 2 respondents per wave; t4 never answers."""
    return pd.concat([make_responses({"t1": 25, "t2": 18, "t3": 2}, wave="2025", seed=1),
                      make_responses({"t1": 25, "t2": 18, "t3": 2}, wave="2026", seed=2)],
                     ignore_index=True)


def wilson_by_hand(x: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z√(p(1-p)/n + z²/4n²)) / (1 + z²/n), written out in full."""
    import math

    p = x / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)


@pytest.fixture
def wilson():
    """The textbook Wilson interval, computed independently of coopwork."""
    return wilson_by_hand
