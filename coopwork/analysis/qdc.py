"""The free-text codebook as a REFI-QDA codebook (``.qdc``): out to QualCoder, Taguette, ATLAS.ti… and back.

The REFI-QDA codebook standard (XML, namespace ``urn:QDA-XML:codebook:1.0``) is read and
written by most qualitative-analysis software. A team exports the codebook, codes the answers
in its own tool, refines the codes, exports them and brings them back:

``coopwork codebook export [-o FILE]``   ``surveys/codebook_<survey>.yml`` → ``.qdc``
``coopwork codebook import FILE [-o YML]``  ``.qdc`` → the YAML codebook the results read

Mapping (:mod:`coopwork.analysis.freetext` describes the YAML codebook):

==========================  ===================================================================
YAML codebook               REFI-QDA ``<Code>``
==========================  ===================================================================
theme                       ``isCodable="true"``
category (groups themes)    ``isCodable="false"``
``parent``                  nesting of ``<Code>`` elements
``label[lang]``             ``name`` (the other languages are kept on import)
``description[lang]``       ``<Description>`` text …
``keywords``                … whose last line is ``Keywords: mutualis*; partag*`` (``Mots-clés``)
``color``                   ``color`` (``#RRGGBB``; a palette colour when the theme has none)
``guid``                    ``guid`` (else a UUID derived from the survey and the theme id)
==========================  ===================================================================

On import, a code whose ``guid`` is the one of a theme of the current codebook keeps that
theme's id and its labels in other languages; a new code gets an id made from its name. A code
from another tool has no keyword line: its name becomes its keyword, and the import says which
themes to complete. The XML is parsed with :mod:`defusedxml`: a file declaring a DTD or
entities is refused (no XXE, no entity expansion).

Examples
--------
>>> book = {"questions": [], "themes": {"trust": {"label": {"en": "Trust"}, "keywords": ["trust*"]}}}
>>> data = to_qdc(book, lang="en", survey_id="demo")
>>> back, derived = from_qdc(data, lang="en", existing=book, survey_id="demo")
>>> back["themes"]["trust"]["keywords"], derived
(['trust*'], [])
"""

from __future__ import annotations

import argparse
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import CoopworkError
from ..i18n import Key, catalogue, command_lang, normalise_lang, pick, t
from ..progress import say
from ..version import __version__
from ..workspace import open_workspace
from .freetext import check_codebook, load_codebook

__all__ = ["NAMESPACE", "from_qdc", "main", "read_qdc", "to_qdc", "write_codebook", "write_qdc"]

NAMESPACE = "urn:QDA-XML:codebook:1.0"
_NS = f"{{{NAMESPACE}}}"
#: UUIDs of themes without a guid: uuid5 of this namespace, the survey id and the theme id
_GUIDS = uuid.UUID("6b1c1c0e-5d0a-4c52-9b7e-2f6a1f3c9d10")
#: colours of themes without one (Okabe–Ito, readable by colour-blind coders)
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")


def _keyword_prefixes() -> list[str]:
    return list(dict.fromkeys(catalogue()["analysis.qdc_keywords"].values()))


def _guid(survey_id: str, theme: str, spec: Mapping) -> str:
    return spec.get("guid") or str(uuid.uuid5(_GUIDS, f"{survey_id}\x00{theme}"))


def _text(texts: Mapping[str, str] | None, lang: str) -> str:
    return pick(dict(texts or {}), lang) or ""


def _colours(codebook: Mapping) -> dict[str, str]:
    """The colour of each theme and category in the file: its own, else the next of the palette."""
    entries = {**codebook.get("categories", {}), **codebook["themes"]}
    spare = iter(PALETTE * (len(entries) // len(PALETTE) + 1))
    return {name: spec.get("color") or next(spare) for name, spec in entries.items()}


def to_qdc(codebook: Mapping, *, lang: str = "fr", survey_id: str = "") -> bytes:
    """The codebook (as :func:`~coopwork.analysis.freetext.load_codebook` returns it) as REFI-QDA XML."""
    lang = normalise_lang(lang)
    entries = {**codebook.get("categories", {}), **codebook["themes"]}
    children: dict[str | None, list[str]] = {}
    for name, spec in entries.items():
        children.setdefault(spec.get("parent"), []).append(name)
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{_NS}CodeBook", origin=f"coopwork {__version__}")
    codes = ET.SubElement(root, f"{_NS}Codes")
    colours = _colours(codebook)

    def add(parent: ET.Element, name: str) -> None:
        spec = entries[name]
        codable = name in codebook["themes"]
        element = ET.SubElement(parent, f"{_NS}Code", guid=_guid(survey_id, name, spec),
                                name=_text(spec.get("label"), lang) or name,
                                isCodable="true" if codable else "false",
                                color=colours[name])
        lines = [_text(spec.get("description"), lang)] if spec.get("description") else []
        if codable:
            lines.append(f"{t('analysis.qdc_keywords', lang)}: {'; '.join(spec['keywords'])}")
        if lines:
            ET.SubElement(element, f"{_NS}Description").text = "\n\n".join(lines)
        for child in children.get(name, []):
            add(element, child)

    for name in children.get(None, []):
        add(codes, name)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _slug(name: str, taken: set[str]) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", plain).strip("_") or "theme"
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}_{counter}", counter + 1
    taken.add(slug)
    return slug


def _split(description: str) -> tuple[str, list[str] | None]:
    """The description without its keyword line, and the keywords (None without the line)."""
    lines = description.strip().splitlines()
    pattern = re.compile(rf"^\s*(?:{'|'.join(map(re.escape, _keyword_prefixes()))})\s*:\s*(.*)$", re.I)
    found = pattern.match(lines[-1]) if lines else None
    if found is None:
        return description.strip(), None
    keywords = [k.strip() for k in found.group(1).split(";") if k.strip()]
    return "\n".join(lines[:-1]).strip(), keywords or None


def _parse(data: bytes, file: object) -> ET.Element:
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise CoopworkError("analysis.qdc_unsafe", file=file, hint="analysis.qdc_unsafe_hint") from None
    except ET.ParseError as err:
        line, column = err.position
        raise CoopworkError("analysis.qdc_invalid", reason=str(err), file=file, row=line, column=column,
                            hint="analysis.qdc_invalid_hint") from None


def from_qdc(data: bytes, *, lang: str = "fr", existing: Mapping | None = None, survey_id: str = "",
             file: object = None) -> tuple[dict, list[str]]:
    """The YAML codebook of a REFI-QDA codebook, and the themes whose keywords are their names.

    Parameters
    ----------
    data
        The ``.qdc`` file's bytes.
    lang
        The language of the codes' names and descriptions.
    existing
        The current codebook: its themes (found by ``guid``) keep their ids, their labels in
        other languages and their questions.
    survey_id
        The survey whose codebook was exported (gives the guids of themes that had none).
    file
        Named in error messages.

    Raises
    ------
    CoopworkError
        A file that is not XML, declares a DTD or entities, is not a REFI-QDA codebook, has a
        code without a name or no code at all (the message names the file, and the line).
    """
    lang = normalise_lang(lang)
    root = _parse(data, file)
    if root.tag != f"{_NS}CodeBook":
        raise CoopworkError("analysis.qdc_invalid", reason=Key("analysis.qdc_not_codebook"), root=root.tag,
                            file=file, hint="analysis.qdc_invalid_hint")
    existing = existing or {"questions": [], "themes": {}}
    known = {**existing.get("categories", {}), **existing["themes"]}
    by_guid = {_guid(survey_id, name, spec): name for name, spec in known.items()}
    defaults = _colours(existing) if known else {}  # what an export gave themes without a colour
    taken: set[str] = set()
    themes: dict[str, dict] = {}
    categories: dict[str, dict] = {}
    derived: list[str] = []

    def walk(element: ET.Element, parent: str | None) -> None:
        for code in element.findall(f"{_NS}Code"):
            name = (code.get("name") or "").strip()
            guid = code.get("guid") or ""
            if not name:
                raise CoopworkError("analysis.qdc_invalid", reason=Key("analysis.qdc_no_name"), guid=guid,
                                    file=file, hint="analysis.qdc_invalid_hint")
            theme = by_guid.get(guid)
            theme = theme if theme is not None and theme not in taken else _slug(name, taken | set(known))
            taken.add(theme)
            before = known.get(theme, {})
            text, keywords = _split(code.findtext(f"{_NS}Description") or "")
            spec: dict = {"label": {**before.get("label", {}), lang: name}}
            if text:
                spec["description"] = {**before.get("description", {}), lang: text}
            colour = (code.get("color") or "").upper()
            chosen = before.get("color") or colour != defaults.get(theme)  # not the palette's default
            if re.fullmatch(r"#[0-9A-F]{6}", colour) and chosen:
                spec["color"] = colour
            if guid and guid != _guid(survey_id, theme, {}):  # a guid of its own (another tool's)
                spec["guid"] = guid
            if parent is not None:
                spec["parent"] = parent
            if (code.get("isCodable") or "true").strip().lower() == "false":
                categories[theme] = spec
            else:
                if keywords is None:
                    keywords = before.get("keywords") or [name]
                    if not before.get("keywords"):
                        derived.append(theme)
                themes[theme] = {"label": spec.pop("label"), "keywords": keywords, **spec}
            walk(code, theme)

    codes = root.find(f"{_NS}Codes")
    walk(root if codes is None else codes, None)
    if not themes:
        raise CoopworkError("analysis.qdc_invalid", reason=Key("analysis.qdc_no_codes"), file=file,
                            hint="analysis.qdc_invalid_hint")
    book: dict = {"questions": list(existing.get("questions", [])), "themes": themes}
    if categories:
        book["categories"] = categories
    return check_codebook(book, file=file), derived


def write_qdc(codebook: Mapping, path: str | Path, *, lang: str = "fr", survey_id: str = "") -> Path:
    """Write :func:`to_qdc` to ``path`` (parent folders created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_qdc(codebook, lang=lang, survey_id=survey_id))
    return path


def read_qdc(path: str | Path, *, lang: str = "fr", existing: Mapping | None = None,
             survey_id: str = "") -> tuple[dict, list[str]]:
    """:func:`from_qdc` of a file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CoopworkError("analysis.qdc_invalid", reason=err.strerror, file=path,
                            hint="analysis.qdc_invalid_hint") from None
    return from_qdc(data, lang=lang, existing=existing, survey_id=survey_id, file=path)


def write_codebook(codebook: Mapping, path: str | Path) -> Path:
    """Write a codebook as YAML (:func:`~coopwork.analysis.freetext.load_codebook` reads it back)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"questions": list(codebook.get("questions", []))}
    if codebook.get("categories"):
        body["categories"] = codebook["categories"]
    body["themes"] = codebook["themes"]
    header = ("# Codebook of the free-text questions (see coopwork.analysis.freetext), imported from a\n"
              "# REFI-QDA codebook by `coopwork codebook import`. Edit the keywords, then rerun.\n")
    path.write_text(header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100),
                    encoding="utf-8")
    return path


def main(args: argparse.Namespace) -> int:
    """``coopwork codebook export|import``."""
    lang = command_lang(args)
    ws = open_workspace(args.workspace)
    default = ws.surveys_dir / f"codebook_{ws.survey_id}.yml"
    if args.codebook_command == "export":
        if not default.is_file():
            raise CoopworkError("analysis.qdc_no_codebook", file=default, path=default,
                                hint="analysis.qdc_no_codebook_hint", lang=lang)
        book = load_codebook(default)
        out = write_qdc(book, args.output or ws.surveys_dir / f"{ws.survey_id}.qdc", lang=lang,
                        survey_id=ws.survey_id)
        print(t("analysis.qdc_exported", lang, path=out,
                n=len(book["themes"]) + len(book.get("categories", {}))))
        return 0
    target = Path(args.output) if args.output else default
    current = load_codebook(target) if target.is_file() else None
    book, derived = read_qdc(args.file, lang=lang, existing=current, survey_id=ws.survey_id)
    write_codebook(book, target)
    print(t("analysis.qdc_imported", lang, path=target, themes=len(book["themes"]),
            categories=len(book.get("categories", {}))))
    if derived:
        say(t("analysis.qdc_derived", lang, path=target, themes=", ".join(derived)))
    return 0
