"""The researcher's side: ``coopwork lab`` and ``coopwork new-notebook``.

``coopwork lab`` opens JupyterLab on a workspace, on 127.0.0.1 with a token, with the
project's kernel registered as "Python (coopwork)". ``coopwork new-notebook NAME`` copies
the parameterised analysis template into ``<workspace>/notebooks/NAME.ipynb``, ready for
``coopwork run --notebook notebooks/NAME.ipynb``.

Examples
--------
>>> notebook_name("Mon analyse: gouvernance 2026")
'mon_analyse_gouvernance_2026'
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import unicodedata
from pathlib import Path

from .errors import CoopworkError
from .i18n import command_lang, t

__all__ = ["KERNEL_NAME", "ensure_kernel", "lab_command", "new_notebook", "notebook_name",
           "lab_main", "new_notebook_main"]

KERNEL_NAME = "coopwork"
KERNEL_DISPLAY_NAME = "Python (coopwork)"
TEMPLATE = Path(__file__).parent / "templates" / "analysis.ipynb"


def notebook_name(name: str) -> str:
    """A file-system safe notebook stem: lower case, ASCII, words joined by ``_``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_").removesuffix("_ipynb")
    if not stem:
        raise CoopworkError("lab.err_bad_name", name=name, hint="lab.hint_bad_name")
    return stem


def new_notebook(name: str, *, workspace: str | Path = ".") -> Path:
    """Copy the analysis template to ``<workspace>/notebooks/<name>.ipynb``.

    Raises
    ------
    CoopworkError
        When a notebook of that name already exists (it is never overwritten).
    """
    target = Path(workspace) / "notebooks" / f"{notebook_name(name)}.ipynb"
    if target.exists():
        raise CoopworkError("lab.err_exists", file=target, hint="lab.hint_exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    notebook = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    title_cell = notebook["cells"][0]
    title_cell["source"] = [line.replace("{title}", name) for line in title_cell["source"]]
    target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def ensure_kernel() -> str:
    """Register this environment's Python as the Jupyter kernel "Python (coopwork)" (idempotent)."""
    from jupyter_client.kernelspec import KernelSpecManager  # lazy: 0.2 s, not for `new-notebook`

    if KERNEL_NAME not in KernelSpecManager().find_kernel_specs():
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name",
                        KERNEL_NAME, "--display-name", KERNEL_DISPLAY_NAME],
                       check=True, capture_output=True)
    return KERNEL_NAME


def lab_command(workspace: str | Path, *, port: int = 8888, token: str | None = None,
                open_browser: bool = True) -> tuple[list[str], str]:
    """The ``jupyter lab`` command line for a workspace, and its token.

    Examples
    --------
    >>> command, token = lab_command(".", port=8899, token="abc", open_browser=False)
    >>> "--ServerApp.ip=127.0.0.1" in command, "--IdentityProvider.token=abc" in command
    (True, True)
    """
    root = Path(workspace).resolve()
    if not root.is_dir():
        raise CoopworkError("workspace.err_no_folder", file=workspace, hint="lab.hint_no_folder")
    token = token or secrets.token_urlsafe(24)
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
               f"--ServerApp.open_browser={open_browser}",
               # the dashboard notebook draws its charts there too (coopwork.dashboard.assets)
               "--ServerApp.jpserver_extensions=coopwork.dashboard.assets=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI run as root
        command.append("--ServerApp.allow_root=True")
    return command, token


def lab_main(args: argparse.Namespace) -> int:
    """``coopwork lab``: register the kernel and run JupyterLab on the workspace until Ctrl+C."""
    ensure_kernel()
    command, token = lab_command(args.workspace, port=args.port, open_browser=not args.no_browser)
    url = f"http://127.0.0.1:{args.port}/lab?token={token}"
    print(t("lab.open", command_lang(args), url=url), file=sys.stderr)
    if os.name == "posix":  # become JupyterLab: Ctrl+C and a stop signal reach it, no server is orphaned
        sys.stderr.flush()
        sys.stdout.flush()
        os.execv(command[0], command)
    return subprocess.call(command)


def new_notebook_main(args: argparse.Namespace) -> int:
    """``coopwork new-notebook NAME``: create the notebook and say how to run it."""
    path = new_notebook(args.name, workspace=args.workspace)
    relative = path.relative_to(Path(args.workspace)) if not path.is_absolute() else path
    print(t("lab.created", command_lang(args), path=relative), file=sys.stderr)
    print(path)
    return 0
