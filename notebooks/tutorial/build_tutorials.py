"""Write the French and English tutorial notebooks from one source (run after editing this file).

    python notebooks/tutorial/build_tutorials.py

Both notebooks use only the public API (``coopwork.open_workspace``, ``coopwork.analysis``,
``coopwork.figures``, whose figure dicts ``figures.to_figure`` shows) and are executed end to end
by ``tests/test_tutorials.py``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent

# (kind, French, English): markdown cells differ by language, code cells are shared ("code", src, None)
CELLS = [
    ("md", """# Tutoriel coopwork : de l'enquête à la comparaison des territoires

Ce carnet suit le chemin d'une équipe de recherche-action : ouvrir l'espace de travail, lire le
questionnaire, faire un premier tableau croisé, un graphique d'échelles de Likert, le réseau de
coopération et la comparaison avec les autres territoires. Il n'utilise que l'API publique de
coopwork. Exécutez les cellules dans l'ordre (*Run → Run All Cells*).

Prérequis : `make demo` (ou `coopwork demo --no-run`) a créé l'espace de travail d'exemple.""",
     """# coopwork tutorial: from the survey to comparing territories

This notebook follows an action-research team: open the workspace, read the questionnaire, make a
first cross-tab, a Likert chart, the cooperation network and the comparison with the other
territories. It uses only coopwork's public API. Run the cells in order (*Run → Run All Cells*).

Prerequisite: `make demo` (or `coopwork demo --no-run`) has created the sample workspace."""),
    ("code", """# Paramètres / parameters
workspace = "../.."  # the repository is the demo workspace
territory = "pays_de_bray"
wave = None  # None: the latest wave
lang = "{lang}"
min_count = 3""", "parameters"),
    ("md", """## 1. Ouvrir l'espace de travail

Une ligne suffit. L'aperçu montre le nombre de réponses par territoire et par vague, et la règle
de confidentialité : aucune case calculée sur moins de `min_count` répondants n'est publiée.""",
     """## 1. Open the workspace

One line is enough. The preview shows the number of responses per territory and wave, and the
confidentiality rule: no cell computed from fewer than `min_count` respondents is published."""),
    ("code", """import coopwork
from coopwork import analysis, figures

ws = coopwork.open_workspace(workspace, min_count=min_count)
ws""", None),
    ("md", """## 2. Le questionnaire

Le questionnaire est un XLSForm. Ses questions sont rangées par dimension (gouvernance, confiance,
mutualisation…) grâce à la colonne `coopwork::dimension`.""",
     """## 2. The questionnaire

The questionnaire is an XLSForm. Its questions are grouped by dimension (governance, trust,
mutualisation…) through the `coopwork::dimension` column."""),
    ("code", """survey = ws.survey
survey""", None),
    ("code", """wave = wave or ws.latest_wave
responses = ws.responses(wave=wave)
print(len(responses), "responses,", len(ws.territories), "territories, wave", wave)""", None),
    ("md", """## 3. Un premier tableau croisé

Types d'organisation par territoire, en pourcentage de chaque territoire. La colonne `display`
est celle à publier : une case trop petite y apparaît comme « < 3 ». Le test d'association
(khi-deux, ou test exact pour les petits tableaux) dit si la différence peut être due au hasard.""",
     """## 3. A first cross-tab

Organisation types by territory, as a percentage of each territory. The `display` column is the
one to publish: a cell that is too small shows as "< 3". The association test (chi-square, or an
exact test for small tables) tells whether the difference could be chance."""),
    ("code", """table = analysis.crosstab(responses, survey, "_territory", "org_type", normalize="row",
                          lang=lang, min_count=min_count)
table.pivot(index="row_label", columns="column_label", values="display")""", None),
    ("code", """analysis.association_test(responses, survey, "_territory", "ptce_membre", lang=lang)""", None),
    ("md", """## 4. Un graphique d'échelles de Likert

Les questions de confiance de notre territoire, en barres divergentes : les désaccords à gauche,
les accords à droite. Le titre rappelle la base (le nombre de répondants). Les fonctions de
`coopwork.figures` rendent un simple dictionnaire (JSON) ; `figures.to_figure` en fait une figure
plotly à afficher.""",
     """## 4. A Likert chart

Our territory's trust questions as diverging bars: disagreement on the left, agreement on the
right. The title states the base (the number of respondents). The functions of `coopwork.figures`
return a plain dict (JSON); `figures.to_figure` turns it into a plotly figure to show."""),
    ("code", """import pandas as pd

ours = ws.responses(wave=wave, territory=territory)
trust = [q.name for q in survey.dimensions["trust"] if q.is_likert and q.repeat is None]
summaries = [analysis.summarise(ours, survey, name, lang=lang, min_count=min_count) for name in trust]
chart = figures.likert_chart(pd.concat(summaries, ignore_index=True), survey=survey, lang=lang)
figures.to_figure(chart)  # a plain dict → a plotly figure with the coopwork theme""", None),
    ("md", """## 5. Le réseau de coopération

Chaque organisation est un nœud, chaque partenariat déclaré un lien. Les organisations qui ont
refusé d'être nommées restent anonymes sur la figure. La mise en page est la même d'une exécution
à l'autre.""",
     """## 5. The cooperation network

Each organisation is a node, each declared partnership a tie. Organisations that asked not to be
named stay anonymous in the figure. The layout is the same from one run to the next."""),
    ("code", """graph = analysis.build_network(ws.relations(wave=wave), ws.responses(wave=wave), survey,
                               territory=territory, wave=wave)
analysis.network_stats(graph)""", None),
    ("code", """figures.to_figure(figures.network_chart(graph, survey=survey, lang=lang))""", None),
    ("md", """## 6. Où en est notre territoire par rapport aux autres ?

Les scores par dimension (moyenne des items de Likert ramenée sur 0–100) de notre territoire,
comparés aux autres territoires, avec leurs intervalles de confiance.""",
     """## 6. Where does our territory stand against the others?

Dimension scores (mean of the Likert items rescaled to 0–100) of our territory against the other
territories, with their confidence intervals."""),
    ("code", """scores = analysis.dimension_scores(ws.responses(), survey)
comparison = analysis.compare_scores(scores, territory=territory, wave=wave, min_count=min_count, lang=lang)
figures.to_figure(figures.scores_chart(comparison, survey=survey, lang=lang))""", None),
    ("md", """## Et ensuite ?

- `coopwork new-notebook mon_analyse` crée un carnet paramétré à partir du modèle ;
- `coopwork run --notebook notebooks/mon_analyse.ipynb` l'exécute pour chaque territoire.""",
     """## What next?

- `coopwork new-notebook my_analysis` creates a parameterised notebook from the template;
- `coopwork run --notebook notebooks/my_analysis.ipynb` runs it for every territory."""),
]


def build(lang: str) -> nbformat.NotebookNode:
    """The tutorial notebook in ``lang`` ("fr" or "en"), without outputs."""
    notebook = new_notebook(metadata={
        "kernelspec": {"name": "coopwork", "display_name": "Python (coopwork)", "language": "python"},
        "language_info": {"name": "python"}})
    for index, (kind, first, second) in enumerate(CELLS):
        if kind == "md":
            cell = new_markdown_cell(first if lang == "fr" else second)
        else:
            cell = new_code_cell(first.replace("{lang}", lang))
            if second == "parameters":
                cell.metadata["tags"] = ["parameters"]
        cell["id"] = f"tutorial-{lang}-{index}"
        notebook.cells.append(cell)
    return notebook


if __name__ == "__main__":
    for lang, name in (("fr", "tutoriel_fr.ipynb"), ("en", "tutorial_en.ipynb")):
        nbformat.write(build(lang), HERE / name)
