"""The free-text codebook through REFI-QDA (.qdc): round trip, a codebook made elsewhere, unsafe XML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from coopwork.analysis.freetext import load_codebook
from coopwork.analysis.qdc import NAMESPACE, from_qdc, to_qdc
from coopwork.cli import main
from coopwork.errors import CoopworkError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "surveys" / "codebook_cooperation_territoriale.yml"

# A codebook as QualCoder 3 writes it (codes nested in a category that is not codable, colours,
# descriptions, a Sets section), with no coopwork keyword line.
QUALCODER = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:QDA-XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
  origin="QualCoder 3.5">
  <Codes>
    <Code guid="3f2504e0-4f89-41d3-9a0c-0305e82c3301" name="Coopération" isCodable="false" color="#b8e3b3">
      <Description>Formes de coopération évoquées par les répondants</Description>
      <Code guid="3f2504e0-4f89-41d3-9a0c-0305e82c3302" name="Mutualisation d'emplois" isCodable="true"
            color="#eb7333">
        <Description>Postes partagés entre structures</Description>
      </Code>
      <Code guid="3f2504e0-4f89-41d3-9a0c-0305e82c3303" name="Achats groupés" isCodable="true"
            color="#7ba3d6">
        <Description>Mots-clés : achats group*; groupement d'achat*</Description>
      </Code>
    </Code>
    <Code guid="3f2504e0-4f89-41d3-9a0c-0305e82c3304" name="Confiance" isCodable="true" color="#f1c40f"/>
  </Codes>
  <Sets>
    <Set guid="3f2504e0-4f89-41d3-9a0c-0305e82c3399" name="Dimension relationnelle">
      <MemberCode targetGUID="3f2504e0-4f89-41d3-9a0c-0305e82c3304"/>
    </Set>
  </Sets>
</CodeBook>
"""


def test_the_sample_codebook_survives_a_round_trip():
    book = load_codebook(SAMPLE)
    data = to_qdc(book, lang="fr", survey_id="cooperation_territoriale")
    root = fromstring(data)
    assert root.tag == f"{{{NAMESPACE}}}CodeBook"
    codes = root.findall(f".//{{{NAMESPACE}}}Code")
    assert len(codes) == len(book["themes"])
    assert all(c.get("isCodable") == "true" and c.get("color").startswith("#") and len(c.get("guid")) == 36
               for c in codes)
    back, derived = from_qdc(data, lang="fr", existing=book, survey_id="cooperation_territoriale")
    assert derived == []
    assert back == book  # ids, labels in every language, keywords, questions: all kept


def test_nesting_descriptions_colours_and_guids_survive_a_round_trip():
    book = {"questions": ["evolution_texte"],
            "categories": {"liens": {"label": {"fr": "Liens", "en": "Ties"}, "color": "#123456"}},
            "themes": {"confiance": {"label": {"fr": "Confiance", "en": "Trust"}, "keywords": ["confian*"],
                                     "parent": "liens", "description": {"fr": "Se fier aux autres"},
                                     "guid": "11111111-2222-3333-4444-555555555555"},
                       "argent": {"label": {"fr": "Argent"}, "keywords": ["financ*", "budget"],
                                  "color": "#ABCDEF", "parent": "confiance"}}}
    data = to_qdc(book, lang="fr", survey_id="s")
    assert b"11111111-2222-3333-4444-555555555555" in data
    back, _ = from_qdc(data, lang="fr", existing=book, survey_id="s")
    assert back["categories"]["liens"]["color"] == "#123456"
    assert back["themes"]["confiance"]["description"] == {"fr": "Se fier aux autres"}
    assert back["themes"]["argent"]["parent"] == "confiance"
    assert back["themes"]["confiance"]["label"] == {"fr": "Confiance", "en": "Trust"}
    assert back["themes"]["argent"]["keywords"] == ["financ*", "budget"]


def test_a_codebook_made_by_another_tool_is_imported():
    book, derived = from_qdc(QUALCODER.encode("utf-8"), lang="fr")
    assert list(book["categories"]) == ["cooperation"]
    described = book["categories"]["cooperation"]["description"]
    assert described == {"fr": "Formes de coopération évoquées par les répondants"}
    assert list(book["themes"]) == ["mutualisation_d_emplois", "achats_groupes", "confiance"]
    jobs = book["themes"]["mutualisation_d_emplois"]
    assert jobs["parent"] == "cooperation" and jobs["color"] == "#EB7333"
    assert jobs["guid"] == "3f2504e0-4f89-41d3-9a0c-0305e82c3302"
    # a keyword line written by hand (in French) is read; otherwise the name is the keyword
    assert book["themes"]["achats_groupes"]["keywords"] == ["achats group*", "groupement d'achat*"]
    assert jobs["keywords"] == ["Mutualisation d'emplois"]
    assert derived == ["mutualisation_d_emplois", "confiance"]
    # exported again, the codes keep the other tool's guids (it recognises them)
    again = to_qdc(book, lang="fr")
    assert b"3f2504e0-4f89-41d3-9a0c-0305e82c3302" in again and b'isCodable="false"' in again


@pytest.mark.parametrize("payload", [
    '<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<CodeBook xmlns="{NAMESPACE}"><Codes><Code guid="g" name="&xxe;" isCodable="true"/></Codes></CodeBook>',
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    f'<CodeBook xmlns="{NAMESPACE}"><Codes><Code guid="g" name="&lol2;" isCodable="true"/></Codes>'
    '</CodeBook>',
])
def test_a_codebook_declaring_entities_is_refused(payload):
    with pytest.raises(CoopworkError) as caught:
        from_qdc(payload.encode("utf-8"), lang="en", file="evil.qdc")
    message = str(caught.value)
    assert "evil.qdc" in message and "DTD" in message
    assert "root:" not in message  # nothing of /etc/passwd


def test_broken_or_foreign_xml_is_a_clear_error():
    with pytest.raises(CoopworkError) as caught:
        from_qdc(b"<CodeBook>\n<Codes>", lang="en", file="cut.qdc")
    assert "cut.qdc" in str(caught.value) and "REFI-QDA" in str(caught.value)
    with pytest.raises(CoopworkError, match="Project"):
        from_qdc(b'<Project xmlns="urn:QDA-XML:project:1.0"/>', lang="en")
    nameless = f'<CodeBook xmlns="{NAMESPACE}"><Codes><Code guid="g1"/></Codes></CodeBook>'
    with pytest.raises(CoopworkError, match="g1"):
        from_qdc(nameless.encode(), lang="en")


def test_cli_exports_and_imports_the_workspace_codebook(tmp_path, capsys, sample_survey_path):
    workspace = tmp_path / "ws"
    (workspace / "surveys").mkdir(parents=True)
    shutil.copy(sample_survey_path, workspace / "surveys")
    target = workspace / "surveys" / "codebook_cooperation_territoriale.yml"
    shutil.copy(SAMPLE, target)
    before = load_codebook(target)
    qdc = tmp_path / "codes.qdc"
    assert main(["codebook", "export", "--workspace", str(workspace), "-o", str(qdc), "--lang", "en"]) == 0
    assert str(qdc) in capsys.readouterr().out
    # the team renames a code in its tool: the theme keeps its id and its French label
    qdc.write_text(qdc.read_text(encoding="utf-8").replace('name="Trust"', 'name="Mutual trust"'),
                   encoding="utf-8")
    assert main(["codebook", "import", str(qdc), "--workspace", str(workspace), "--lang", "en"]) == 0
    after = load_codebook(target)
    renamed = {**before["themes"]["confiance"]["label"], "en": "Mutual trust"}
    assert after["themes"]["confiance"]["label"] == renamed
    assert after["themes"]["confiance"]["keywords"] == before["themes"]["confiance"]["keywords"]
    assert list(after["themes"]) == list(before["themes"])
    # a foreign codebook: the themes to complete are named
    foreign = tmp_path / "qualcoder.qdc"
    foreign.write_text(QUALCODER, encoding="utf-8")
    assert main(["codebook", "import", str(foreign), "--workspace", str(workspace), "--lang", "en"]) == 0
    assert "mutualisation_d_emplois" in capsys.readouterr().err
    assert main(["codebook", "import", str(tmp_path / "missing.qdc"), "--workspace", str(workspace)]) == 2
