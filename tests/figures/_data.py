"""Seeded synthetic responses for any survey (the processed-table shape of docs/architecture.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: respondents per territory: the third territory has exactly two respondents (must never show)
SIZES = (30, 25, 2)


def synthetic_responses(survey, *, sizes=SIZES, seed: int = 7, wave: str = "2025") -> pd.DataFrame:
    """One row per respondent; every top-level select and numeric question answered at random."""
    rng = np.random.default_rng(seed)
    territory_q = survey.role("territory")
    places = [c.name for c in territory_q.choices][: len(sizes)]
    territory = [p for p, k in zip(places, sizes, strict=True) for _ in range(k)]
    n = len(territory)
    data: dict[str, object] = {
        "_submission_id": [f"{wave}-{i:04d}" for i in range(n)],
        "_wave": [wave] * n,
        "_territory": territory,
    }
    for q in survey.top_level:
        if q.name == territory_q.name:
            data[q.name] = territory
        elif q.type == "select_one" and q.choices:
            names = [c.name for c in q.choices]
            if q.is_likert:  # skewed towards agreement, like real answers
                weights = np.linspace(1, 3, len(names))
                picks = rng.choice(names, size=n, p=weights / weights.sum())
            else:
                picks = rng.choice(names, size=n)
            answers = pd.array(picks, dtype="str")
            answers[rng.random(n) < 0.05] = pd.NA
            data[q.name] = answers
        elif q.type == "select_multiple" and q.choices:
            names = [c.name for c in q.choices]
            data[q.name] = pd.array([" ".join(x for x in names if rng.random() < 0.4) or names[0]
                                     for _ in range(n)], dtype="str")
        elif q.type == "integer":
            data[q.name] = pd.array(rng.integers(0, 40, size=n), dtype="Int64")
        elif q.type == "decimal":
            data[q.name] = pd.array(rng.gamma(2.0, 10.0, size=n), dtype="Float64")
        elif q.type == "text":
            data[q.name] = pd.array([f"{q.name} {i}" for i in range(n)], dtype="str")
    return pd.DataFrame(data)
