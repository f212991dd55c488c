"""The seeded synthetic Kobo exports: shape, determinism, network dynamics, realism, defects.

Statistics are recomputed here from the files themselves (csv module / openpyxl), never from
the generator's internals.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import numpy as np
import pytest
from openpyxl import load_workbook

from coopwork.demo.generate import KOBO_META, KOBO_REPEAT_META, WAVES, demo_files, generate_demo
from coopwork.errors import CoopworkError
from coopwork.survey import load_survey

TERRITORIES = ["pays_de_bray", "timisoara", "veszprem", "esch_sur_alzette", "guimaraes", "matera"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    files = generate_demo(root)
    return root, files


@pytest.fixture(scope="module")
def survey(workspace):
    return load_survey(workspace[0] / "surveys" / "cooperation_territoriale.xlsx")


def _sheets(path):
    workbook = load_workbook(path, read_only=True)
    out = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        out[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    workbook.close()
    return out


@pytest.fixture(scope="module")
def waves(workspace):
    """wave → (main rows, repeat rows) read from the Kobo XLSX."""
    root, _ = workspace
    out = {}
    for wave, path in zip(WAVES, demo_files(root)["xlsx"], strict=True):
        sheets = _sheets(path)
        names = list(sheets)
        out[wave] = (sheets[names[0]], sheets["partenariats"], names)
    return out


def _csv_rows(path):
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline=""), delimiter=";"))


def _norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text)


def test_files_written(workspace):
    root, files = workspace
    names = [f.relative_to(root / "data" / "raw").as_posix() for f in files]
    assert names[:2] == ["cooperation_territoriale_2025.xlsx", "cooperation_territoriale_2026.xlsx"]
    assert names[2:] == [f"csv/cooperation_territoriale_{w}_{t}.csv" for w in WAVES for t in TERRITORIES]
    assert (root / "surveys" / "cooperation_territoriale.xlsx").is_file()


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a = generate_demo(tmp_path / "a", territories=2, seed=11)
    b = generate_demo(tmp_path / "b", territories=2, seed=11)
    c = generate_demo(tmp_path / "c", territories=2, seed=12)
    assert [f.read_bytes() for f in a] == [f.read_bytes() for f in b]
    assert all(x.read_bytes() != z.read_bytes() for x, z in zip(a, c, strict=True))


def test_second_generation_leaves_files_untouched(tmp_path):
    files = generate_demo(tmp_path, territories=1)
    stamps = [f.stat().st_mtime_ns for f in files]
    assert generate_demo(tmp_path, territories=1) == files
    assert [f.stat().st_mtime_ns for f in files] == stamps


def test_kobo_csv_shape(workspace, survey):
    root, _ = workspace
    path = demo_files(root)["csv"][0]
    text = path.read_bytes().decode("utf-8")
    rows = _csv_rows(path)
    header = rows[0]
    # ';' separator, every field quoted, CRLF records: rewriting the parsed rows gives the same text
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    assert buffer.getvalue() == text
    assert text.startswith('"start";"end";"profil/territoire";"profil/org_nom";')
    assert all(len(r) == len(header) for r in rows)
    assert tuple(header[-len(KOBO_META):]) == KOBO_META
    # group prefixes; no repeat columns in a Kobo CSV
    assert "liens/nb_partenaires" in header and "confiance/confiance_engagements" in header
    assert not any("partenariats" in h for h in header)
    # select_multiple: one space-separated column, then one 0/1 column per option in form order
    for q in survey.top_level:
        if q.is_multiple:
            base = "/".join((*q.group, q.name))
            k = header.index(base)
            assert header[k + 1:k + 1 + len(q.choices)] == [f"{base}/{c.name}" for c in q.choices]
    k = header.index("profil/secteurs")
    options = [h.rsplit("/", 1)[1] for h in header[k + 1:k + 13]]
    for row in rows[1:]:
        chosen = set(row[k].split())
        flags = row[k + 1:k + 13]
        if row[k]:
            assert flags == [str(int(o in chosen)) for o in options]
        else:
            assert flags == [""] * 12


def test_kobo_xlsx_main_and_repeat_sheets_are_linked(waves):
    for main, repeat, names in waves.values():
        assert names[1:] == ["partenariats"]
        assert names[0] == "Coopérations économiques territ"  # the title cut to 31 characters
        assert tuple(list(main[0])[-len(KOBO_META):]) == KOBO_META
        assert tuple(list(repeat[0])[-len(KOBO_REPEAT_META):]) == KOBO_REPEAT_META
        by_index = {row["_index"]: row for row in main}
        assert sorted(by_index) == list(range(1, len(main) + 1))
        assert [r["_index"] for r in repeat] == list(range(1, len(repeat) + 1))
        for r in repeat:
            parent = by_index[r["_parent_index"]]
            assert r["_submission__uuid"] == parent["_uuid"]
            assert r["_submission__id"] == parent["_id"]
            assert r["_parent_table_name"] == names[0]
            assert r["liens/partenariats/partenaire_nom"]


def test_csv_and_xlsx_hold_the_same_submissions(workspace, waves):
    root, _ = workspace
    for wave in WAVES:
        uuids = []
        for tid in TERRITORIES:
            rows = _csv_rows(root / "data" / "raw" / "csv" / f"cooperation_territoriale_{wave}_{tid}.csv")
            uuids += [dict(zip(rows[0], r, strict=True))["_uuid"] for r in rows[1:]]
        assert sorted(uuids) == sorted(r["_uuid"] for r in waves[wave][0])


def test_respondents_per_territory_between_30_and_80(waves):
    for main, _, _ in waves.values():
        unique = {r["_uuid"]: r for r in main}
        counts = {t: sum(r["profil/territoire"] == t for r in unique.values()) for t in TERRITORIES}
        assert all(30 <= n <= 80 for n in counts.values()), counts


def test_planted_defects(waves):
    main25, main26 = waves["2025"][0], waves["2026"][0]
    uuids = [r["_uuid"] for r in main25]
    assert len(uuids) - len(set(uuids)) == 1
    assert len({r["_id"] for r in main25}) == len(main25)          # a resubmission has a new _id
    assert len({r["_uuid"] for r in main26}) == len(main26)
    assert sum(r["profil/salaries"] == 99999 for r in main26) == 1
    assert sum(r["profil/salaries"] > 5000 for r in main25) == 0
    assert sum(r["profil/territoire"] is None for r in main26) == 1
    assert sum(r["profil/territoire"] is None for r in main25) == 0


def _constraint_bounds(constraint: str) -> tuple[float, float] | None:
    match = re.fullmatch(r"\. >= (\d+) and \. <= (\d+)", constraint or "")
    return (float(match.group(1)), float(match.group(2))) if match else None


def test_numbers_respect_constraints_except_the_planted_one(waves, survey):
    checked = 0
    for wave, (main, repeat, _) in waves.items():
        for rows in (main, repeat):
            for q in survey.questions.values():
                bounds = _constraint_bounds(q.constraint)
                column = "/".join((*q.group, q.name))
                if not bounds or column not in rows[0]:
                    continue
                checked += 1
                bad = [r[column] for r in rows
                       if r[column] is not None and not bounds[0] <= r[column] <= bounds[1]]
                planted = q.name == "salaries" and wave == "2026"
                assert bad == ([99999] if planted else []), q.name
    assert checked == 2 * 11


def test_required_answers_present(waves, survey):
    for main, repeat, _ in waves.values():
        for q in survey.questions.values():
            column = "/".join((*q.group, q.name))
            if q.required and q.name != "territoire":
                rows = repeat if q.repeat else main
                assert all(r[column] not in (None, "") for r in rows), q.name


def test_relevance_is_respected(waves):
    for main, _, _ in waves.values():
        for r in main:
            if r["mutualisation/mutualise"] == "non":
                assert r["mutualisation/mutualisation_formes"] is None
                assert r["mutualisation/mutualisation_economies"] is None
            forms = (r["mutualisation/mutualisation_formes"] or "").split()
            if "locaux" not in forms:
                assert r["mutualisation/locaux_m2"] is None
            if "emplois_partages" not in forms:
                assert r["mutualisation/emplois_partages_nb"] is None
            if r["profil/ptce_membre"] != "oui":
                assert r["profil/ptce_nom"] is None
            if r["profil/org_type"] == "collectivite":
                assert r["gouvernance/derniere_ag"] is None
            if r["profil/vague_precedente"] != "oui":
                assert r["trajectoire/traj_cooperation"] is None
                assert r["trajectoire/traj_nouveaux_partenaires"] is None
    assert all(r["profil/vague_precedente"] != "oui" for r in waves["2025"][0])
    assert sum(r["profil/vague_precedente"] == "oui" for r in waves["2026"][0]) > 150


def test_missing_share_of_optional_answers(waves, survey):
    closed, free = [], []
    for main, _, _ in waves.values():
        for q in survey.top_level:
            if q.required or q.identifier or q.relevant or q.type in {"start", "end"}:
                continue
            column = "/".join((*q.group, q.name))
            values = [r[column] in (None, "") for r in main]
            (free if q.type == "text" else closed).extend(values)
    assert 0.05 <= np.mean(closed) <= 0.15
    assert 0.2 <= np.mean(free) <= 0.6


def _likert(rows, a, b):
    pairs = np.array([(r[a], r[b]) for r in rows if r[a] is not None and r[b] is not None], dtype=float)
    return np.corrcoef(pairs[:, 0], pairs[:, 1])[0, 1]


def test_answers_are_correlated_not_uniform_noise(waves):
    for main, repeat, _ in waves.values():
        assert _likert(main, "confiance/confiance_engagements", "confiance/confiance_partage_info") > 0.3
        assert _likert(main, "effets/effet_emploi_local", "effets/effet_services") > 0.3
        levels = ["reseau", "cooperation", "coordination", "coalition", "collaboration"]
        ranked = [dict(r, rank=levels.index(r["liens/partenariats/lien_intensite"]) + 1) for r in repeat
                  if r["liens/partenariats/lien_intensite"]]
        assert _likert(ranked, "rank", "liens/partenariats/lien_valeur") > 0.3
        column = "confiance/confiance_engagements"
        values = [int(r[column]) for r in main if r[column]]
        counts = np.bincount(values, minlength=6)[1:]
        assert counts.max() > 2 * counts.min() + 10   # not uniform over 1..5


def test_territories_differ_in_cooperation_maturity(waves):
    main = waves["2025"][0]
    means = {t: np.mean([float(r["gouvernance/gouv_collectivite"]) for r in main
                         if r["profil/territoire"] == t and r["gouvernance/gouv_collectivite"]])
             for t in TERRITORIES}
    assert means["pays_de_bray"] - means["timisoara"] > 0.3


def _edges(main, repeat):
    names = {r["_index"]: r["profil/org_nom"] for r in main}
    return {(_norm(names[r["_parent_index"]]), _norm(r["liens/partenariats/partenaire_nom"])) for r in repeat}


def test_network_ties_persist_and_grow(waves):
    (main1, rep1, _), (main2, rep2, _) = waves["2025"], waves["2026"]
    e1, e2 = _edges(main1, rep1), _edges(main2, rep2)
    both = {_norm(r["profil/org_nom"]) for r in main1} & {_norm(r["profil/org_nom"]) for r in main2}
    kept = [e for e in e1 if e[0] in both]
    assert sum(e in e2 for e in kept) / len(kept) > 0.6       # ties persist
    assert len(rep2) / len(main2) > len(rep1) / len(main1)      # and grow
    assert len(e2 - e1) > 0.2 * len(e1)


def test_network_is_plausible(waves):
    main, repeat, _ = waves["2025"]
    respondents = {_norm(r["profil/org_nom"]) for r in main}
    partners = [_norm(r["liens/partenariats/partenaire_nom"]) for r in repeat]
    named_respondents = sum(p in respondents for p in partners) / len(partners)
    assert 0.5 < named_respondents < 0.98             # most partners answered, some never did
    per_org = np.bincount([r["_parent_index"] for r in repeat], minlength=len(main) + 1)[1:]
    assert per_org.max() <= 10 and (per_org == 0).sum() > 0
    indegree: dict[str, int] = {}
    for p in partners:
        indegree[p] = indegree.get(p, 0) + 1
    assert max(indegree.values()) >= 4 * np.median(list(indegree.values()))   # hubs exist
    edges = _edges(main, repeat)
    mutual = sum((b, a) in edges for a, b in edges if b in respondents)
    assert mutual > 0.2 * len(edges)                  # organisations name each other


def test_partner_names_have_small_variants(waves):
    main, repeat, _ = waves["2026"]
    exact = {r["profil/org_nom"] for r in main}
    partners = [r["liens/partenariats/partenaire_nom"] for r in repeat]
    variants = [p for p in partners if p not in exact and _norm(p) in {_norm(n) for n in exact}]
    assert 0.02 < len(variants) / len(partners) < 0.2
    assert any(p != p.strip() for p in partners)
    assert any(p.islower() for p in partners)


def test_fake_identifiers_and_french_free_text(waves):
    for main, _, _ in waves.values():
        emails = [r["contact/contact_email"] for r in main if r["contact/contact_email"]]
        assert emails and all(e.endswith("@example.org") for e in emails)
        phones = [r["contact/contact_tel"] for r in main if r["contact/contact_tel"]]
        assert phones and all(p.startswith("01 99 00 ") for p in phones)
        texts = [r["trajectoire/evolution_texte"] for r in main if r["trajectoire/evolution_texte"]]
        texts += [r["trajectoire/attentes_texte"] for r in main if r["trajectoire/attentes_texte"]]
        words = " ".join(texts).lower().split()
        assert {"nous", "les", "des", "avec"} <= set(words)
        assert len(set(texts)) > 10


def test_no_email_or_phone_outside_the_fiction_ranges(workspace):
    root, _ = workspace
    for path in demo_files(root)["csv"]:
        text = path.read_bytes().decode("utf-8")
        assert set(re.findall(r"@([\w.-]+)", text)) == {"example.org"}, path.name
        phones = re.findall(r"\b0\d(?: \d\d){4}\b", text)
        assert phones and all(p.startswith("01 99 00") for p in phones), path.name


def test_org_types_have_realistic_shares(waves):
    main = waves["2025"][0]
    types = [r["profil/org_type"] for r in main]
    share = {t: types.count(t) / len(types) for t in set(types)}
    assert max(share, key=share.get) == "association"
    assert all(r["profil/org_type"] not in {"ebe_tzcld", "ptce"} for r in main
               if r["profil/territoire"] not in {"pays_de_bray", None})   # French structures
    assert all((r["profil/org_type_autre"] is not None) <= (r["profil/org_type"] == "autre") for r in main)


def test_kobo_meta_values(waves):
    main = waves["2025"][0]
    uuid4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert all(uuid4.fullmatch(r["_uuid"]) for r in main)
    assert all(r["_submission_time"].startswith("2025-") for r in main)
    assert all(re.fullmatch(r"2025-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", r["start"]) for r in main)
    assert len({r["__version__"] for r in main}) == 1
    assert {r["_status"] for r in main} == {"submitted_via_web"}


def test_more_than_six_territories_extend_the_form(tmp_path):
    files = generate_demo(tmp_path, territories=7)
    survey = load_survey(tmp_path / "surveys" / "cooperation_territoriale.xlsx")
    assert "territoire_07" in survey.choice_labels("territoire")
    assert files[-1].name == "cooperation_territoriale_2026_territoire_07.csv"
    rows = _csv_rows(files[-1])
    assert 30 <= len(rows) - 1 <= 80


@pytest.mark.parametrize("n", [0, 1000])
def test_bad_number_of_territories(tmp_path, n):
    with pytest.raises(CoopworkError, match="between 1 and 999"):
        generate_demo(tmp_path, territories=n)
