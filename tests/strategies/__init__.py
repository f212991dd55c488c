"""Generated test material: random valid XLSForms, answers to them, and their exports (Hypothesis).

Import from tests as ``from tests.strategies import xlsforms, submissions, write_kobo_xlsx`` (pytest's
``--import-mode=importlib`` makes the ``tests`` folder importable as a namespace package; nothing to
add to ``sys.path``). See ``tests/strategies/README.md`` for the API and the Hypothesis profiles.
"""

from .exports import (
    SEPARATORS,
    WRITERS,
    ExportOptions,
    export_options,
    register_writer,
    section_questions,
    section_rows,
    write_export,
    write_kobo_csv,
    write_kobo_xlsx,
)
from .forms import (
    LANGUAGES,
    QUESTION_TYPES,
    Choice,
    Condition,
    Constraint,
    FormSpec,
    Group,
    Question,
    xlsforms,
)
from .observed import TERRITORY_FOR_ALL, ingest_export, stored_counts, stored_tables
from .profiles import examples, load_profile
from .submissions import (
    BLANK_LIKE_TEXTS,
    TRICKY_TEXTS,
    Expected,
    Instance,
    Record,
    Submissions,
    expected_counts,
    submissions,
)

load_profile()

__all__ = [
    # the form, its answers, their exports
    "LANGUAGES", "QUESTION_TYPES", "Choice", "Condition", "Constraint", "FormSpec", "Group", "Question",
    "xlsforms",
    "BLANK_LIKE_TEXTS", "TRICKY_TEXTS", "Expected", "Instance", "Record", "Submissions", "expected_counts",
    "submissions",
    "SEPARATORS", "WRITERS", "ExportOptions", "export_options", "register_writer", "section_questions",
    "section_rows", "write_export", "write_kobo_csv", "write_kobo_xlsx",
    # coopwork's side, and the Hypothesis profiles
    "TERRITORY_FOR_ALL", "ingest_export", "stored_counts", "stored_tables", "examples", "load_profile",
]
