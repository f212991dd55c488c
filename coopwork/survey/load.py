"""Reading an XLSForm into a :class:`~coopwork.survey.model.Survey` (pyxform parses it).

The questions come in form order, groups flattened (each question keeps its ``group`` path and
its ``repeat``); the roles coopwork needs come from :mod:`coopwork.survey.roles`.

Examples
--------
>>> from coopwork.demo import sample_survey_path
>>> load_survey(sample_survey_path()).role("territory").name
'territoire'
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from ..errors import SurveyError
from ..paths import check_id
from .model import ROLES, Choice, Group, Question, Survey
from .xlsform import language_code, parse_xlsform

__all__ = ["load_survey"]

#: pyxform's spelled-out type names → the XLSForm names used everywhere in coopwork.
_TYPE_ALIASES = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "select one external": "select_one_external",
    "select one from file": "select_one_from_file",
    "select multiple from file": "select_multiple_from_file",
    # legacy XLSForm aliases that pyxform accepts and passes through unchanged
    "int": "integer",
    "string": "text",
    "dateTime": "datetime",
    "trigger": "acknowledge",
    "phone number": "text",
}

_STRUCTURAL = {"group", "repeat", "survey", "loop"}

_ROW_RE = re.compile(r"\[row\s*:\s*(\d+)\]", re.IGNORECASE)

#: the name pyxform gives the row of choice labels it adds on top of a ``table-list`` group (not a question)
_TABLE_LIST_HEADER = "reserved_name_for_field_list_labels_"



def _texts(value: object) -> dict[str, str]:
    """pyxform gives a str (one language) or a {language name: text} dict."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {language_code(k): str(v) for k, v in value.items() if v not in (None, "")}
    return {"default": str(value)}


#: a relative path to another answer in an expression written by pyxform or by hand: ``../name``
_RELATIVE_REF = re.compile(r"(?<![\w$}/.])(?:\.\./)+([A-Za-z_][\w.-]*)")


def _expression(text: object) -> str | None:
    """An XLSForm expression with relative paths (``../q``, ``../../q``) written ``${q}``.

    Examples
    --------
    >>> _expression("selected(../transport, 'other') and ../../age > 3")
    "selected(${transport}, 'other') and ${age} > 3"
    """
    if text is None or text == "":
        return None
    return _RELATIVE_REF.sub(r"${\1}", str(text))


def _fill_template(value: object, name: str, label: object) -> object:
    """``value`` with the ``%(name)s`` / ``%(label)s`` templates of a loop filled for one choice.

    Examples
    --------
    >>> _fill_template({"en": "Is %(label)s daily?"}, "bus", {"en": "Bus"})
    {'en': 'Is Bus daily?'}
    >>> _fill_template("selected(${t}, '%(name)s')", "bus", "Bus")
    "selected(${t}, 'bus')"
    """
    if isinstance(value, str):
        text = label if isinstance(label, str) else next(iter((label or {}).values()), name)
        return value.replace("%(name)s", name).replace("%(label)s", str(text or name))
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            text = label.get(key, next(iter(label.values()), name)) if isinstance(label, dict) and label \
                else label
            out[key] = _fill_template(item, name, text)
        return out
    if isinstance(value, list):
        return [_fill_template(item, name, label) for item in value]
    return value


def _walk(node: dict, group: tuple[str, ...], repeat: str | None, choices: dict,
          out: dict[str, Question], path: Path, group_relevant: tuple[str, ...] = (),
          suffix: str = "", groups: dict[str, Group] | None = None) -> None:
    groups = {} if groups is None else groups
    for child in node.get("children", []):
        kind = _TYPE_ALIASES.get(child.get("type", ""), child.get("type", ""))
        name = child.get("name", "")
        if kind == "loop":  # ``begin loop over LIST``: one group of the questions per choice
            condition = _expression((child.get("bind") or {}).get("relevant"))
            inner_relevant = (*group_relevant, condition) if condition else group_relevant
            loop = "/".join((*group, name))
            groups.setdefault(loop, Group(loop, name, "group", _texts(child.get("label")),
                                          (child.get("control") or {}).get("appearance")))
            for column in child.get("columns") or []:
                choice = str(column.get("name", ""))
                inner = "/".join((*group, name, choice))
                groups.setdefault(inner, Group(inner, choice, "group", _texts(column.get("label"))))
                filled = {"children": [_fill_template(c, choice, column.get("label") or choice)
                                       for c in child.get("children", [])]}
                _walk(filled, (*group, name, choice), repeat, choices, out, path, inner_relevant,
                      suffix=f"{suffix}_{choice}", groups=groups)
            continue
        if kind in _STRUCTURAL:
            if name == "meta" and group == ():
                continue  # pyxform's own meta/instanceID
            inner_repeat = name if kind == "repeat" else repeat
            condition = _expression((child.get("bind") or {}).get("relevant"))
            inner_relevant = (*group_relevant, condition) if condition else group_relevant
            key = "/".join((*group, name))
            groups.setdefault(key, Group(key, name, "repeat" if kind == "repeat" else "group",
                                         _texts(child.get("label")),
                                         (child.get("control") or {}).get("appearance")))
            _walk(child, (*group, name), inner_repeat, choices, out, path, inner_relevant, suffix, groups)
            continue
        if name.startswith(_TABLE_LIST_HEADER):  # pyxform's own header row of a table-list group
            continue
        bind = child.get("bind", {})
        meta = child.get("coopwork", {}) or {}
        list_name = child.get("list_name") or child.get("itemset")
        question_choices = tuple(
            Choice(str(c["name"]), _texts(c.get("label")))
            for c in (child.get("choices") or choices.get(list_name, []) or [])
        )
        role = (meta.get("role") or "").strip() or None
        if role is not None and role not in ROLES:
            raise SurveyError("survey.err_unknown_role", name=name, role=role,
                              file=path.name, column="coopwork::role",
                              hint="survey.hint_roles", roles=", ".join(sorted(ROLES)))
        key = name + suffix
        if key in out:  # the same name in another group (pyxform allows it): told apart by its group
            base = f"{group[-1]}_{key}" if group else key
            key, n = base, 2
            while key in out:
                key, n = f"{base}_{n}", n + 1
        out[key] = Question(
            name=key,
            source_name=name if key != name else None,
            type=kind,
            labels=_texts(child.get("label")),
            hints=_texts(child.get("hint")),
            list_name=list_name,
            required=str(bind.get("required", "")).lower() in {"yes", "true", "true()", "1"},
            constraint=_expression(bind.get("constraint")),
            constraint_message=_texts(bind.get("jr:constraintMsg")),
            relevant=_expression(bind.get("relevant")),
            appearance=(child.get("control") or {}).get("appearance"),
            group=group,
            repeat=repeat,
            dimension=(meta.get("dimension") or "").strip() or None,
            identifier=str(meta.get("identifier", "")).strip().lower() in {"yes", "true", "1"},
            role=role,
            choices=question_choices,
            group_relevant=group_relevant,
        )


def load_survey(path: str | Path, *, roles: bool = True) -> Survey:
    """Read an XLSForm (``.xlsx``, ``.xls``, ``.csv`` or ``.md`` as pyxform reads them).

    The roles coopwork needs (territory, organisation, partner, identifiers, …) come from the
    form's ``coopwork::`` columns when it has them, else from the side file
    ``<form>.coopwork.yml``, else they are inferred from names, labels and choices
    (:func:`coopwork.survey.roles.resolve_roles`).

    Parameters
    ----------
    path
        The XLSForm file.
    roles
        Resolve the roles (side file and inference); ``False`` gives the form as written.

    Returns
    -------
    Survey
        Questions in form order (groups flattened, with their ``group`` path and ``repeat``).

    Raises
    ------
    SurveyError
        The file is missing, is not an XLSForm (no ``survey`` sheet with ``type`` and
        ``name``), or pyxform rejects it; the message names the file and, when pyxform
        gives it, the row.

    Examples
    --------
    >>> from coopwork.demo import sample_survey_path
    >>> survey = load_survey(sample_survey_path())
    >>> survey.question("org_type").is_select
    True
    >>> survey.label("org_type", "en")
    'Type of organisation'
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyError("survey.err_no_file", file=path, hint="survey.hint_no_file")
    try:
        from pyxform.errors import PyXFormError

    except ImportError as exc:  # pragma: no cover - pyxform is a core dependency
        raise SurveyError("survey.err_no_pyxform", hint="survey.hint_no_pyxform") from exc
    try:
        with warnings.catch_warnings():  # workbook metadata openpyxl does not know says nothing of the form
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            form, broken = parse_xlsform(path)
    except SurveyError:
        raise
    except PyXFormError as exc:
        text = str(exc).strip()
        match = _ROW_RE.search(text)
        raise SurveyError("survey.err_invalid_xlsform", detail=_ROW_RE.sub('', text).strip(), file=path.name,
                          row=int(match.group(1)) if match else None,
                          hint="survey.hint_fix_row" if match else "survey.hint_fix_sheet") from None
    except Exception as exc:  # pyxform raises plain errors on non-XLSForm files
        raise SurveyError("survey.err_unreadable", error=f"{type(exc).__name__}: {exc}", file=path.name,
                          hint="survey.hint_unreadable") from None
    dropped: dict[str, list[str]] = {}
    for cell in broken:
        dropped.setdefault(language_code(cell.language or ""), []).append(cell.describe())

    questions: dict[str, Question] = {}
    groups: dict[str, Group] = {}
    _walk(form, (), None, form.get("choices", {}), questions, path, groups=groups)
    if not questions:
        raise SurveyError("survey.err_no_question", file=path.name, hint="survey.hint_no_question")
    languages: list[str] = []
    for q in questions.values():
        for code in q.labels:
            if code not in languages:
                languages.append(code)
    default = language_code(form.get("default_language") or "default")
    if default not in languages:
        default = languages[0] if languages else "default"
    if len(languages) > 1 and "default" in languages:
        languages.remove("default")
        if default == "default":
            default = languages[0]
    survey_id = str(form.get("id_string") or path.stem)
    if survey_id == "data":  # pyxform's placeholder when settings has no form_id
        survey_id = path.stem
    # the form_id names the folders of its data (data/processed/<form_id>): never a path
    survey_id = check_id(survey_id, what="form_id", error=SurveyError, file=path.name, column="form_id")
    survey = Survey(
        survey_id=survey_id,
        title=str(form.get("title") or survey_id),
        version=str(form["version"]) if form.get("version") else None,
        languages=languages or ["default"],
        default_language=default,
        questions=questions,
        choices={k: [Choice(str(c["name"]), _texts(c.get("label"))) for c in v]
                 for k, v in (form.get("choices") or {}).items()},
        path=path,
        groups=groups,
        dropped_languages=dropped,
    )
    if roles:
        from .roles import resolve_roles  # lazy: roles read pandas, a dashboard kernel loads forms without it

        survey = resolve_roles(survey)
    territory = survey.role("territory")
    if territory is not None and territory.is_select:  # its choice names become territory ids
        for choice in territory.choices or survey.choices.get(territory.list_name or "", []):
            check_id(choice.name, what="territory", error=SurveyError, file=path.name, column="name")
    return survey
