"""The sample survey ``cooperation_territoriale`` as reviewable Python data.

This module *is* the source of ``surveys/cooperation_territoriale.xlsx``: the survey rows,
the choice lists and the settings are plain Python literals below, and
:func:`build_sample_survey` writes them as a real XLSForm (sheets ``survey``,
``choices``, ``settings``), readable by pyxform, KoboToolbox and ODK.

The form is the questionnaire a Coop'Éco / COOPTERR research team sends to the organisations
of a territory: profile and local roots, cooperation ties (the repeat group ``partenariats``:
the network), pooled resources (mutualisation), governance, trust, effects and social utility,
ecological transition, culture, trajectory since the last wave. French is the default
language, English the second one; the Italian, Portuguese, Romanian, Hungarian and German
labels, hints and constraint messages come from :mod:`coopwork.demo.form_languages`. The
coopwork columns ``coopwork::dimension``, ``coopwork::identifier`` and ``coopwork::role`` say
what each question means to coopwork (see ``docs/architecture.md``).

The territory choice list holds the six demo territories (fictional data about real places);
``build_sample_survey(path, territories=N)`` with ``N > 6`` appends ``territoire_07`` … so
that a larger synthetic workspace still validates.

Examples
--------
>>> from coopwork.demo.form import DIMENSIONS, SURVEY_ROWS, territory_choices
>>> sorted({row["coopwork::dimension"] for row in SURVEY_ROWS if row.get("coopwork::dimension")}) == sorted(
...     DIMENSIONS)
True
>>> [t[0] for t in territory_choices(7)][-2:]
['matera', 'territoire_07']
"""

from __future__ import annotations

from pathlib import Path

from .. import vocabulary
from .form_languages import (
    CHOICE_LABELS,
    HINTS,
    LANGUAGES,
    QUESTION_LABELS,
    TERRITORY_LABELS,
    constraint_message,
    extra_territory_labels,
)
from .xlsx import xlsx_bytes

__all__ = [
    "CHOICES",
    "COLUMNS",
    "DEFAULT_TERRITORIES",
    "DIMENSIONS",
    "FORM_ID",
    "SETTINGS",
    "SURVEY_ROWS",
    "build_sample_survey",
    "sample_survey_bytes",
    "territory_choices",
    "write_if_changed",
]

FORM_ID = "cooperation_territoriale"
FR = "French (fr)"
EN = "English (en)"

#: columns of the survey sheet, in this order
COLUMNS = (
    "type", "name", f"label::{FR}", f"label::{EN}", f"hint::{FR}", f"hint::{EN}",
    "required", "constraint", f"constraint_message::{FR}", f"constraint_message::{EN}",
    "relevant", "appearance", "coopwork::dimension", "coopwork::identifier", "coopwork::role",
    *(f"{column}::{language}" for language in LANGUAGES
      for column in ("label", "hint", "constraint_message")),
)

#: the indicator families of DESIGN.md, in questionnaire order
DIMENSIONS = vocabulary.DIMENSIONS

#: (id, French label, English label) of the six demo territories — fictional data, real places
DEFAULT_TERRITORIES = (
    ("pays_de_bray", "Pays de Bray (PTCE, France)", "Pays de Bray (PTCE, France)"),
    ("timisoara", "Timișoara (Roumanie)", "Timișoara (Romania)"),
    ("veszprem", "Veszprém (Hongrie)", "Veszprém (Hungary)"),
    ("esch_sur_alzette", "Esch-sur-Alzette (Luxembourg)", "Esch-sur-Alzette (Luxembourg)"),
    ("guimaraes", "Guimarães (Portugal)", "Guimarães (Portugal)"),
    ("matera", "Matera (Italie)", "Matera (Italy)"),
)

SETTINGS = {
    "form_id": FORM_ID,
    "form_title": "Coopérations économiques territoriales — enquête auprès des organisations",
    "version": "2026.1",
    "default_language": FR,
    "instance_name": "concat(${territoire}, ' — ', ${org_nom})",
}

_CURRENT_YEAR = 2026


def territory_choices(territories: int = 6) -> list[tuple[str, str, str]]:
    """The territory choice list for a workspace of ``territories`` territories.

    The six default territories always come first; beyond six, ``territoire_07``,
    ``territoire_08`` … are appended (labelled as fictional).

    Examples
    --------
    >>> territory_choices(8)[6:]
    [('territoire_07', 'Territoire 7 (fictif)', 'Territory 7 (fictional)'), \
('territoire_08', 'Territoire 8 (fictif)', 'Territory 8 (fictional)')]
    """
    extra = [(f"territoire_{i:02d}", f"Territoire {i} (fictif)", f"Territory {i} (fictional)")
             for i in range(len(DEFAULT_TERRITORIES) + 1, territories + 1)]
    return [*DEFAULT_TERRITORIES, *extra]


def _q(type_: str, name: str, fr: str = "", en: str = "", *, hint: tuple[str, str] = ("", ""),
       required: bool = False, constraint: str = "", message: tuple[str, str] = ("", ""),
       relevant: str = "", appearance: str = "", dimension: str = "", identifier: bool = False,
       role: str = "") -> dict[str, str]:
    """One row of the survey sheet."""
    return {
        "type": type_, "name": name, f"label::{FR}": fr, f"label::{EN}": en,
        f"hint::{FR}": hint[0], f"hint::{EN}": hint[1],
        "required": "yes" if required else "", "constraint": constraint,
        f"constraint_message::{FR}": message[0], f"constraint_message::{EN}": message[1],
        "relevant": relevant, "appearance": appearance, "coopwork::dimension": dimension,
        "coopwork::identifier": "yes" if identifier else "", "coopwork::role": role,
        **{f"label::{language}": QUESTION_LABELS[name][i] if fr and name in QUESTION_LABELS else ""
           for i, language in enumerate(LANGUAGES)},
        **{f"hint::{language}": HINTS[name][i] if hint[0] and name in HINTS else ""
           for i, language in enumerate(LANGUAGES)},
        **{f"constraint_message::{language}": constraint_message(name, constraint, i) if message[0] else ""
           for i, language in enumerate(LANGUAGES)},
    }


def _likert(name: str, fr: str, en: str, dimension: str, **kw) -> dict[str, str]:
    return _q("select_one likert5", name, fr, en, appearance="likert", dimension=dimension, **kw)


def _between(low: int, high: int, what_fr: str, what_en: str) -> dict:
    return {"constraint": f". >= {low} and . <= {high}",
            "message": (f"{what_fr} : entre {low} et {high}.", f"{what_en}: between {low} and {high}.")}


_SINCE_WAVE = "${vague_precedente} = 'oui'"

SURVEY_ROWS: tuple[dict[str, str], ...] = (
    _q("start", "start"),
    _q("end", "end"),
    _q("note", "intro",
       "Cette enquête porte sur les coopérations entre organisations de votre territoire. Elle sert à "
       "la recherche-action menée avec vous ; les résultats sont discutés en atelier. Les jeux de "
       "données de démonstration de coopwork sont entièrement fictifs.",
       "This survey is about cooperation between the organisations of your territory. It feeds the "
       "action research carried out with you; results are discussed in workshops. coopwork's "
       "demonstration data sets are entirely fictional."),

    # --- profile & local roots ---------------------------------------------------------------
    _q("begin_group", "profil", "Votre organisation", "Your organisation"),
    _q("select_one territoire", "territoire", "Territoire", "Territory", required=True,
       dimension="profile", role="territory"),
    _q("text", "org_nom", "Nom de l'organisation", "Name of the organisation", required=True,
       hint=("Le nom sous lequel vos partenaires vous connaissent.",
             "The name your partners know you by."),
       dimension="profile", role="organisation"),
    _q("select_one org_type", "org_type", "Type d'organisation", "Type of organisation", required=True,
       dimension="profile", role="org_type"),
    _q("text", "org_type_autre", "Précisez le type d'organisation", "Specify the type of organisation",
       relevant="${org_type} = 'autre'", dimension="profile"),
    _q("integer", "annee_creation", "Année de création", "Year founded",
       **_between(1800, _CURRENT_YEAR, "Année", "Year"), dimension="profile"),
    _q("integer", "salaries", "Nombre de salariés", "Number of employees", required=True,
       hint=("En personnes physiques, au 1er janvier.", "Head count on 1 January."),
       **_between(0, 5000, "Nombre de salariés", "Number of employees"), dimension="profile"),
    _q("integer", "benevoles", "Nombre de bénévoles actifs", "Number of active volunteers",
       **_between(0, 10000, "Nombre de bénévoles", "Number of volunteers"), dimension="profile"),
    _q("select_one ca_tranche", "ca_tranche", "Budget ou chiffre d'affaires annuel",
       "Annual budget or turnover", dimension="profile"),
    _q("decimal", "financement_public_pct", "Part des financements publics dans le budget (%)",
       "Share of public funding in the budget (%)",
       **_between(0, 100, "Pourcentage", "Percentage"), dimension="profile"),
    _q("select_multiple secteurs", "secteurs", "Secteurs d'activité", "Sectors of activity",
       hint=("Plusieurs réponses possibles.", "Several answers possible."), dimension="profile"),
    _likert("ancrage_local", "Notre organisation est profondément ancrée dans le territoire",
            "Our organisation is deeply rooted in the territory", "profile"),
    _q("select_one oui_non_nsp", "ptce_membre",
       "Êtes-vous membre d'un pôle territorial de coopération économique (PTCE) ?",
       "Are you a member of a territorial economic cooperation cluster (PTCE)?", required=True,
       dimension="profile"),
    _q("text", "ptce_nom", "Nom du PTCE", "Name of the PTCE", relevant="${ptce_membre} = 'oui'",
       dimension="profile"),
    _q("select_one oui_non", "consent_nom",
       "Acceptez-vous que le nom de votre organisation apparaisse dans les restitutions ?",
       "Do you agree that your organisation's name appears in the reports?", required=True,
       hint=("Si vous répondez non, votre nom ne sera jamais affiché.",
             "If you answer no, your name will never be shown."),
       dimension="profile", role="name_consent"),
    _q("select_one oui_non", "vague_precedente",
       "Avez-vous répondu à la vague précédente de cette enquête ?",
       "Did you answer the previous wave of this survey?", dimension="profile"),
    _q("end_group", "profil"),

    # --- contact (direct identifiers, pseudonymised at ingestion) ----------------------------
    _q("begin_group", "contact", "Personne qui répond", "Person answering"),
    _q("text", "contact_nom", "Nom et prénom", "Full name", identifier=True),
    _q("text", "contact_email", "Courriel", "Email", identifier=True,
       constraint="regex(., '^[^@ ]+@[^@ ]+[.][a-z]{2,}$')",
       message=("Adresse de courriel invalide.", "Invalid email address.")),
    _q("text", "contact_tel", "Téléphone", "Phone", identifier=True),
    _q("end_group", "contact"),

    # --- ties: the cooperation network -------------------------------------------------------
    _q("begin_group", "liens", "Vos coopérations", "Your cooperation ties"),
    _q("integer", "nb_partenaires",
       "Avec combien d'organisations du territoire coopérez-vous régulièrement ?",
       "With how many organisations of the territory do you cooperate regularly?",
       **_between(0, 500, "Nombre de partenaires", "Number of partners"), dimension="ties"),
    _q("begin_repeat", "partenariats", "Partenaire", "Partner",
       hint=("Décrivez vos principaux partenaires du territoire (jusqu'à 10).",
             "Describe your main partners in the territory (up to 10).")),
    _q("text", "partenaire_nom", "Nom du partenaire", "Name of the partner", required=True,
       dimension="ties", role="partner"),
    _q("select_one org_type", "partenaire_type", "Type du partenaire", "Type of the partner",
       dimension="ties"),
    _q("select_multiple lien_nature", "lien_nature", "Nature du lien", "Kind of tie",
       hint=("Plusieurs réponses possibles.", "Several answers possible."), dimension="ties"),
    _q("select_one intensite", "lien_intensite", "Intensité de la coopération",
       "Intensity of the cooperation",
       hint=("De la simple mise en réseau à la collaboration intégrée.",
             "From networking to integrated collaboration."),
       dimension="ties"),
    _q("integer", "lien_depuis", "Depuis quelle année ?", "Since which year?",
       **_between(1950, _CURRENT_YEAR, "Année", "Year"), dimension="ties"),
    _q("select_one oui_non", "lien_formalise", "Ce partenariat est-il formalisé (convention, contrat) ?",
       "Is this partnership formalised (agreement, contract)?", dimension="ties"),
    _likert("lien_valeur", "Ce partenariat est essentiel à notre activité",
            "This partnership is essential to our activity", "trust"),
    _q("end_repeat", "partenariats"),
    _q("end_group", "liens"),

    # --- mutualisation -----------------------------------------------------------------------
    _q("begin_group", "mutualisation", "Mutualisation de ressources", "Pooled resources"),
    _q("select_one oui_non", "mutualise",
       "Partagez-vous des ressources avec d'autres organisations du territoire ?",
       "Do you share resources with other organisations of the territory?", required=True,
       dimension="mutualisation"),
    _q("select_multiple mutualisation_formes", "mutualisation_formes", "Quelles ressources ?",
       "Which resources?", relevant="${mutualise} = 'oui'", dimension="mutualisation"),
    _q("select_one oui_non", "groupement_employeurs",
       "Ces emplois partagés passent-ils par un groupement d'employeurs ?",
       "Do these shared jobs go through an employers' group (groupement d'employeurs)?",
       relevant="selected(${mutualisation_formes}, 'emplois_partages')", dimension="mutualisation"),
    _q("integer", "emplois_partages_nb", "Nombre d'emplois partagés", "Number of shared jobs",
       relevant="selected(${mutualisation_formes}, 'emplois_partages')",
       **_between(0, 200, "Nombre d'emplois", "Number of jobs"), dimension="mutualisation"),
    _q("integer", "locaux_m2", "Surface de locaux partagés (m²)", "Area of shared premises (m²)",
       relevant="selected(${mutualisation_formes}, 'locaux')",
       **_between(0, 20000, "Surface", "Area"), dimension="mutualisation"),
    _likert("mutualisation_economies", "La mutualisation réduit nettement nos coûts",
            "Pooling resources clearly reduces our costs", "mutualisation",
            relevant="${mutualise} = 'oui'"),
    _q("end_group", "mutualisation"),

    # --- governance --------------------------------------------------------------------------
    _q("begin_group", "gouvernance", "Gouvernance", "Governance"),
    _likert("gouv_decisions_partagees",
            "Les décisions qui engagent le territoire sont prises collectivement",
            "Decisions that commit the territory are taken collectively", "governance"),
    _likert("gouv_habitants", "Les habitants et usagers participent à notre gouvernance",
            "Residents and users take part in our governance", "governance"),
    _likert("gouv_collectivite", "La collectivité locale soutient les coopérations entre organisations",
            "The local authority supports cooperation between organisations", "governance"),
    _q("select_one oui_non", "gouv_multisocietariat",
       "Votre gouvernance associe-t-elle plusieurs catégories de parties prenantes (multisociétariat) ?",
       "Does your governance bring together several categories of stakeholders (multi-stakeholder)?",
       dimension="governance"),
    _q("date", "derniere_ag", "Date de votre dernière assemblée générale",
       "Date of your last general assembly", relevant="${org_type} != 'collectivite'",
       constraint=". <= today()", message=("La date ne peut pas être dans le futur.",
                                           "The date cannot be in the future."),
       dimension="governance"),
    _q("end_group", "gouvernance"),

    # --- trust & value of partners -----------------------------------------------------------
    _q("begin_group", "confiance", "Confiance", "Trust"),
    _likert("confiance_engagements", "Nos partenaires tiennent leurs engagements",
            "Our partners keep their commitments", "trust"),
    _likert("confiance_partage_info", "Nous partageons volontiers des informations stratégiques avec eux",
            "We willingly share strategic information with them", "trust"),
    _likert("confiance_valeur", "Nos partenariats nous apportent plus qu'ils ne nous coûtent",
            "Our partnerships bring us more than they cost", "trust"),
    _likert("confiance_conflits", "Les désaccords entre partenaires se règlent de façon constructive",
            "Disagreements between partners are settled constructively", "trust"),
    _q("end_group", "confiance"),

    # --- effects / social utility ------------------------------------------------------------
    _q("begin_group", "effets", "Effets et utilité sociale", "Effects and social utility"),
    _q("integer", "emplois_crees",
       "Emplois créés grâce aux coopérations depuis un an (équivalents temps plein)",
       "Jobs created thanks to cooperation in the last year (full-time equivalents)",
       **_between(0, 500, "Nombre d'emplois", "Number of jobs"), dimension="effects"),
    _likert("effet_emploi_local", "Les coopérations ont renforcé l'emploi local",
            "Cooperation has strengthened local employment", "effects"),
    _likert("effet_services", "Les coopérations ont créé de nouveaux services pour les habitants",
            "Cooperation has created new services for residents", "effects"),
    _likert("effet_insertion", "Les coopérations favorisent l'insertion des personnes éloignées de l'emploi",
            "Cooperation helps people far from employment into work", "effects"),
    _likert("effet_innovation", "Les coopérations nous ont permis d'innover",
            "Cooperation has enabled us to innovate", "effects"),
    _q("end_group", "effets"),

    # --- ecological transition ---------------------------------------------------------------
    _q("begin_group", "transition", "Transition écologique", "Ecological transition"),
    _q("select_multiple pratiques", "transition_pratiques", "Pratiques de transition mises en œuvre",
       "Transition practices in place", dimension="transition"),
    _likert("transition_priorite", "La transition écologique est une priorité de notre stratégie",
            "Ecological transition is a priority of our strategy", "transition"),
    _likert("transition_cooperation", "Les coopérations nous aident à réduire notre impact environnemental",
            "Cooperation helps us reduce our environmental impact", "transition"),
    _q("end_group", "transition"),

    # --- culture -----------------------------------------------------------------------------
    _q("begin_group", "culture", "Culture", "Culture"),
    _q("integer", "culture_evenements",
       "Combien d'événements culturels ou festivals avez-vous co-organisés l'an dernier ?",
       "How many cultural events or festivals did you co-organise last year?",
       **_between(0, 200, "Nombre d'événements", "Number of events"), dimension="culture"),
    _q("select_one capitale", "capitale_culture",
       "Avez-vous pris part à une Capitale européenne de la culture ?",
       "Did you take part in a European Capital of Culture?",
       hint=("Par exemple Timișoara ou Veszprém 2023, Esch 2022, Matera 2019, Guimarães 2012.",
             "For instance Timișoara or Veszprém 2023, Esch 2022, Matera 2019, Guimarães 2012."),
       dimension="culture"),
    _likert("culture_levier", "La culture est un levier de coopération sur notre territoire",
            "Culture is a lever of cooperation in our territory", "culture"),
    _q("end_group", "culture"),

    # --- trajectory --------------------------------------------------------------------------
    _q("begin_group", "trajectoire", "Évolution depuis la vague précédente", "Change since the last wave"),
    _likert("traj_cooperation", "Depuis la vague précédente, nos coopérations se sont renforcées",
            "Since the previous wave, our cooperation has grown stronger", "trajectory",
            relevant=_SINCE_WAVE),
    _q("integer", "traj_nouveaux_partenaires", "Nouveaux partenaires depuis la vague précédente",
       "New partners since the previous wave", relevant=_SINCE_WAVE,
       **_between(0, 100, "Nombre de partenaires", "Number of partners"), dimension="trajectory"),
    _q("text", "evolution_texte", "Qu'est-ce qui a changé dans vos coopérations, et pourquoi ?",
       "What has changed in your cooperation, and why?", appearance="multiline",
       dimension="trajectory"),
    _q("text", "attentes_texte", "Qu'attendez-vous de la démarche de recherche-action ?",
       "What do you expect from the action research?", appearance="multiline",
       dimension="trajectory"),
    _q("end_group", "trajectoire"),
)

_LIKERT = (
    ("1", "Pas du tout d'accord", "Strongly disagree"),
    ("2", "Plutôt pas d'accord", "Disagree"),
    ("3", "Ni d'accord ni pas d'accord", "Neither agree nor disagree"),
    ("4", "Plutôt d'accord", "Agree"),
    ("5", "Tout à fait d'accord", "Strongly agree"),
)

#: choice lists: list name → [(name, French label, English label)] in form order
CHOICES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "oui_non": (("oui", "Oui", "Yes"), ("non", "Non", "No")),
    "oui_non_nsp": (("oui", "Oui", "Yes"), ("non", "Non", "No"), ("nsp", "Ne sait pas", "Don't know")),
    "likert5": _LIKERT,
    "org_type": (
        ("association", "Association", "Association"),
        ("scop", "SCOP (coopérative de salariés)", "SCOP (worker cooperative)"),
        ("scic", "SCIC (coopérative d'intérêt collectif)", "SCIC (multi-stakeholder cooperative)"),
        ("collectivite", "Collectivité territoriale", "Local authority"),
        ("entreprise", "Entreprise", "Business"),
        ("tiers_lieu", "Tiers-lieu", "Third place (tiers-lieu)"),
        ("siae", "Structure d'insertion (SIAE)", "Work integration enterprise (SIAE)"),
        ("ebe_tzcld", "Entreprise à but d'emploi (TZCLD)", "Employment-based enterprise (TZCLD)"),
        ("ptce", "Pôle territorial de coopération économique (PTCE)",
         "Territorial economic cooperation cluster (PTCE)"),
        ("ges", "Groupe d'économie sociale (GES)", "Social economy group (GES)"),
        ("autre", "Autre", "Other"),
    ),
    "ca_tranche": (
        ("moins_50k", "Moins de 50 000 €", "Less than €50,000"),
        ("50k_200k", "50 000 à 200 000 €", "€50,000 to €200,000"),
        ("200k_1m", "200 000 € à 1 M€", "€200,000 to €1M"),
        ("1m_5m", "1 à 5 M€", "€1M to €5M"),
        ("plus_5m", "Plus de 5 M€", "More than €5M"),
        ("nsp", "Ne sait pas", "Don't know"),
    ),
    "secteurs": (
        ("alimentation", "Alimentation, agriculture", "Food, farming"),
        ("energie", "Énergie", "Energy"),
        ("mobilite", "Mobilité", "Mobility"),
        ("reemploi", "Réemploi, recyclage", "Reuse, recycling"),
        ("batiment", "Bâtiment, habitat", "Building, housing"),
        ("numerique", "Numérique", "Digital"),
        ("culture", "Culture, patrimoine", "Culture, heritage"),
        ("insertion", "Insertion, emploi", "Work integration, employment"),
        ("services_personne", "Services aux personnes", "Personal services"),
        ("tourisme", "Tourisme", "Tourism"),
        ("formation", "Formation, éducation", "Training, education"),
        ("autre", "Autre", "Other"),
    ),
    "lien_nature": (
        ("echange_info", "Échange d'informations", "Information exchange"),
        ("projet_commun", "Projet commun", "Joint project"),
        ("mutualisation", "Mutualisation de moyens", "Pooling of resources"),
        ("achats_groupes", "Achats groupés", "Joint purchasing"),
        ("sous_traitance", "Sous-traitance", "Subcontracting"),
        ("gouvernance_partagee", "Gouvernance partagée", "Shared governance"),
        ("financement", "Financement", "Funding"),
        ("formation", "Formation", "Training"),
    ),
    "intensite": (
        ("reseau", "Mise en réseau (échanger des informations)", "Networking (exchanging information)"),
        ("cooperation", "Coopération (partager des ressources)", "Cooperation (sharing resources)"),
        ("coordination", "Coordination (ajuster nos activités)", "Coordination (aligning activities)"),
        ("coalition", "Coalition (décider ensemble)", "Coalition (deciding together)"),
        ("collaboration", "Collaboration (structure commune)", "Collaboration (a common structure)"),
    ),
    "mutualisation_formes": (
        ("emplois_partages", "Emplois partagés", "Shared jobs"),
        ("locaux", "Locaux", "Premises"),
        ("equipements", "Équipements, matériel", "Equipment"),
        ("achats_groupes", "Achats groupés", "Joint purchasing"),
        ("vehicules", "Véhicules", "Vehicles"),
        ("competences", "Compétences, expertise", "Skills, expertise"),
        ("outils_numeriques", "Outils numériques", "Digital tools"),
    ),
    "pratiques": (
        ("circuits_courts", "Circuits courts", "Short supply chains"),
        ("reemploi", "Réemploi, réparation", "Reuse, repair"),
        ("energie_renouvelable", "Énergie renouvelable", "Renewable energy"),
        ("mobilite_douce", "Mobilité douce", "Active mobility"),
        ("sobriete", "Sobriété (énergie, matières)", "Sufficiency (energy, materials)"),
        ("economie_circulaire", "Économie circulaire", "Circular economy"),
        ("aucune", "Aucune pour l'instant", "None yet"),
    ),
    "capitale": (
        ("oui_porteur", "Oui, comme porteur de projet", "Yes, leading a project"),
        ("oui_partenaire", "Oui, comme partenaire", "Yes, as a partner"),
        ("non", "Non", "No"),
        ("nsp", "Ne sait pas", "Don't know"),
    ),
}


def _other_labels(list_name: str, name: str) -> tuple[str, ...]:
    """The Italian, Portuguese, Romanian, Hungarian and German labels of one choice."""
    if list_name == "territoire":
        return TERRITORY_LABELS.get(name) or extra_territory_labels(int(name.rsplit("_", 1)[-1]))
    return CHOICE_LABELS[(list_name, name)]


def _choice_rows(territories: int) -> list[tuple[str, ...]]:
    lists = {"territoire": tuple(territory_choices(territories)), **CHOICES}
    return [(list_name, *choice, *_other_labels(list_name, choice[0]))
            for list_name, choices in lists.items() for choice in choices]


def sample_survey_bytes(*, territories: int = 6) -> bytes:
    """The sample XLSForm as ``.xlsx`` bytes (stable: same content, same bytes).

    Examples
    --------
    >>> sample_survey_bytes()[:2], sample_survey_bytes() == sample_survey_bytes()
    (b'PK', True)
    """
    return xlsx_bytes({
        "survey": [list(COLUMNS), *([row.get(column) or None for column in COLUMNS] for row in SURVEY_ROWS)],
        "choices": [["list_name", "name", f"label::{FR}", f"label::{EN}",
                     *(f"label::{language}" for language in LANGUAGES)],
                    *(list(row) for row in _choice_rows(territories))],
        "settings": [list(SETTINGS), list(SETTINGS.values())],
    })


def build_sample_survey(path: str | Path, *, territories: int = 6) -> Path:
    """Write the sample XLSForm to ``path`` (an ``.xlsx`` file) and return the path.

    The file is left untouched when it already holds exactly these bytes.

    Parameters
    ----------
    path
        Where to write the workbook; parent folders are created.
    territories
        Number of territories the ``territoire`` choice list must offer (at least the six
        default ones; more adds ``territoire_07`` …).

    Returns
    -------
    Path
        ``path``, holding the sheets ``survey``, ``choices`` and ``settings``.

    Examples
    --------
    >>> import tempfile
    >>> from coopwork.survey import load_survey
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     survey = load_survey(build_sample_survey(Path(folder) / "form.xlsx"))
    >>> survey.survey_id, survey.default_language, survey.role("partner").repeat
    ('cooperation_territoriale', 'fr', 'partenariats')
    """
    return write_if_changed(Path(path), sample_survey_bytes(territories=territories))


def write_if_changed(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, unless the file already holds exactly these bytes."""
    if path.is_file() and path.read_bytes() == data:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
