"""Keyed pseudonyms: key file, HMAC reference values, normalisation, free-text scrubbing."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from coopwork.contacts import find_contacts
from coopwork.errors import IngestError
from coopwork.ingest.pseudonymise import (
    KEY_PATH,
    load_key,
    pseudonym,
    pseudonymise_frame,
    pseudonymise_values,
    scrub_text,
)

KEY = bytes(range(32))


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Messages in English so that the tests can compare them exactly (French is the default)."""
    monkeypatch.setenv("COOPWORK_LANG", "en")


def _reference(text: str) -> str:
    return "px_" + hmac.new(KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def test_key_is_created_once_with_mode_600_outside_data(tmp_path):
    key = load_key(tmp_path)
    path = tmp_path / KEY_PATH
    assert path.is_file() and len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(tmp_path) == key                      # same key on the next call
    assert (tmp_path / ".coopwork" / ".gitignore").read_text().strip().endswith("*")
    assert not (tmp_path / "data").exists()
    assert load_key(tmp_path / "other") != key            # each workspace has its own key


def test_damaged_key_is_an_error(tmp_path):
    load_key(tmp_path)
    (tmp_path / KEY_PATH).write_text("not a key")
    with pytest.raises(IngestError, match="the pseudonymisation key is damaged"):
        load_key(tmp_path)


def _first_use(barrier, folders, results) -> None:
    """One of several processes: at each round, all start together and load the new workspace's key."""
    for folder in folders:
        barrier.wait(timeout=60)
        try:
            results.put((folder, load_key(folder).hex()))
        except IngestError as err:
            results.put((folder, f"error: {err}"))


def test_first_use_of_the_key_by_four_processes_at_once(tmp_path):
    """Four real processes open a new workspace at the same instant, 40 times: one key, read complete."""
    import multiprocessing

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    processes, rounds = 4, 40
    folders = [str(tmp_path / f"ws{i}") for i in range(rounds)]
    barrier, results = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_first_use, args=(barrier, folders, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    got = [results.get(timeout=120) for _ in range(processes * rounds)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    errors = [value for _, value in got if value.startswith("error")]
    assert not errors, f"{len(errors)} of {processes * rounds} loads failed: {errors[0]}"
    for folder in folders:
        keys = {value for name, value in got if name == folder}
        assert keys == {(Path(folder) / KEY_PATH).read_text().strip()}  # everyone got the stored key
        assert [p.name for p in (Path(folder) / ".coopwork").iterdir()] in (
            [".gitignore", "pseudonym.key"], ["pseudonym.key", ".gitignore"])  # no temporary file left


def test_pseudonym_is_the_keyed_hmac_of_the_normalised_value():
    assert pseudonym("marie.dupont@example.org", KEY) == _reference("marie.dupont@example.org")
    assert pseudonym("  Marie.Dupont@EXAMPLE.org ", KEY) == _reference("marie.dupont@example.org")
    assert pseudonym("Jean   Martin", KEY) == _reference("jean martin")
    assert pseudonym("06 12 34 56 78", KEY, kind="phone") == _reference("0612345678")
    assert pseudonym("+33 (0)6 12 34 56 78", KEY, kind="phone") == _reference("0612345678")
    assert pseudonym("0033 6 12 34 56 78", KEY, kind="phone") == _reference("0612345678")
    assert pseudonym("+44 20 7946 0958", KEY, kind="phone") == _reference("00442079460958")
    assert pseudonym("jean martin", bytes(32)) != pseudonym("jean martin", KEY)   # keyed
    already = pseudonym("x", KEY)
    assert pseudonym(already, KEY) == already


@pytest.mark.parametrize(("text", "email", "phone"), [
    ("ecrire à lea@example.org", True, False),
    ("Tel. 06 12 34 56 78 ou 01.23.45.67.89", False, True),
    ("+33 6 12 34 56 78", False, True),
    ("budget 12000 € en 2024-01-15, 1 000 000 habitants", False, False),
    ("SIRET 123 456 789 00012", False, False),
    ("note 13.5/20", False, False),
])
def test_detection_of_emails_and_phones(text, email, phone):
    kinds = {c.kind for c in find_contacts(text)}
    assert ("email" in kinds) is email
    assert ("phone" in kinds) is phone


@pytest.mark.parametrize(("national", "international", "regions"), [
    ("347 123 4567", "+39 347 123 4567", ("FR", "IT")),
    ("0721 234 567", "+40 721 234 567", ("FR", "RO")),
    ("06 30 123 4567", "+36 30 123 4567", ("HU",)),
    ("06-30/123-4567", "+36 30 123 4567", ("HU",)),
    ("912 345 678", "+351 912 345 678", ("FR", "PT")),
    ("621 123 456", "+352 621 123 456", ("FR", "LU")),
    ("0151 23456789", "+49 151 23456789", ("FR", "DE")),
    ("https://wa.me/33612345678", "06 12 34 56 78", ("FR",)),
])
def test_a_number_in_a_partners_format_gets_the_pseudonym_of_its_international_form(national, international,
                                                                                    regions):
    """One person, one pseudonym: the national and +CC forms of a number are the same number."""
    scrubbed = scrub_text(f"joindre {national} svp", KEY, regions=regions)
    number = national.removeprefix("https://wa.me/")
    assert number not in scrubbed and scrubbed.startswith("joindre ") and scrubbed.endswith(" svp")
    assert pseudonym(international, KEY, kind="phone", regions=regions) in scrubbed


def test_scrub_replaces_only_the_matches():
    text = "Contact : lea@example.org, 06 12 34 56 78. Merci !"
    expected = (f"Contact : {_reference('lea@example.org')}, {_reference('0612345678')}. Merci !")
    assert scrub_text(text, KEY) == expected


def test_values_and_frames():
    values = pd.Series(["Léa Durand", None, "léa  durand", "Paul"], dtype="string")
    out = pseudonymise_values(values, KEY, identifier=True)
    assert out[0] == out[2] == _reference("léa durand")
    assert pd.isna(out[1]) and out[3] == _reference("paul")
    frame = pd.DataFrame({"name": ["Ana", "Bo"], "note": ["rien", "appeler 0612345678"],
                          "org": ["lea@example.org", "Coop"]}, dtype="string")
    result = pseudonymise_frame(frame, KEY, identifiers=["name"], text_columns=["note"])
    assert result["name"].tolist() == [_reference("ana"), _reference("bo")]
    assert result["note"].tolist() == ["rien", f"appeler {_reference('0612345678')}"]
    assert result["org"].tolist() == ["lea@example.org", "Coop"]      # not a text column asked for
    assert frame["name"].tolist() == ["Ana", "Bo"]                      # input untouched


def test_same_person_same_pseudonym_across_calls_in_one_workspace(tmp_path):
    first = pseudonym("ana@example.org", load_key(tmp_path))
    second = pseudonym("ANA@example.org", load_key(tmp_path))
    assert first == second and first.startswith("px_") and len(first) == 19
    assert os.path.commonpath([tmp_path / KEY_PATH, tmp_path / "data"]) == str(tmp_path)


def test_phones_of_every_partner_country_never_reach_processed_data_or_the_data_export(tmp_path,
                                                                                       demo_workspace):
    """Free-text answers in the partners' own formats: pseudonymised at ingestion; years, amounts stay."""
    import shutil

    from coopwork.export.check import check_published
    from coopwork.export.data import write_data
    from coopwork.ingest import ingest_file
    from coopwork.workspace import open_workspace

    phones = ["347 123 4567", "0721 234 567", "06 30 123 4567", "06-30/123-4567", "912 345 678",
              "621 123 456", "0151 23456789", "https://wa.me/33612345678", "marie@coopérative.fr",
              "192.168.10.24"]
    kept = ["créée en 2019, budget 1 500 000 €", "SIRET 362 521 879 00034", "75011 Paris", "2023-2024"]
    (tmp_path / "surveys").mkdir()
    shutil.copy(demo_workspace / "surveys" / "cooperation_territoriale.xlsx", tmp_path / "surveys")
    source = demo_workspace / "data" / "raw" / "csv" / "cooperation_territoriale_2025_matera.csv"
    frame = pd.read_csv(source, sep=";", dtype=str, keep_default_na=False)
    texts = [f"Appelez-moi au {p} merci" for p in phones] + kept
    frame.loc[: len(texts) - 1, "trajectoire/evolution_texte"] = texts
    export = tmp_path / "export.csv"
    frame.to_csv(export, sep=";", index=False)
    result = ingest_file(export, survey=tmp_path / "surveys" / "cooperation_territoriale.xlsx", wave="2025",
                         workspace=tmp_path)
    assert result.accepted + result.duplicates + result.quarantined == len(frame)
    stored = pd.read_parquet(tmp_path / "data" / "processed" / "cooperation_territoriale"
                             / "responses.parquet")
    everything = "\n".join(str(v) for v in stored.to_numpy().ravel())
    for phone in phones:
        assert phone.removeprefix("https://wa.me/") not in everything, phone
    answers = stored["evolution_texte"].dropna().tolist()
    assert sum(text.startswith("Appelez-moi au ") and "px_" in text for text in answers) == len(phones)
    for text in kept:
        assert text in answers, text
    written = write_data(open_workspace(tmp_path), wave="2025", fmt="csv", lang="en")
    data = (written.folder / "responses.csv").read_text(encoding="utf-8-sig")
    for phone in phones:
        assert phone.removeprefix("https://wa.me/") not in data, phone
    assert not check_published(tmp_path).breaches


def test_a_text_question_holding_ip_addresses_or_foreign_phones_becomes_an_identifier():
    from coopwork.i18n import t
    from coopwork.survey import Question, Survey
    from coopwork.survey.roles import identifiers_by_content

    questions = {name: Question(name, "text") for name in ("ip", "tel", "note")}
    survey = Survey("s", "S", None, ["it"], "it", questions, {})
    frame = pd.DataFrame({"ip": ["192.168.1.20", "10.0.0.7", "2001:db8::1"],
                          "tel": ["347 123 4567", "348 765 4321", "nessuno"],
                          "note": ["anno 2024", "1 500 000 €", "SIRET 362 521 879 00034"]}, dtype="string")
    found = identifiers_by_content(frame, survey)
    assert found == {"ip": "ips", "tel": "phones"}
    assert t("ingest_readers.kind_ips", "en") == "IP addresses"
