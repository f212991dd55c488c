"""Helpers of the batch tests: a small processed workspace and probe notebooks.

The workspace is built from scratch (an XLSForm written with openpyxl, processed tables written
with pandas as ``docs/architecture.md`` specifies), so the tests do not depend on ingestion.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd

SURVEY_ID = "mini_coop"


def write_xlsform(path: Path, territories: list[str]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Français (fr)", "label::English (en)", "coopwork::role",
                   "coopwork::dimension", "appearance"])
    survey.append(["select_one territoire", "territoire", "Territoire", "Territory", "territory",
                   "profile", ""])
    survey.append(["text", "org_nom", "Organisation", "Organisation", "organisation", "profile", ""])
    survey.append(["select_one likert", "confiance", "Confiance", "Trust", "", "trust", "likert"])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::Français (fr)", "label::English (en)"])
    for territory in territories:
        choices.append(["territoire", territory, f"Territoire {territory}", f"Territory {territory}"])
    for value in range(1, 6):
        choices.append(["likert", str(value), str(value), str(value)])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append([SURVEY_ID, "Mini", "1", "Français (fr)"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def responses_for(territory: str, *, n: int = 4, wave: str = "2025", start: int = 1) -> pd.DataFrame:
    rows = [{"_submission_id": f"{territory}-{wave}-{i}", "_wave": wave, "_territory": territory,
             "_submitted_at": pd.NaT, "_source": "0" * 12, "territoire": territory,
             "org_nom": f"org {territory} {i}", "confiance": str(1 + (i + len(territory)) % 5)}
            for i in range(start, start + n)]
    frame = pd.DataFrame(rows)
    frame["_submitted_at"] = pd.to_datetime(frame["_submitted_at"], utc=True).astype("datetime64[ns, UTC]")
    return frame.astype({c: "string" for c in frame.columns if c != "_submitted_at"})


def write_responses(root: Path, frame: pd.DataFrame) -> None:
    folder = root / "data" / "processed" / SURVEY_ID
    folder.mkdir(parents=True, exist_ok=True)
    frame.reset_index(drop=True).to_parquet(folder / "responses.parquet")
    manifest = {"survey_id": SURVEY_ID, "sources": [{"sha256": str(len(frame)), "file": "synthetic.csv"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def make_workspace(root: Path, territories: list[str], *, n: int = 4) -> Path:
    write_xlsform(root / "surveys" / f"{SURVEY_ID}.xlsx", [*territories, "spare1", "spare2"])
    write_responses(root, pd.concat([responses_for(t, n=n) for t in territories], ignore_index=True))
    return root


PARAMETERS = """territory = None
wave = None
workspace = "."
lang = "fr"
min_count = 3
run_info = None"""

# what the probe notebook does: observe leaks from an earlier territory, then leave its own
PROBE = r'''
import json, os, sys
from pathlib import Path
from coopwork.workspace import open_workspace
observed = {
    "variable": globals().get("LEAK_VARIABLE"),
    "module_attribute": getattr(json, "_coopwork_leak", None),
    "env": os.environ.get("COOPWORK_LEAK"),
    "cwd": os.getcwd(),
    "module": "coopwork_leaky_module" in sys.modules,
}
ws = open_workspace(workspace)
answers = ws.responses(territory=territory, wave=wave)
result = {"territory": territory, "wave": wave, "n": int(len(answers)),
          "mean": round(float(answers["confiance"].astype(float).mean()), 6), "observed": observed}
LEAK_VARIABLE = territory
json._coopwork_leak = territory
os.environ["COOPWORK_LEAK"] = str(territory)
sys.modules["coopwork_leaky_module"] = json
os.chdir("/")
print("RESULT " + json.dumps(result, sort_keys=True))
'''

BEHAVIOUR = r'''
import json, os, time
from pathlib import Path
source = Path(workspace) / "behaviour.json"
plan = json.loads(source.read_text()) if source.is_file() else {}
action = plan.get(str(territory))
if action == "raise":
    raise ValueError(f"injected failure for {territory}")
if action == "kill":
    os.kill(os.getpid(), 9)
if action == "sleep":
    time.sleep(60)
'''

FOOTER = """from coopwork.batch.provenance import footer
footer(workspace=workspace, territory=territory, wave=wave, lang=lang, min_count=min_count,
       run_info=run_info)"""


def probe_notebook(path: Path, *, scope_all: bool = False) -> Path:
    cells = [nbformat.v4.new_code_cell(PARAMETERS), nbformat.v4.new_markdown_cell("# Probe"),
             nbformat.v4.new_code_cell(BEHAVIOUR if not scope_all else "pass"),
             nbformat.v4.new_code_cell(PROBE if not scope_all else
                                       "from coopwork.workspace import open_workspace\n"
                                       "print('ALL', len(open_workspace(workspace).responses()))"),
             nbformat.v4.new_code_cell(FOOTER)]
    cells[0].metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if scope_all:
        nb.metadata["coopwork"] = {"scope": "all"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def result_of(path: str | Path) -> dict:
    """The JSON printed by the probe cell of an executed notebook."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            if output.get("output_type") == "stream" and text.startswith("RESULT "):
                return json.loads(text.splitlines()[0][len("RESULT "):])
    raise AssertionError(f"no RESULT in {path}")


def stdout(cell) -> str:
    """What a cell printed: its ``stdout`` stream outputs joined (a kernel may flush one ``print`` in
    several outputs when the machine is busy)."""
    return "".join(out.get("text", "") for out in cell.get("outputs", [])
                   if out.get("output_type") == "stream" and out.get("name") == "stdout")
