"""(Re)write ``surveys/cooperation_territoriale.xlsx`` from ``coopwork/demo/form.py``.

The form is kept as Python data so that it can be reviewed as text; run this script after
changing it and commit both files::

    .venv/bin/python surveys/build_sample_survey.py
"""

from __future__ import annotations

from pathlib import Path

from coopwork.demo.form import FORM_ID, build_sample_survey

if __name__ == "__main__":
    target = build_sample_survey(Path(__file__).resolve().parent / f"{FORM_ID}.xlsx")
    print(f"wrote {target}")
