"""Seeded synthetic exports of the sample survey, in KoboToolbox shape (fictional data).

:func:`generate_demo` writes, into ``<workspace>/data/raw/``, what a research team would
download from KoboToolbox after two survey waves (``2025`` and ``2026``) in N territories:

``cooperation_territoriale_<wave>.xlsx``
    the **Kobo XLSX** export of the wave, all territories: the first sheet is the main table
    (named after the form title cut to 31 characters, as Kobo does), the sheet
    ``partenariats`` holds the repeat group (the cooperation network), linked by
    ``_parent_index`` → main ``_index`` and ``_submission__uuid`` → main ``_uuid``.
    **These are the files ``coopwork demo`` ingests.**
``csv/cooperation_territoriale_<wave>_<territory>.csv``
    the **Kobo CSV** export of the same submissions, one file per territory: ``;`` separator,
    every field quoted, headers are XML names with group prefixes (``profil/territoire``),
    select_multiple as one space-separated column followed by one ``question/option`` 0/1
    column per option, Kobo meta columns at the end, no repeat groups (Kobo drops them).

The data model (documented in ``docs/sample_survey.md``): each territory has a latent
cooperation *maturity*; each organisation an *openness* trait and a type (association, SCOP,
SCIC, collectivité…); Likert answers, mutualisation, effects and ties derive from these traits
plus noise, so answers are correlated, not uniform noise. Ties form a network with hubs
(collectivités, tiers-lieux, PTCE); some named partners never answer; ≈ 88 % of the ties
persist between waves and new ones appear; partner names carry small typos and case
variants. Optional answers are missing for ≈ 5–15 % (free text more often), ``relevant``
conditions are respected, and a few defects are planted: one duplicate submission (same
``_uuid``), one out-of-range number of employees (99999), one submission without territory.
Person names, emails (``@example.org``) and phone numbers (the ``01 99 00`` fiction range)
are fake.

Same seed → byte-identical files (the XLSX too: see :mod:`coopwork.demo.xlsx`).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     files = generate_demo(folder, territories=1)
...     [f.name for f in files]
['cooperation_territoriale_2025.xlsx', 'cooperation_territoriale_2026.xlsx', \
'cooperation_territoriale_2025_pays_de_bray.csv', 'cooperation_territoriale_2026_pays_de_bray.csv']
"""

from __future__ import annotations

import bisect
import csv
import io
import math
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from ..errors import CoopworkError
from ..paths import raw_dir, surveys_dir
from ..survey import load_survey
from . import REPO_SURVEYS
from .form import FORM_ID, SETTINGS, build_sample_survey, territory_choices, write_if_changed
from .xlsx import sheet_title, xlsx_bytes

__all__ = ["DEFECTS", "KOBO_META", "WAVES", "demo_files", "ensure_survey", "generate_demo"]

WAVES = ("2025", "2026")
#: Kobo meta columns of the main table, in export order
KOBO_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "_index")
#: Kobo link/meta columns of a repeat sheet, in export order
KOBO_REPEAT_META = ("_index", "_parent_table_name", "_parent_index", "_submission__id",
                    "_submission__uuid", "_submission__submission_time",
                    "_submission__validation_status", "_submission__notes", "_submission__status",
                    "_submission__submitted_by", "_submission___version__", "_submission__tags")
#: the planted defects: kind → (wave, what)
DEFECTS = {
    "duplicate": ("2025", "one submission exported twice with the same _uuid"),
    "out_of_range": ("2026", "salaries = 99999 (constraint 0..5000)"),
    "no_territory": ("2026", "one submission without territory"),
}
_MAX_PARTNERS = 10

# --------------------------------------------------------------------------------------------
# territories and names (fictional organisations in real places)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    country: str
    places: tuple[str, ...]
    association: tuple[str, ...]      # templates with {place} / {theme}
    authority: tuple[str, ...]        # templates with {place}
    maturity: float                   # latent cooperation maturity
    culture: float                    # cultural dynamism (ECoC legacy)


_FR_ASSOC = ("Association {theme} {place}", "Les Amis de {place}", "Collectif {theme}",
             "Maison des Initiatives de {place}", "Comité des Fêtes de {place}")
_PLACES = {
    "pays_de_bray": _Place("fr", ("Forges-les-Eaux", "Gournay-en-Bray", "Neufchâtel-en-Bray",
                                  "Saint-Saëns", "Argueil", "la Béthune", "l'Epte", "Bray"),
                           _FR_ASSOC, ("Mairie de {place}", "Communauté de communes de {place}",
                                       "CCAS de {place}"), 0.6, -0.3),
    "timisoara": _Place("ro", ("Timișoara", "Fabric", "Iosefin", "Elisabetin", "Banat", "Bega"),
                        ("Asociația {theme_ro}", "Asociația Prietenii {place}", "Fundația {place}"),
                        ("Primăria {place}", "Consiliul Județean {place}"), -0.4, 0.8),
    "veszprem": _Place("hu", ("Veszprém", "Balaton", "Bakony", "Várhegy", "Jutas"),
                       ("{place} Egyesület", "{place} Közösségi Egyesület", "{place} Alapítvány"),
                       ("{place} Önkormányzat", "{place} Megyei Jogú Város"), -0.2, 0.7),
    "esch_sur_alzette": _Place("lu", ("Esch", "Belval", "Alzette", "Minett", "Schifflange"),
                               ("asbl {theme} {place}", "Les Amis de {place} asbl", "Collectif {theme}"),
                               ("Ville d'{place}", "Administration communale d'{place}"), 0.3, 0.6),
    "guimaraes": _Place("pt", ("Guimarães", "Minho", "Couros", "Penha", "Ave"),
                        ("Associação {theme_pt} {place}", "Cooperativa Cultural {place}"),
                        ("Câmara Municipal de {place}", "Junta de Freguesia de {place}"), 0.0, 0.4),
    "matera": _Place("it", ("Matera", "Sassi", "Murgia", "Basilicata", "Lanera"),
                     ("Associazione {theme_it} {place}", "Cooperativa Sociale {place}"),
                     ("Comune di {place}", "Provincia di {place}"), 0.1, 0.5),
}
_GENERIC = _Place("fr", ("Val-Vert", "Plaine", "Coteaux", "Rivière", "Bourg", "Forêt"), _FR_ASSOC,
                  ("Mairie de {place}", "Communauté de communes de {place}"), 0.0, 0.0)

_THEMES = ("Solidaire", "en Transition", "Partagé", "Vivant", "des Possibles", "Commun",
           "Citoyen", "Durable", "Ensemble", "Nature et Culture")
_THEMES_RO = ("Comunitatea Verde", "Împreună", "Orașul Viu", "Cultura Deschisă")
_THEMES_PT = ("Viver Juntos", "Terra Viva", "Cultura Comum", "Mãos Dadas")
_THEMES_IT = ("Terra Comune", "Vivere Insieme", "Cultura Aperta", "Mani Unite")
_TYPE_TEMPLATES = {
    "scop": ("SCOP {craft} de {place}", "SCOP {craft} {theme}", "Les Ateliers {craft} de {place}"),
    "scic": ("SCIC Énergies de {place}", "SCIC {craft} {theme}", "SCIC Alimentation {place}",
             "SCIC Mobilités de {place}"),
    "entreprise": ("{craft} {place} SARL", "Boulangerie de {place}", "Garage de {place}",
                   "{craft} et Fils", "Imprimerie de {place}", "Brasserie de {place}"),
    "tiers_lieu": ("Tiers-lieu La Fabrique de {place}", "La Ruche de {place}", "Tiers-lieu Le Hangar",
                   "La Manufacture {theme}", "Fablab de {place}"),
    "siae": ("Chantier d'insertion de {place}", "Ressourcerie {theme}", "Régie de quartier de {place}",
             "Atelier d'insertion {craft}"),
    "ebe_tzcld": ("EBE {place}", "Entreprise à But d'Emploi de {place}"),
    "ptce": ("PTCE {place} Coopère", "Pôle Coopératif de {place}"),
    "ges": ("Groupe {theme} de {place}", "GES {craft} {place}"),
    "autre": ("Fondation {theme}", "Mutuelle de {place}", "Banque Coopérative de {place}",
              "Lycée Agricole de {place}"),
}
_CRAFTS = ("Bois", "Bâtiment", "Numérique", "Maraîchage", "Réemploi", "Vélo", "Textile", "Bio",
           "Menuiserie", "Éco-construction", "Conseil", "Solaire")
_TYPE_SHARES = {  # (France, elsewhere)
    "association": (0.30, 0.36), "entreprise": (0.13, 0.18), "collectivite": (0.07, 0.08),
    "scop": (0.08, 0.06), "scic": (0.08, 0.04), "tiers_lieu": (0.08, 0.08), "siae": (0.08, 0.06),
    "ebe_tzcld": (0.04, 0.0), "ptce": (0.02, 0.0), "ges": (0.04, 0.03), "autre": (0.08, 0.11),
}
_TYPE_COOP = {"scic": 0.6, "ptce": 0.9, "tiers_lieu": 0.6, "collectivite": 0.4, "ges": 0.4,
              "ebe_tzcld": 0.5, "siae": 0.3, "scop": 0.2, "association": 0.1, "entreprise": -0.4,
              "autre": -0.2}
_HUBS = {"collectivite": 2.5, "ptce": 3.0, "tiers_lieu": 1.8, "ges": 1.5, "scic": 1.4}
_FIRST = ("Camille", "Nathalie", "Julien", "Sophie", "Mathieu", "Claire", "Thomas", "Élodie", "Karim",
          "Andreea", "Mihai", "Ioana", "Zsófia", "Bence", "Réka", "João", "Inês", "Giulia", "Marco",
          "Luca", "Anne", "Paul", "Lea", "Yann")
_LAST = ("Martin", "Lefebvre", "Dubois", "Moreau", "Girard", "Popescu", "Ionescu", "Nagy", "Kovács",
         "Silva", "Ferreira", "Rossi", "Bianchi", "Schmit", "Weber", "Muller", "Bernard", "Petit")

_EVOLUTION = {
    "up": ("Nous avons lancé un groupement d'achats avec deux structures voisines.",
           "La mutualisation des locaux nous a fait gagner du temps et de l'argent.",
           "Le tiers-lieu est devenu un vrai point de rencontre entre acteurs du territoire.",
           "Nous partageons désormais un poste de coordinateur avec une SCIC.",
           "Les rencontres organisées l'an dernier ont créé de la confiance.",
           "On se connaît mieux, on se téléphone plus facilement.",
           "Un projet commun de circuit court a démarré avec les producteurs locaux."),
    "flat": ("Peu de changements : nous manquons de temps pour coopérer.",
             "Les partenariats restent les mêmes qu'avant.",
             "rien de particulier",
             "Difficile à dire, l'année a été chargée."),
    "down": ("Le départ de notre coordinatrice a ralenti nos projets communs.",
             "Les financements publics ont baissé, nous avons dû réduire nos partenariats.",
             "Des tensions sur la gouvernance du projet commun nous ont éloignés.",
             "La fermeture du local partagé a cassé une dynamique."),
}
_EXPECTATIONS = ("Mieux connaître les autres structures du territoire.",
                 "Des données pour convaincre nos financeurs.",
                 "Un espace de dialogue avec la collectivité.",
                 "Que les ateliers débouchent sur des actions concrètes.",
                 "Comprendre pourquoi certaines coopérations marchent et d'autres non.",
                 "Trouver des partenaires pour mutualiser un emploi.",
                 "valoriser ce qu'on fait déjà ensemble",
                 "Partager nos expériences avec d'autres territoires européens.",
                 "Des retours simples, sans jargon.")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", ".", ascii_text.lower()).strip(".")


def _strip_accents(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# --------------------------------------------------------------------------------------------
# the synthetic world
# --------------------------------------------------------------------------------------------


@dataclass
class _Org:
    name: str
    type: str
    openness: float
    trust: float
    sloppiness: float
    founded: int
    size: int
    waves: set[str] = field(default_factory=set)


@dataclass
class _Tie:
    since: int
    level: int            # 0..4 on the networking → collaboration scale
    formal: bool
    kinds: tuple[str, ...]


@dataclass
class _Territory:
    id: str
    place: _Place
    orgs: list[_Org]
    ties: dict[str, dict[tuple[int, int], _Tie]]   # wave → {(i, j): tie} with i < j
    adjacency: dict[str, dict[int, list[tuple[int, int]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for wave, ties in self.ties.items():
            index: dict[int, list[tuple[int, int]]] = {}
            for key in ties:
                index.setdefault(key[0], []).append(key)
                index.setdefault(key[1], []).append(key)
            self.adjacency[wave] = index


def _choose(rng: np.random.Generator, items: tuple | list) -> object:
    return items[int(rng.integers(len(items)))]


def _org_name(rng: np.random.Generator, kind: str, place: _Place, taken: set[str]) -> str:
    for _ in range(200):
        if kind == "association":
            template = _choose(rng, place.association)
        elif kind == "collectivite":
            template = _choose(rng, place.authority)
        else:
            template = _choose(rng, _TYPE_TEMPLATES[kind])
        name = str(template).format(place=_choose(rng, place.places), theme=_choose(rng, _THEMES),
                                    theme_ro=_choose(rng, _THEMES_RO), theme_pt=_choose(rng, _THEMES_PT),
                                    theme_it=_choose(rng, _THEMES_IT), craft=_choose(rng, _CRAFTS))
        if name not in taken:
            taken.add(name)
            return name
    name = f"{name} {len(taken)}"  # pragma: no cover - 200 collisions in a row
    taken.add(name)
    return name


def _size(rng: np.random.Generator, kind: str) -> int:
    median = {"collectivite": 60, "entreprise": 8, "association": 3, "scop": 12, "scic": 9,
              "tiers_lieu": 4, "siae": 25, "ebe_tzcld": 40, "ptce": 3, "ges": 120, "autre": 15}[kind]
    return int(max(0, round(rng.lognormal(math.log(median), 0.7))))


def _world(tid: str, index: int, seed: int) -> _Territory:
    rng = np.random.default_rng([seed, index])
    place = _PLACES.get(tid, _GENERIC)
    maturity = place.maturity if tid in _PLACES else float(rng.normal(0, 0.5))
    n_first = int(rng.integers(34, 73))          # respondents of wave 1
    n_silent = round(n_first * rng.uniform(0.15, 0.3))  # named but never answering
    n_new = int(rng.integers(4, 9))              # join in wave 2
    kinds = list(_TYPE_SHARES)
    shares = np.array([v[0] if place.country == "fr" else v[1] for v in _TYPE_SHARES.values()])
    shares = shares / shares.sum()
    taken: set[str] = set()
    orgs = []
    for _ in range(n_first + n_silent + n_new):
        kind = kinds[int(rng.choice(len(kinds), p=shares))]
        openness = float(rng.normal(0, 1))
        orgs.append(_Org(
            name=_org_name(rng, kind, place, taken), type=kind, openness=openness,
            trust=float(0.5 * maturity + 0.5 * openness + rng.normal(0, 0.6)),
            sloppiness=float(rng.uniform(0.0, 0.12)),
            founded=int(min(2024, 2025 - rng.gamma(2.0, 9.0))) if kind != "collectivite"
            else int(rng.integers(1800, 2017)),
            size=_size(rng, kind)))
    first = range(n_first)
    for i in first:
        orgs[i].waves.add("2025")
        if rng.random() < 0.87:
            orgs[i].waves.add("2026")
    joiners = list(range(n_first + n_silent, len(orgs)))
    joiners += [i for i in range(n_first, n_first + n_silent) if rng.random() < 0.2]
    for i in joiners:
        orgs[i].waves.add("2026")
    while sum("2026" in o.waves for o in orgs) < 31:   # keep 30–80 respondents per wave
        i = int(rng.integers(n_first))
        orgs[i].waves.add("2026")

    activity = np.array([math.exp(0.5 * (o.openness + _TYPE_COOP[o.type])) * _HUBS.get(o.type, 1.0)
                         for o in orgs])
    n = len(orgs)
    mean_degree = 3.2 + 1.5 / (1 + math.exp(-2 * maturity))

    def add_ties(ties: dict, count: int, year_low: int, year_high: int, weights: np.ndarray) -> None:
        cdf = np.cumsum(weights / weights.sum())
        tries = 0
        while count > 0 and tries < 50 * n:
            tries += 1
            i, j = (min(n - 1, int(x)) for x in np.searchsorted(cdf, rng.random(2), side="right"))
            key = (min(i, j), max(i, j))
            if i == j or key in ties:
                continue
            a, b = orgs[i], orgs[j]
            latent = (0.3 * (a.openness + b.openness) + 0.4 * maturity
                      + 0.3 * (_TYPE_COOP[a.type] + _TYPE_COOP[b.type]) + rng.normal(0, 0.8))
            level = bisect.bisect_right((-0.6, 0.2, 0.9, 1.6), latent)
            ties[key] = _Tie(since=int(rng.integers(year_low, year_high + 1)), level=level,
                             formal=bool(rng.random() < 0.15 + 0.17 * level),
                             kinds=_tie_kinds(rng, level))
            count -= 1

    wave1: dict[tuple[int, int], _Tie] = {}
    present1 = np.array([1.0 if "2025" in o.waves or i >= n_first else 0.0
                         for i, o in enumerate(orgs)])
    present1[n_first + n_silent:] = 0.15    # wave-2 joiners are barely linked yet
    add_ties(wave1, int(mean_degree * n / 2), 2003, 2024, activity * present1)
    wave2: dict[tuple[int, int], _Tie] = {}
    for key, tie in wave1.items():
        if rng.random() < 0.88:
            up = 1 if (rng.random() < 0.2 + 0.1 * maturity and tie.level < 4) else 0
            wave2[key] = _Tie(tie.since, tie.level + up, tie.formal or (up and rng.random() < 0.4),
                              tie.kinds if not up else _tie_kinds(rng, tie.level + up))
    growth = int(len(wave1) * (0.22 + 0.08 * maturity)) + 2 * n_new
    add_ties(wave2, growth, 2025, 2026, activity)
    return _Territory(tid, place, orgs, {"2025": wave1, "2026": wave2})


def _tie_kinds(rng: np.random.Generator, level: int) -> tuple[str, ...]:
    base = {"echange_info": 0.9 - 0.1 * level, "projet_commun": 0.2 + 0.15 * level,
            "mutualisation": 0.05 + 0.12 * level, "achats_groupes": 0.03 + 0.06 * level,
            "sous_traitance": 0.1, "gouvernance_partagee": 0.02 + 0.08 * level,
            "financement": 0.08, "formation": 0.1}
    kinds = tuple(k for k, p in base.items() if rng.random() < p)
    return kinds or ("echange_info",)


# --------------------------------------------------------------------------------------------
# answers of one organisation in one wave
# --------------------------------------------------------------------------------------------

_LEVELS = ("reseau", "cooperation", "coordination", "coalition", "collaboration")


def _likert(rng: np.random.Generator, latent: float) -> str:
    return str(min(5, max(1, round(3.1 + 0.9 * latent + rng.normal(0, 0.75)))))


def _name_variant(rng: np.random.Generator, name: str) -> str:
    """How a respondent writes a partner's name: mostly right, sometimes not quite."""
    roll = rng.random()
    if roll < 0.04:
        return name.lower()
    if roll < 0.07:
        return _strip_accents(name)
    if roll < 0.09:
        return name.upper()
    if roll < 0.11:
        return f" {name}  "
    if roll < 0.13 and len(name) > 6:
        k = int(rng.integers(2, len(name) - 2))
        return name[:k] + name[k + 1:]          # a dropped letter
    if roll < 0.15:
        return name.replace("Association ", "Asso ").replace("Tiers-lieu ", "Tiers lieu ")
    return name


def _answers(rng: np.random.Generator, world: _Territory, i: int, wave: str,
             when: datetime) -> tuple[dict[str, object], list[dict[str, object]]]:
    org = world.orgs[i]
    later = wave != WAVES[0]
    maturity = world.place.maturity + (0.25 if later else 0.0)
    coop = org.openness + _TYPE_COOP[org.type]
    ties = world.ties[wave]
    mine = [(j if k == i else k, ties[(k, j)]) for k, j in world.adjacency[wave].get(i, ())]
    degree = len(mine)
    trust = org.trust + (0.2 if later else 0.0) + rng.normal(0, 0.3)
    slop = org.sloppiness

    def maybe(value: object, *, p: float | None = None) -> object:
        return None if rng.random() < (0.04 + slop if p is None else p) else value

    a: dict[str, object] = {}
    start = when - timedelta(minutes=float(rng.uniform(12, 45)))
    a["start"] = start
    a["end"] = when - timedelta(minutes=float(rng.uniform(0.5, 3)))
    a["territoire"] = world.id
    a["org_nom"] = org.name
    a["org_type"] = org.type
    if org.type == "autre":
        a["org_type_autre"] = maybe(_choose(rng, ("Fondation", "Mutuelle", "Banque coopérative",
                                                "Établissement d'enseignement", "Chambre consulaire")))
    a["annee_creation"] = maybe(org.founded)
    a["salaries"] = max(0, org.size + (int(rng.integers(-1, 3)) if later else 0))
    volunteers = {"association": 25, "tiers_lieu": 15, "collectivite": 0, "entreprise": 0}.get(org.type, 3)
    a["benevoles"] = maybe(int(rng.poisson(volunteers * math.exp(0.3 * coop))))
    band = bisect.bisect_right((1.2, 2.2, 3.3, 4.5), math.log1p(a["salaries"]) + rng.normal(0, 0.5))
    a["ca_tranche"] = maybe("nsp" if rng.random() < 0.05 else
                            ("moins_50k", "50k_200k", "200k_1m", "1m_5m", "plus_5m")[band])
    public = {"collectivite": 95.0, "association": 55.0, "siae": 60.0, "ebe_tzcld": 70.0, "entreprise": 3.0,
              "scop": 10.0, "ptce": 65.0}.get(org.type, 25.0)
    a["financement_public_pct"] = maybe(min(100.0, max(0.0, round(public + rng.normal(0, 12), 1))))
    sectors = {"alimentation": 0.25, "energie": 0.1, "mobilite": 0.1, "reemploi": 0.15, "batiment": 0.1,
               "numerique": 0.1, "culture": 0.2 + 0.1 * world.place.culture, "insertion": 0.15,
               "services_personne": 0.12, "tourisme": 0.1, "formation": 0.15, "autre": 0.05}
    if org.type in {"siae", "ebe_tzcld"}:
        sectors["insertion"] = 0.95
    chosen = [s for s, p in sectors.items() if rng.random() < p] or ["autre"]
    a["secteurs"] = maybe(" ".join(chosen))
    a["ancrage_local"] = maybe(_likert(rng, 0.5 + 0.3 * coop + (0.4 if org.type == "collectivite" else 0)))
    french = world.place.country == "fr"
    ptce = rng.random() < ((0.45 + 0.15 * coop) if french else 0.04)
    a["ptce_membre"] = "oui" if ptce else ("nsp" if rng.random() < 0.12 else "non")
    if ptce:
        a["ptce_nom"] = maybe(f"PTCE {world.place.places[-1]} Coopère" if french else "Cluster ESS")
    a["consent_nom"] = "non" if rng.random() < 0.12 else "oui"
    a["vague_precedente"] = maybe("oui" if later and WAVES[0] in org.waves else "non", p=0.03)

    first = _choose(rng, _FIRST)
    last = _choose(rng, _LAST)
    a["contact_nom"] = maybe(f"{first} {last}", p=0.05)
    a["contact_email"] = maybe(f"{_slug(str(first))}.{_slug(str(last))}@example.org", p=0.08)
    a["contact_tel"] = maybe(f"01 99 00 {int(rng.integers(100)):02d} {int(rng.integers(100)):02d}", p=0.3)

    # ties: strongest first, some forgotten, at most 10 listed
    mine.sort(key=lambda item: (-item[1].level, item[0]))
    listed = [(j, tie) for j, tie in mine if rng.random() < 0.86][:_MAX_PARTNERS]
    a["nb_partenaires"] = maybe(degree + int(rng.poisson(2 + max(0.0, coop))))
    relations = []
    for j, tie in listed:
        partner = world.orgs[j]
        relations.append({
            "partenaire_nom": _name_variant(rng, partner.name),
            "partenaire_type": maybe(partner.type),
            "lien_nature": maybe(" ".join(tie.kinds)),
            "lien_intensite": maybe(_LEVELS[tie.level]),
            "lien_depuis": maybe(min(int(wave), tie.since + (int(rng.integers(-1, 2)) if rng.random() < 0.2
                                                             else 0))),  # memory is approximate
            "lien_formalise": maybe("oui" if tie.formal else "non"),
            "lien_valeur": maybe(_likert(rng, -0.9 + 0.45 * tie.level + 0.3 * trust)),
        })

    shares = rng.random() < 1 / (1 + math.exp(-(0.8 * coop + 0.6 * maturity + 0.15 * degree - 1.2)))
    a["mutualise"] = "oui" if shares else "non"
    if shares:
        forms = {"emplois_partages": 0.2 + 0.1 * coop, "locaux": 0.45, "equipements": 0.4,
                 "achats_groupes": 0.25, "vehicules": 0.15, "competences": 0.45, "outils_numeriques": 0.25}
        picked = [f for f, p in forms.items() if rng.random() < p] or ["competences"]
        a["mutualisation_formes"] = " ".join(picked)
        if "emplois_partages" in picked:
            a["groupement_employeurs"] = maybe("oui" if rng.random() < 0.55 else "non")
            a["emplois_partages_nb"] = maybe(1 + int(rng.poisson(1.5)))
        if "locaux" in picked:
            a["locaux_m2"] = maybe(round(rng.lognormal(math.log(120), 0.8)))
        a["mutualisation_economies"] = maybe(_likert(rng, 0.2 + 0.4 * coop))

    governance = 0.4 * maturity + 0.3 * coop + rng.normal(0, 0.4)
    a["gouv_decisions_partagees"] = maybe(_likert(rng, governance - 0.2))
    participative = 0.6 if org.type in {"scic", "tiers_lieu"} else -0.3
    a["gouv_habitants"] = maybe(_likert(rng, governance + participative))
    a["gouv_collectivite"] = maybe(_likert(rng, 0.5 * maturity + 0.2 * trust))
    multi = org.type in {"scic", "ptce", "ges"} or rng.random() < 0.12
    a["gouv_multisocietariat"] = maybe("oui" if multi else "non")
    if org.type != "collectivite":
        a["derniere_ag"] = maybe((when - timedelta(days=int(rng.integers(20, 360)))).date())

    a["confiance_engagements"] = maybe(_likert(rng, trust))
    a["confiance_partage_info"] = maybe(_likert(rng, trust - 0.4))
    a["confiance_valeur"] = maybe(_likert(rng, trust + 0.1 + 0.05 * degree))
    a["confiance_conflits"] = maybe(_likert(rng, trust - 0.2))

    effects = 0.3 * maturity + 0.35 * coop + 0.08 * degree + 0.3 * trust + rng.normal(0, 0.4) - 0.3
    a["emplois_crees"] = maybe(int(rng.poisson(max(0.05, 0.4 + 0.6 * effects) * (1 + org.size / 30))))
    a["effet_emploi_local"] = maybe(_likert(rng, effects))
    a["effet_services"] = maybe(_likert(rng, effects + 0.1))
    a["effet_insertion"] = maybe(_likert(rng, effects + (0.8 if org.type in {"siae", "ebe_tzcld"} else -0.3)))
    a["effet_innovation"] = maybe(_likert(rng, effects + 0.05 * coop))

    green = 0.3 * coop + rng.normal(0, 0.8) + (0.2 if later else 0.0)
    practices = {"circuits_courts": 0.3, "reemploi": 0.3, "energie_renouvelable": 0.2, "mobilite_douce": 0.25,
                 "sobriete": 0.3, "economie_circulaire": 0.2}
    done = [p for p, q in practices.items() if rng.random() < q * math.exp(0.5 * green)]
    a["transition_pratiques"] = maybe(" ".join(done) if done else "aucune")
    a["transition_priorite"] = maybe(_likert(rng, green))
    a["transition_cooperation"] = maybe(_likert(rng, 0.6 * green + 0.3 * effects))

    culture = world.place.culture + (0.7 if org.type in {"association", "tiers_lieu"} else -0.2)
    a["culture_evenements"] = maybe(int(rng.poisson(max(0.1, 1.2 + 1.5 * culture))))
    capital = world.place.culture > 0.3
    roll = rng.random()
    if capital:
        took_part = "oui_porteur" if roll < 0.12 else "oui_partenaire" if roll < 0.45 else None
    else:
        took_part = None
    a["capitale_culture"] = maybe(took_part or ("non" if rng.random() < 0.9 else "nsp"))
    a["culture_levier"] = maybe(_likert(rng, 0.6 * culture + 0.2 * coop))

    if a["vague_precedente"] == "oui":
        before = set(world.adjacency[WAVES[0]].get(i, ()))
        new = sum(1 for k in world.adjacency[wave].get(i, ()) if k not in before)
        a["traj_cooperation"] = maybe(_likert(rng, 0.3 * new + 0.3 * trust - 0.2))
        a["traj_nouveaux_partenaires"] = maybe(new)
        mood = "up" if new >= 2 or trust > 0.8 else ("down" if trust < -0.7 else "flat")
    else:
        mood = "up" if trust > 0.9 else ("down" if trust < -1.0 else "flat")
    text = " ".join(str(_choose(rng, _EVOLUTION[mood])) for _ in range(1 + int(rng.random() < 0.3)))
    a["evolution_texte"] = maybe(text, p=0.3 + slop)
    a["attentes_texte"] = maybe(str(_choose(rng, _EXPECTATIONS)), p=0.35 + slop)
    return a, relations


# --------------------------------------------------------------------------------------------
# Kobo rendering
# --------------------------------------------------------------------------------------------


def _columns(survey, repeat: str | None) -> list[tuple[str, str, str | None]]:
    """(header, question name, option) of each Kobo column of the main table or a repeat sheet."""
    columns = []
    for q in survey.questions.values():
        exported = q.is_answer or q.type in {"start", "end", "today"}   # Kobo exports these metadata
        if not exported or q.type in {"note", "calculate"} or q.repeat != repeat:
            continue
        header = "/".join((*q.group, q.name))
        columns.append((header, q.name, None))
        if q.is_multiple:
            columns.extend((f"{header}/{c.name}", q.name, c.name) for c in q.choices)
    return columns


def _cell(answers: dict, name: str, option: str | None, *, text: bool) -> object:
    value = answers.get(name)
    if isinstance(value, np.generic):
        value = value.item()
    if option is not None:
        if value is None:
            return "" if text else None
        flag = int(option in str(value).split())
        return str(flag) if text else flag
    if value is None:
        return "" if text else None
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return (f"{value:g}" if text else value)
    if isinstance(value, int):
        return str(value) if text else value
    return str(value)


@dataclass
class _Submission:
    territory: str
    answers: dict[str, object]
    relations: list[dict[str, object]]
    uuid: str
    submitted: datetime
    id: int = 0
    index: int = 0


def _submissions(worlds: list[_Territory], wave: str, seed: int) -> list[_Submission]:
    out = []
    for n, world in enumerate(worlds):
        rng = np.random.default_rng([seed, n, int(wave)])
        start = datetime(int(wave), 3, 2, 8, 0)
        for i, org in enumerate(world.orgs):
            if wave not in org.waves:
                continue
            when = start + timedelta(days=int(rng.integers(0, 75)), seconds=int(rng.integers(0, 10 * 3600)))
            answers, relations = _answers(rng, world, i, wave, when)
            out.append(_Submission(world.id, answers, relations,
                                   str(uuid.UUID(bytes=rng.bytes(16), version=4)), when))
    out.sort(key=lambda s: (s.submitted, s.uuid))
    rng = np.random.default_rng([seed, 10_000 + int(wave)])
    defect = {kind: w for kind, (w, _) in DEFECTS.items()}
    if defect["duplicate"] == wave and out:
        original = out[int(rng.integers(len(out) // 2))]
        copy = _Submission(original.territory, dict(original.answers),
                           [dict(r) for r in original.relations], original.uuid,
                           original.submitted + timedelta(minutes=7))
        out.append(copy)
        out.sort(key=lambda s: (s.submitted, s.uuid))
    if defect["out_of_range"] == wave and out:
        out[int(rng.integers(len(out)))].answers["salaries"] = 99999
    if defect["no_territory"] == wave and len(out) > 1:
        out[int(rng.integers(len(out)))].answers["territoire"] = None
    base = 41_500_000 + int(wave) * 1000 + int(rng.integers(1000))
    for k, sub in enumerate(out, start=1):
        sub.id = base + 7 * k + int(rng.integers(7))
        sub.index = k
    return out


def _meta(sub: _Submission, version: str, *, text: bool) -> dict[str, object]:
    return {"_id": str(sub.id) if text else sub.id, "_uuid": sub.uuid,
            "_submission_time": sub.submitted.isoformat(timespec="seconds"),
            "_validation_status": "", "_notes": "", "_status": "submitted_via_web", "_submitted_by": "",
            "__version__": version, "_tags": "", "_index": str(sub.index) if text else sub.index}


def _kobo_time(value: datetime, country: str) -> datetime:
    """Device times carry the local UTC offset, like Kobo's start/end fields."""
    offset = 2 if country in {"ro"} else (0 if country == "pt" else 1)
    return (value + timedelta(hours=offset)).replace(tzinfo=timezone(timedelta(hours=offset)))


def _render_answers(sub: _Submission, country: str) -> dict[str, object]:
    answers = dict(sub.answers)
    for key in ("start", "end"):
        answers[key] = _kobo_time(answers[key], country)
    return answers


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def ensure_survey(workspace: str | Path, *, territories: int = 6) -> Path:
    """Write ``<workspace>/surveys/cooperation_territoriale.xlsx`` unless an identical one exists.

    The territory list offers at least ``territories`` territories (see
    :func:`coopwork.demo.form.territory_choices`). The free-text codebook of the sample survey
    (``surveys/codebook_cooperation_territoriale.yml``) is copied beside it when coopwork runs
    from a source checkout, so that reports can count themes.
    """
    surveys = surveys_dir(workspace)
    codebook = REPO_SURVEYS / f"codebook_{FORM_ID}.yml"
    target = surveys / codebook.name
    if codebook.is_file() and codebook.resolve() != target.resolve():
        write_if_changed(target, codebook.read_bytes())
    return build_sample_survey(surveys / f"{FORM_ID}.xlsx", territories=territories)


def demo_files(workspace: str | Path, *, territories: int = 6) -> dict[str, list[Path]]:
    """Paths :func:`generate_demo` writes: ``{"xlsx": [...], "csv": [...]}`` (the XLSX are ingested)."""
    raw = raw_dir(workspace)
    ids = [t[0] for t in territory_choices(territories)][:territories]
    return {"xlsx": [raw / f"{FORM_ID}_{wave}.xlsx" for wave in WAVES],
            "csv": [raw / "csv" / f"{FORM_ID}_{wave}_{tid}.csv" for wave in WAVES for tid in ids]}


def generate_demo(workspace: str | Path, *, territories: int = 6, seed: int = 2026) -> list[Path]:
    """Write the seeded synthetic Kobo exports of the sample survey into ``<workspace>/data/raw``.

    Parameters
    ----------
    workspace
        The workspace folder; ``surveys/cooperation_territoriale.xlsx`` is written there too
        (unless an identical one exists) so that the data always match their form.
    territories
        Number of territories (default 6: Pays de Bray, Timișoara, Veszprém, Esch-sur-Alzette,
        Guimarães, Matera; more adds ``territoire_07`` …).
    seed
        Random seed; the same seed gives byte-identical files.

    Returns
    -------
    list of Path
        The two Kobo XLSX exports (one per wave, with the ``partenariats`` repeat sheet) then
        the Kobo CSV exports (one per wave and territory). Files whose content did not change
        are left untouched.

    Raises
    ------
    CoopworkError
        When ``territories`` is below 1 or above 999.
    """
    if not 1 <= territories <= 999:
        raise CoopworkError("demo.err_territories", value=territories, hint="demo.hint_territories")
    survey = load_survey(ensure_survey(workspace, territories=territories))
    ids = [t[0] for t in territory_choices(territories)][:territories]
    worlds = [_world(tid, n, seed) for n, tid in enumerate(ids)]
    countries = {w.id: w.place.country for w in worlds}
    main_cols = _columns(survey, None)
    repeat = survey.relations_repeat or "partenariats"
    rep_cols = _columns(survey, repeat)
    title = sheet_title(str(SETTINGS["form_title"]))
    version_rng = np.random.default_rng([seed, 424242])
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    paths = demo_files(workspace, territories=territories)
    written: list[Path] = []
    csv_written: list[Path] = []
    for wave, xlsx_path in zip(WAVES, paths["xlsx"], strict=True):
        version = "v" + "".join(alphabet[int(k)] for k in version_rng.integers(len(alphabet), size=22))
        subs = _submissions(worlds, wave, seed)
        header = [c[0] for c in main_cols] + list(KOBO_META)
        main_rows: list[list[object]] = [header]
        csv_rows: dict[str, list[list[object]]] = {tid: [header] for tid in ids}
        repeat_rows: list[list[object]] = [[c[0] for c in rep_cols] + list(KOBO_REPEAT_META)]
        repeat_index = 0
        for sub in subs:
            answers = _render_answers(sub, countries[sub.territory])
            main_rows.append([_cell(answers, name, opt, text=False) for _, name, opt in main_cols]
                             + list(_meta(sub, version, text=False).values()))
            csv_rows[sub.territory].append(
                [_cell(answers, name, opt, text=True) for _, name, opt in main_cols]
                + list(_meta(sub, version, text=True).values()))
            for relation in sub.relations:
                repeat_index += 1
                repeat_rows.append(
                    [_cell(relation, name, opt, text=False) for _, name, opt in rep_cols]
                    + [repeat_index, title, sub.index, sub.id, sub.uuid,
                       sub.submitted.isoformat(timespec="seconds"), "", "", "submitted_via_web", "",
                       version, ""])
        written.append(write_if_changed(xlsx_path, xlsx_bytes({title: main_rows, repeat: repeat_rows})))
        for tid in ids:
            target = next(p for p in paths["csv"] if p.name == f"{FORM_ID}_{wave}_{tid}.csv")
            csv_written.append(write_if_changed(target, _csv_bytes(csv_rows[tid])))
    return written + csv_written
