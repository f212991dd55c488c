"""Roles of a plain XLSForm: inferred from the form, or set in a side file, never required in the form.

A form downloaded from KoboToolbox or ODK has no ``coopwork::`` columns, and the deployed form
often cannot be edited. coopwork then finds the roles it needs itself:

- ``territory``: a top-level select_one (or text) question whose name or label says
  territory (territoire, territory, commune, EPCI, pays, région, …, in the form's languages),
  or else the only select_one whose choices look like place names;
- ``organisation``, ``org_type``, ``partner`` (a text question inside a repeat), ``weight``
  and ``name_consent`` by name and label;
- direct identifiers (``coopwork::identifier``): text questions named or labelled as a
  person's name, e-mail, phone or address (an organisation's name is not one); at ingestion,
  text columns whose answers are mostly e-mails or phone numbers are added
  (:func:`identifiers_by_content`).

What the form declares wins over what is inferred; the side file ``<form>.coopwork.yml``
next to the form (written by ``coopwork survey annotate``) wins over both; options of a
command (``--territory-question NAME``) win over everything. Every role says where it came
from (:attr:`~coopwork.survey.Survey.role_sources`), so that commands can print it.

Side file::

    # coopwork roles of surveys/enquete.xlsx (coopwork survey annotate)
    roles:
      territory: zone          # or "none": the export has no territory question
      organisation: org
      partner: partner
    identifiers: [email, telephone]
    not_identifiers: [nom_structure]

Examples
--------
>>> from coopwork.survey import Choice, Question, Survey
>>> survey = Survey("s", "S", None, ["fr"], "fr", {
...     "zone": Question("zone", "select_one", {"fr": "Territoire"}, choices=(Choice("a"),)),
...     "courriel": Question("courriel", "text", {"fr": "Votre courriel"}),
...     "org": Question("org", "text", {"fr": "Nom de la structure"})}, {})
>>> resolved = resolve_roles(survey)
>>> resolved.role("territory").name, resolved.role("organisation").name
('zone', 'org')
>>> [q.name for q in resolved.identifiers]
['courriel']
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ..contacts import contact_kind, regions_for
from ..errors import SurveyError
from ..i18n import Key, normalise_lang, t
from ..paths import side_file_path
from .model import ROLES, Question, Survey

__all__ = [
    "NONE",
    "identifiers_by_content",
    "infer_roles",
    "read_side_file",
    "resolve_roles",
    "role_lines",
    "roles_from_options",
    "write_side_file",
]

#: the value that says "no question has this role" (side file and options)
NONE = "none"

# words are compared with the slug of names and labels (ascii, lower case, ``_`` between words)
_TERRITORY_STRONG = ("territoire", "territory", "territorio", "territori", "teritoriu", "territorium",
                     "epci", "intercommunalite")
_TERRITORY_MEDIUM = ("commune", "municipality", "municipalite", "municipio", "gemeinde", "comune",
                     "pays", "country", "region", "departement", "county", "province", "provincia",
                     "canton", "landkreis", "bezirk", "judet", "megye", "concelho", "freguesia")
#: words that name a territory only for a select_one (a text "city" is often an address)
_TERRITORY_WEAK = ("district", "ville", "city", "town", "localite", "locality", "localidad", "bassin",
                   "zone", "area", "department")
_ORGANISATION = ("organisation", "organization", "organisme", "structure", "entreprise", "enterprise",
                 "company", "societe", "association", "cooperative", "institution", "employer",
                 "employeur", "establishment", "etablissement", "org")
_ORG_TYPE = ("type", "kind", "statut", "status", "forme_juridique", "legal_form", "categorie", "category")
_PARTNER = ("partner", "partenaire", "partenariat", "partnership", "socio", "partner_name", "ally",
            "partenaires", "partners", "tie", "ties", "lien", "liens", "collaborat")
_PERSON = ("prenom", "firstname", "first_name", "surname", "lastname", "last_name", "full_name",
           "fullname", "given_name", "family_name", "apellido", "vorname", "nachname", "contact",
           "signature")
#: "name" / "nom" is a person's name only with one of these words, or alone
_NAME = ("nom", "name", "nombre", "naam", "nume")
_WHO = ("participant", "respondent", "repondant", "person", "personne", "persona", "enqueteur",
        "enumerator", "interviewer", "votre", "your", "vos", "tu", "su", "ihr", "dein", "chef", "head",
        "member", "membre", "child", "childs", "enfant", "student", "eleve", "patient", "owner",
        "proprietaire", "manager", "responsable", "referent", "agent", "observer", "observateur")
_CONTACT = ("email", "e_mail", "courriel", "mail", "telephone", "phone", "tel", "mobile", "portable",
            "gsm", "whatsapp", "cellphone", "telefono", "telefon", "adresse", "address", "direccion",
            "adresa", "cim", "ip", "ipaddr", "ipaddress", "ip_address")
_CONTACT_TYPES = frozenset({"phonenumber", "email"})
_WEIGHT = ("weight", "poids", "ponderation", "peso", "gewicht")
_CONSENT = ("consent", "consentement", "accord", "autorisation", "permission")
_PARTICLES = frozenset({"de", "du", "des", "la", "le", "les", "d", "l", "sur", "en", "et", "the", "of",
                        "am", "an", "der", "die", "das", "del", "di", "da", "do", "dos", "y", "e",
                        "lès", "lez", "sous", "saint", "sainte", "st", "ste", "upon", "on", "im"})
_NOT_PLACES = frozenset({"oui", "non", "yes", "no", "autre", "other", "aucun", "none", "ne sais pas",
                         "je ne sais pas", "don't know", "nsp", "jamais", "never", "toujours",
                         "always", "sometimes", "parfois"})



def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def _words(question: Question) -> set[str]:
    """Slug words of a question's name and labels, plus their joined pairs (``first_name``)."""
    out: set[str] = set()
    for text in (question.name, *question.labels.values()):
        parts = [p for p in _slug(re.sub(r"(?<=[a-z])(?=[A-Z])", "_", text)).split("_") if p]
        out.update(parts)
        out.update(f"{a}_{b}" for a, b in itertools.pairwise(parts))
    return out


def _hit(words: set[str], vocabulary: tuple[str, ...]) -> str | None:
    return next((w for w in vocabulary if w in words), None)


def _looks_like_place(label: str) -> bool:
    text = label.strip()
    if not text or any(ch.isdigit() for ch in text) or text.casefold() in _NOT_PLACES:
        return False
    words = [w for w in re.split(r"[\s\-'’]+", text) if w]
    if not words or not words[0][:1].isupper() or (text.isupper() and len(text) > 1 and " " not in text):
        return False
    return all(w[:1].isupper() or w.casefold() in _PARTICLES for w in words)


_WHERE = frozenset({"ou", "where", "wo", "donde", "onde", "dove", "unde", "hol", "waar", "gdzie"})


def _places(question: Question) -> bool:
    """True when at least 3 choices, 80 % of their labels read like place names, and either one
    is a compound place name (``Pays de Bray``, ``Esch-sur-Alzette``) or the question asks where.

    Capitalised words alone are not enough: German capitalises every noun.
    """
    labels = [c.label() for c in question.choices]
    if len(labels) < 3 or sum(_looks_like_place(label) for label in labels) < 0.8 * len(labels):
        return False
    compound = any("-" in label.strip(" -") or
                   any(w.casefold() in _PARTICLES for w in label.split()[1:-1]) for label in labels)
    return compound or bool(_words(question) & _WHERE)


def _territory(survey: Survey) -> tuple[Question, str] | None:
    best: tuple[int, int, Question, str] | None = None
    # place names alone decide only when one select_one has them (German capitalises every noun)
    placelike = [q for q in survey.top_level if q.role is None and q.type == "select_one" and _places(q)]
    for position, q in enumerate(survey.top_level):
        if q.role is not None or q.type not in {"select_one", "text"}:
            continue
        words = _words(q)
        strong = _hit(words, _TERRITORY_STRONG)
        weak = _hit(words, _TERRITORY_MEDIUM) or _hit(words, _TERRITORY_WEAK)
        score = (4 if strong else 3 if _hit(words, _TERRITORY_MEDIUM) else 2 if weak else 0) + (
            1 if q.type == "select_one" else 0)
        if q in placelike and (len(placelike) == 1 or strong or weak):
            score += 2
        if score < 3:  # a text question needs a territory word; a select_one a word or place names
            continue
        why = f"'{strong or weak}'" if strong or weak else "places"
        if best is None or (score, -position) > (best[0], best[1]):
            best = (score, -position, q, why)
    return None if best is None else (best[2], best[3])


def _first(questions: list[Question], test) -> tuple[Question, str] | None:
    for q in questions:
        why = test(q)
        if q.role is None and why:
            return q, why
    return None


def _is_person(q: Question) -> str | None:
    """Why ``q`` is a direct identifier (by type, name and label), or None."""
    if q.type in _CONTACT_TYPES:
        return q.type
    if q.type != "text" or q.role is not None:
        return None
    words = _words(q)
    contact = _hit(words, _CONTACT)
    if contact:
        return contact
    person = _hit(words, _PERSON)
    if person is None and _hit(words, _NAME) and (_hit(words, _WHO) or _slug(q.name) in _NAME):
        person = _hit(words, _NAME)
    if person and not _hit(words, _ORGANISATION) and not _hit(words, _PARTNER) \
            and not _hit(words, _TERRITORY_STRONG + _TERRITORY_MEDIUM + _TERRITORY_WEAK):
        return person
    return None


def infer_roles(survey: Survey) -> dict[str, tuple[str, str]]:
    """Roles the form does not declare, inferred from names, labels and choices.

    Returns
    -------
    dict
        ``role → (question name, the word or clue that decided)``, plus
        ``"identifier:<name>" → (name, clue)`` for each inferred direct identifier. Roles the
        form already declares are not returned; identifiers are inferred only when the form
        declares none.

    Examples
    --------
    >>> from coopwork.survey import Question, Survey
    >>> s = Survey("s", "S", None, ["en"], "en", {
    ...     "region": Question("region", "text", {"en": "Your region"}),
    ...     "phone": Question("phone", "text", {"en": "Phone number"})}, {})
    >>> infer_roles(s)
    {'territory': ('region', "'region'"), 'identifier:phone': ('phone', 'phone')}
    """
    found: dict[str, tuple[str, str]] = {}
    declared = {q.role for q in survey.questions.values() if q.role}
    top = survey.top_level
    if "territory" not in declared:
        hit = _territory(survey)
        if hit:
            found["territory"] = (hit[0].name, hit[1])
    taken = {name for name, _ in found.values()}

    def free(q: Question) -> bool:
        return q.name not in taken and q.role is None

    if "organisation" not in declared:
        hit = _first([q for q in top if free(q) and q.type == "text"],
                     lambda q: _hit(_words(q), _ORGANISATION))
        if hit:
            found["organisation"] = (hit[0].name, f"'{hit[1]}'")
    if "org_type" not in declared:
        hit = _first([q for q in top if free(q) and q.type == "select_one"],
                     lambda q: _hit(_words(q), _ORGANISATION) and _hit(_words(q), _ORG_TYPE))
        if hit:
            found["org_type"] = (hit[0].name, f"'{hit[1]}'")
    if "partner" not in declared:
        in_repeats = [q for q in survey.questions.values() if q.repeat and q.is_answer and free(q)
                      and q.type in {"text", "select_one"}]
        hit = _first(in_repeats, lambda q: _hit(_words(q), _PARTNER))
        if hit is None:  # a text question of a repeat named like partners
            hit = _first([q for q in in_repeats if q.type == "text"],
                         lambda q: _hit(set(_slug(q.repeat or "").split("_")) | {_slug(q.repeat or "")},
                                        _PARTNER))
        if hit:
            found["partner"] = (hit[0].name, f"'{hit[1]}'")
    if "weight" not in declared:
        hit = _first([q for q in top if free(q) and q.type == "decimal"], lambda q: _hit(_words(q), _WEIGHT))
        if hit:
            found["weight"] = (hit[0].name, f"'{hit[1]}'")
    if "name_consent" not in declared:
        hit = _first([q for q in top if free(q) and q.type == "select_one"],
                     lambda q: _hit(_words(q), _CONSENT) and _hit(_words(q), ("nom", "name", "names")))
        if hit:
            found["name_consent"] = (hit[0].name, f"'{hit[1]}'")
    if not any(q.identifier for q in survey.questions.values()):
        taken = {name for name, _ in found.values()}
        for q in survey.questions.values():
            why = None if q.name in taken else _is_person(q)
            if why:
                found[f"identifier:{q.name}"] = (q.name, why)
    return found


def read_side_file(form: str | Path) -> dict:
    """``{"roles": {role: name|"none"}, "identifiers": [...], "not_identifiers": [...]}`` or ``{}``.

    Raises
    ------
    SurveyError
        When the side file is not valid YAML or names an unknown role.
    """

    path = side_file_path(form)
    if not path.is_file():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SurveyError("ingest_readers.side_file_bad", detail=str(exc).splitlines()[0], file=path.name,
                          hint="ingest_readers.hint_side_file") from None
    if not isinstance(data, dict):
        raise SurveyError("ingest_readers.side_file_bad", detail=type(data).__name__, file=path.name,
                          hint="ingest_readers.hint_side_file")
    roles = {str(k): (NONE if v in (None, "", False) else str(v))
             for k, v in (data.get("roles") or {}).items()}
    for role in roles:
        if role not in ROLES:
            raise SurveyError("ingest_readers.side_file_role", role=role, roles=", ".join(sorted(ROLES)),
                              file=path.name, hint="ingest_readers.hint_side_file")
    out = {"roles": roles, "not_identifiers": [str(v) for v in data.get("not_identifiers") or []]}
    if "identifiers" in data:  # even an empty list: the identifiers are decided, not inferred
        out["identifiers"] = [str(v) for v in data.get("identifiers") or []]
    return out


def _check_name(survey: Survey, name: str, where: str) -> None:
    if name != NONE and name not in survey.questions:
        import difflib

        close = difflib.get_close_matches(name, list(survey.questions), n=3)
        said = {"side file": "source_side_file", "option": "source_option"}.get(where, "source_form")
        raise SurveyError("ingest_readers.role_unknown_question", name=name,
                          where=Key(f"ingest_readers.{said}"), survey=survey.survey_id,
                          file=survey.path and survey.path.name, hint="ingest_readers.hint_role_question",
                          names=", ".join(close) or ", ".join(list(survey.questions)[:8]))


def resolve_roles(survey: Survey, *, roles: dict[str, str] | None = None,
                  identifiers: list[str] | tuple[str, ...] = (), infer: bool = True,
                  side_file: bool = True) -> Survey:
    """``survey`` with every role set: options > side file > form > inference.

    Parameters
    ----------
    survey
        A survey as the form declares it.
    roles
        ``role → question name`` (or ``"none"``) given on the command line.
    identifiers
        More questions to treat as direct identifiers.
    infer
        Infer the roles and identifiers nobody declared.
    side_file
        Read ``<form>.coopwork.yml`` next to ``survey.path``.

    Returns
    -------
    Survey
        A copy whose questions carry the roles, and whose ``role_sources`` says where each
        came from (``form``, ``side file``, ``option``, ``inferred (…)``).

    Raises
    ------
    SurveyError
        When an option or the side file names a question the form does not have.
    """
    side = read_side_file(survey.path) if side_file and survey.path is not None else {}
    chosen: dict[str, tuple[str, str]] = {}  # role → (name, source)
    known = survey.role_sources  # a survey resolved before keeps saying where its roles came from
    for q in survey.questions.values():
        if q.role and q.role not in chosen:
            chosen[q.role] = (q.name, known.get(f"role:{q.role}", "|form").partition("|")[2])

    def assign(role: str, name: str, source: str) -> None:
        for other in [r for r, (n, _) in chosen.items() if n == name and r != role and name != NONE]:
            del chosen[other]  # one question has one role: the later decision wins
        chosen[role] = (name, source)

    for role, name in (side.get("roles") or {}).items():
        _check_name(survey, name, "side file")
        assign(role, name, "side file")
    for role, name in (roles or {}).items():
        if role not in ROLES:
            raise SurveyError("ingest_readers.side_file_role", role=role, roles=", ".join(sorted(ROLES)),
                              hint="ingest_readers.hint_side_file")
        _check_name(survey, name, "option")
        assign(role, name, "option")
    ident = {q.name: known.get(f"identifier:{q.name}", "form")
             for q in survey.questions.values() if q.identifier}
    for name in side.get("identifiers", []):
        _check_name(survey, name, "side file")
        ident[name] = "side file"
    for name in identifiers:
        _check_name(survey, name, "option")
        ident[name] = "option"
    excluded = set(side.get("not_identifiers", []))
    questions = {name: replace(q, role=None) if q.role else q for name, q in survey.questions.items()}
    for role, (name, _) in chosen.items():
        if name != NONE:
            questions[name] = replace(questions[name], role=role)
    base = replace(survey, questions=questions, role_sources={})
    if infer:
        declared = "identifiers" in side or any(source == "form" for source in ident.values())
        for key, (name, why) in infer_roles(base).items():
            if key.startswith("identifier:"):
                if not declared and name not in excluded:
                    ident.setdefault(name, f"inferred ({why})")
            elif key not in chosen:
                chosen[key] = (name, f"inferred ({why})")
                questions[name] = replace(questions[name], role=key)
    for name in excluded:
        ident.pop(name, None)
    for name, q in questions.items():
        if q.identifier != (name in ident):
            questions[name] = replace(q, identifier=name in ident)
    sources = {f"role:{role}": f"{name}|{source}" for role, (name, source) in chosen.items()}
    sources.update({f"identifier:{name}": source for name, source in ident.items()})
    return replace(survey, questions=questions, role_sources=sources)


def identifiers_by_content(frame: pd.DataFrame, survey: Survey, *, share: float = 0.5) -> dict[str, str]:
    """Text questions of ``frame`` most of whose answers are e-mails, phone numbers or IP addresses.

    Parameters
    ----------
    frame
        The answers (one column per question, strings).
    survey
        The survey (questions already declared identifiers are skipped).
    share
        Smallest share of the non-empty distinct answers that must look like contacts.

    Returns
    -------
    dict
        ``question name → "emails" | "phones" | "ips"``.

    Examples
    --------
    >>> from coopwork.survey import Question, Survey
    >>> s = Survey("s", "S", None, ["fr"], "fr", {"contact": Question("contact", "text")}, {})
    >>> frame = pd.DataFrame({"contact": ["a@b.org", "06 12 34 56 78", None]}, dtype="string")
    >>> identifiers_by_content(frame, s)
    {'contact': 'emails'}
    """

    regions = regions_for(survey.languages)
    out: dict[str, str] = {}
    for q in survey.questions.values():
        if q.identifier or q.type != "text" or q.name not in frame.columns or q.role:
            continue
        values = frame[q.name].dropna().astype("string").str.strip()
        values = values[values != ""].unique()
        if not len(values):
            continue
        if len(values) > 500:  # most text columns are plainly not contacts: a sample says so
            sample = values[:: max(1, len(values) // 500)]
            hits = sum(contact_kind(v, regions) is not None for v in sample)
            if hits < share * len(sample) / 2:
                continue
        kinds = [contact_kind(v, regions) for v in values]
        counts = {kind: kinds.count(kind) for kind in ("email", "phone", "ip")}
        if sum(counts.values()) >= share * len(values):
            kind = max(counts, key=lambda k: counts[k])  # the first of the most frequent kinds
            out[q.name] = {"email": "emails", "phone": "phones", "ip": "ips"}[kind]
    return out


def role_lines(sources: dict[str, str], *, form: str | Path | None = None, lang: str | None = None,
               always: bool = False) -> list[str]:
    """What each role and identifier is, where it comes from, and how to change it.

    Parameters
    ----------
    sources
        :attr:`~coopwork.survey.Survey.role_sources` of a resolved survey.
    form
        The form's path (named in the line saying how to change the roles).
    lang
        Language of the lines.
    always
        List the roles even when none was inferred (by default only inferred roles need saying).

    Examples
    --------
    >>> from coopwork.survey import Question, Survey
    >>> s = resolve_roles(Survey("s", "S", None, ["en"], "en",
    ...                          {"region": Question("region", "text", {"en": "Region"})}, {}))
    >>> role_lines(s.role_sources, lang="en")[1]
    "  territory = region (inferred ('region'))"
    """

    lang = normalise_lang(lang)

    def said(source: str) -> str:  # the stored source ("inferred ('epci')", "side file"…) in words
        if source.startswith("inferred (") and source.endswith(")"):
            clue = source[len("inferred ("):-1]
            clue = t("ingest_readers.clue_places", lang) if clue == "places" else clue
            return t("ingest_readers.source_inferred", lang, clue=clue)
        key = {"form": "source_form", "side file": "source_side_file", "option": "source_option"}.get(source)
        return t(f"ingest_readers.{key}", lang) if key else source

    lines = []
    for key, value in sources.items():
        if key.startswith("role:"):
            name, _, source = value.partition("|")
            lines.append(f"  {key[5:]} = {name} ({said(source)})")
    idents = [f"{k[11:]} ({said(v)})" for k, v in sources.items() if k.startswith("identifier:")]
    if idents:
        lines.append("  " + t("ingest_readers.roles_identifiers", lang, names=", ".join(idents)))
    inferred = any("inferred" in value for value in sources.values())
    if not (inferred or always):
        return []
    if not lines:
        lines.append("  " + t("ingest_readers.roles_none", lang))
    lines.insert(0, t("ingest_readers.roles_title", lang))
    if inferred and form is not None:
        lines.append(t("ingest_readers.roles_change", lang, form=form, side=side_file_path(form).name))
    return lines


def write_side_file(survey: Survey, *, path: str | Path | None = None,
                    not_identifiers: list[str] | tuple[str, ...] = ()) -> Path:
    """Write the resolved roles and identifiers of ``survey`` to its side file; return its path."""
    import yaml

    target = Path(path) if path else side_file_path(survey.path)
    roles = {}
    for key, value in survey.role_sources.items():
        if key.startswith("role:"):
            roles[key[5:]] = value.partition("|")[0]
    roles.setdefault("territory", NONE)  # written out: inference will not pick one later
    data = {"roles": roles, "identifiers": [q.name for q in survey.identifiers]}
    if not_identifiers:
        data["not_identifiers"] = list(not_identifiers)
    header = f"# coopwork roles of {Path(survey.path).name if survey.path else survey.survey_id}" \
             " (coopwork survey annotate); edit freely\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def roles_from_options(territory_question: str | None = None, role: list[str] | tuple[str, ...] = ()
                       ) -> dict[str, str]:
    """``--territory-question NAME`` and ``--role ROLE=NAME`` options as ``role → name``.

    Raises
    ------
    SurveyError
        When a ``--role`` option is not ``ROLE=NAME`` with a known role.

    Examples
    --------
    >>> roles_from_options("zone", ["organisation=org"])
    {'organisation': 'org', 'territory': 'zone'}
    """

    out: dict[str, str] = {}
    for item in role:
        key, sep, name = str(item).partition("=")
        key, name = key.strip(), name.strip()
        if not sep or key not in ROLES or not name:
            raise SurveyError("ingest_readers.side_file_role", role=item, roles=", ".join(sorted(ROLES)),
                              hint="ingest_readers.hint_side_file")
        out[key] = name
    if territory_question:
        out["territory"] = territory_question.strip()
    return out
