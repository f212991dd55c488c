"""Write a whole export or none of it: files are written beside the target folder, then moved in.

``coopwork export`` writes dozens of files (pages, workbooks, placemats, network files, audits)
and ``coopwork export --data`` a few large ones. If the disk fills up half-way (or the command
is stopped), the published folder must not be left with some files new, some old and one cut
in the middle: ``coopwork check`` and the readers of the public site would see a mix.

:func:`staged` gives a private folder next to the target, on the same file system
(``.<name>.staging-<pid>-<hex>``). Everything is written there; when the block ends without an
error, the folders are created in the target and every file is moved into place with
``os.replace`` (a rename: no new space needed, each file appears whole). On an error the private
folder is removed and the target is exactly as it was. A folder left by a process that died
(``kill -9``) is removed by the next export.

Large files that are rewritten only when they change (the site's plotly.js, 4.8 MB) can be
``reuse``-d: they are hard-linked into the private folder first (no copy, no space), so a
writer that finds them current leaves them alone; a writer that rewrites one must remove it
first (a new file, never a write through the link into the published one).

Examples
--------
>>> import tempfile
>>> target = Path(tempfile.mkdtemp()) / "site"
>>> with staged(target) as folder:
...     _ = (folder / "a.txt").write_text("complete")
>>> (target / "a.txt").read_text()
'complete'
>>> try:
...     with staged(target) as folder:
...         _ = (folder / "a.txt").write_text("half")
...         raise OSError(28, "No space left on device")
... except OSError:
...     pass
>>> (target / "a.txt").read_text(), sorted(p.name for p in target.parent.iterdir())
('complete', ['site'])
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

__all__ = ["moved", "staged"]

_MARK = ".staging-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def _remove_abandoned(target: Path) -> None:
    """Remove the staging folders of ``target`` whose process is gone."""
    for folder in target.parent.glob(f".{target.name}{_MARK}*"):
        pid = folder.name.removeprefix(f".{target.name}{_MARK}").split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def staged(target: str | Path, *, reuse: tuple[str, ...] = ()) -> Iterator[Path]:
    """A private folder whose files replace those of ``target`` when the block succeeds.

    Files of ``target`` that the block does not write are left as they are. ``reuse``: files of
    ``target`` (relative paths) linked into the private folder first (see the module docstring).
    """
    target = Path(target)
    created = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(target)
    folder = target.parent / f".{target.name}{_MARK}{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir()
    done = False
    try:
        for name in reuse:
            if (target / name).is_file():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(OSError):  # no hard links here: the writer writes it again
                    os.link(target / name, folder / name)
        yield folder
        files = sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())
        for path in files:  # every folder first: a disk that fills up now stops before any file moved
            (target / path.relative_to(folder)).parent.mkdir(parents=True, exist_ok=True)
        for path in files:
            os.replace(path, target / path.relative_to(folder))
        done = True
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for parent in [] if done else created:  # a refused export leaves no empty folder behind
            with contextlib.suppress(OSError):
                parent.rmdir()


def moved(path: str | Path, staging: str | Path, target: str | Path) -> Path:
    """Where ``path``, written inside ``staging``, is once moved into ``target``.

    Examples
    --------
    >>> moved("/ws/.site.staging-1-ab/index.html", "/ws/.site.staging-1-ab", "/ws/site").as_posix()
    '/ws/site/index.html'
    """
    path, staging = Path(path), Path(staging)
    try:
        return Path(target) / path.relative_to(staging)
    except ValueError:
        return path
