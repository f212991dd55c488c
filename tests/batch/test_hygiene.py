"""A kept kernel between two reports: what a report changed is put back, what cannot be is a new kernel.

Each test runs real notebooks through one :class:`~coopwork.batch.engine.KernelSlot` (a kernel forked
from the warm server and kept). "Fresh" is checked against the kernel itself: a report that only
looks (``OBSERVE``) sees exactly the same before and after a report that changed everything it
could (``LEAK``), in the same process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from batch_helpers import PARAMETERS, stdout

from coopwork.batch.engine import KernelSlot, execute
from coopwork.batch.warm import warm_server

# what a report can change in a kernel and that a next report could see
LEAK = r'''
import json, locale, logging, os, random, signal, sys, warnings
import numpy as np, pandas as pd, plotly.io as pio
os.environ["COOPWORK_LEAK"] = str(territory)
del os.environ["PYTHONUNBUFFERED"]
os.chdir("/")
json._coopwork_leak = territory
sys.path.append("/nowhere")
sys.argv.append("--leak")
sys.setrecursionlimit(321)
random.seed(7); np.random.seed(7)
warnings.simplefilter("error")
signal.signal(signal.SIGUSR1, lambda *args: None)
logging.getLogger().setLevel(logging.DEBUG)
logging.getLogger().addHandler(logging.StreamHandler())
pd.set_option("display.max_rows", 3)
pio.templates.default = "none"
pio.renderers.default = "json"
np.seterr(all="raise")
os.umask(0o077)
get_ipython().display_formatter.formatters["text/plain"].for_type(int, lambda *args: "patched")
get_ipython().events.register("post_run_cell", lambda *args: None)
LEAK_VARIABLE = territory
import string
string.ascii_letters = "patched"  # a module global rebound
del string.capwords  # ... and one deleted
'''
FUTURE = "from __future__ import annotations\nx: undefined_name = 1"  # a compiler flag of the kernel

OBSERVE = r'''
import json, logging, os, random, signal, sys, warnings
import numpy as np, pandas as pd, plotly.io as pio
mask = os.umask(0o022); os.umask(mask)
shell = get_ipython()
seen = {
    "variable": "LEAK_VARIABLE" in globals(),
    "env": os.environ.get("COOPWORK_LEAK"), "unbuffered": os.environ.get("PYTHONUNBUFFERED"),
    "cwd": os.getcwd(), "json_attribute": hasattr(json, "_coopwork_leak"),
    "rebound": __import__("string").ascii_letters, "deleted": hasattr(__import__("string"), "capwords"),
    "path": "/nowhere" in sys.path, "argv": sys.argv, "recursion": sys.getrecursionlimit(),
    "numpy_random": float(np.random.random()),
    "warnings": [f[0] for f in warnings.filters[:3]],
    "signal": signal.getsignal(signal.SIGUSR1) == signal.SIG_DFL,
    "log_level": logging.getLogger().level, "log_handlers": len(logging.getLogger().handlers),
    "pandas": pd.get_option("display.max_rows"), "plotly": [pio.templates.default, pio.renderers.default],
    "numpy_errors": np.geterr(), "umask": mask,
    "formatter": int in shell.display_formatter.formatters["text/plain"].type_printers,
    "callbacks": len(shell.events.callbacks["post_run_cell"]),
    "annotations": shell.compile.flags, "history": len(In), "count": shell.execution_count,
}
print("SEEN " + json.JSONEncoder(sort_keys=True).encode(seen))
'''


def _notebook(*bodies: str) -> nbformat.NotebookNode:
    parameters = nbformat.v4.new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[parameters, *(nbformat.v4.new_code_cell(b) for b in bodies)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _seen(run) -> dict:
    assert run.ok, run.describe()
    for cell in run.notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("text", "").startswith("SEEN "):
                return json.loads(output["text"][len("SEEN "):])
    raise AssertionError("nothing seen")


@pytest.fixture
def slot():
    with KernelSlot(warm_server()) as kept:
        yield kept


def test_what_a_report_changed_is_put_back_in_the_same_kernel(slot, tmp_path: Path) -> None:
    observe = _notebook(OBSERVE)
    before = execute(observe, parameters={"territory": "a"}, slot=slot, timeout=300, cwd=tmp_path)
    leak = execute(_notebook(FUTURE, LEAK), parameters={"territory": "b"}, slot=slot, timeout=300,
                   cwd=tmp_path)
    assert leak.ok, leak.describe()
    after = execute(observe, parameters={"territory": "c"}, slot=slot, timeout=300, cwd=tmp_path)
    assert _seen(after) == _seen(before)
    assert _seen(before)["cwd"] == str(tmp_path) and _seen(before)["env"] is None
    assert before.kernel_pid == leak.kernel_pid == after.kernel_pid  # put back, not replaced
    assert [h["replaced"] for h in slot.history] == [[], [], []]


@pytest.mark.parametrize(("left", "reason"), [
    ("import threading, time\nthreading.Thread(target=time.sleep, args=(120,), daemon=True).start()",
     "threads running"),
    ("import atexit\natexit.register(open(f'{workspace}/held.txt', 'w').close)", "open files"),
    ("import atexit, socket\natexit.register(socket.create_server(('127.0.0.1', 0)).close)", "open files"),
    ("import subprocess\nsubprocess.Popen(['sleep', '120'])", "child processes running"),
])
def test_a_kernel_left_unfit_is_replaced(slot, tmp_path: Path, left: str, reason: str) -> None:
    parameters = {"territory": "a", "workspace": str(tmp_path)}
    unfit = execute(_notebook(left), parameters=parameters, slot=slot, timeout=300, cwd=tmp_path)
    assert unfit.ok, unfit.describe()
    assert any(r.startswith(reason) for r in slot.history[-1]["replaced"]), slot.history
    after = execute(_notebook(OBSERVE), parameters=parameters, slot=slot, timeout=300, cwd=tmp_path)
    assert after.kernel_pid != unfit.kernel_pid
    assert _seen(after)["count"] > 0


def test_a_module_a_report_needs_is_loaded_by_the_next_kernel(slot, tmp_path: Path) -> None:
    """A report importing a library the warm server has not: its kernel is replaced once, and the
    new kernel imports it before its snapshot, so the next reports keep their kernel."""
    uses = _notebook("import colorsys\nprint(colorsys.rgb_to_hsv(1, 0, 0))")
    runs = [execute(uses, parameters={"territory": t}, slot=slot, timeout=300, cwd=tmp_path) for t in "abc"]
    assert all(run.ok for run in runs)
    assert slot.history[0]["replaced"] == ["modules loaded: colorsys"]
    assert slot.history[1]["replaced"] == slot.history[2]["replaced"] == []
    assert runs[1].kernel_pid == runs[2].kernel_pid != runs[0].kernel_pid
    assert "colorsys" in slot.imports


def test_a_report_that_removed_a_module_gets_it_back(slot, tmp_path: Path) -> None:
    drop = _notebook("import sys\ndel sys.modules['json']\nsys.modules['coopwork_leaky'] = sys")
    check = _notebook("import sys\nprint('SEEN ' + sys.modules['json'].dumps(sorted(m for m in sys.modules "
                      "if m.startswith('coopwork_leaky'))))")
    execute(drop, parameters={"territory": "a"}, slot=slot, timeout=300, cwd=tmp_path)
    after = execute(check, parameters={"territory": "b"}, slot=slot, timeout=300, cwd=tmp_path)
    assert stdout(after.notebook.cells[-1]).strip() == "SEEN []"
    assert slot.history[0]["replaced"] == ["modules loaded: coopwork_leaky"]


_MEMORY = textwrap.dedent("""
    import json, sys
    from coopwork.batch import hygiene
    print(hygiene.reset())  # before any snapshot: unfit
    hygiene.prepare()
    hygiene.MEMORY_LIMIT_MB = 20
    held = [bytearray(60 * 2**20)]
    sys.path_importer_cache["coopwork-test"] = held  # held where reset cannot see
    for b in held:
        b[::4096] = b"x" * len(b[::4096])
    print(hygiene.reset())
""")


def test_a_kernel_whose_memory_grew_is_unfit_and_so_is_one_without_snapshot() -> None:
    done = subprocess.run([sys.executable, "-c", _MEMORY], capture_output=True, text=True, timeout=120,
                          check=True)
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first == {"fit": False, "reasons": ["no snapshot"], "new_modules": []}
    assert not second["fit"] and any(r.startswith("memory grew by") for r in second["reasons"]), second


def test_a_client_connecting_to_the_kernels_channels_leaves_it_fit(slot, tmp_path: Path) -> None:
    """zmq connects a client's channels in the background, and reconnects them: a connection the
    kernel accepts after its snapshot is its own, not a socket a report left open (seen in CI on a
    busy machine: a good report's kernel replaced for "open files: socket:[…]")."""
    import zmq

    nb = _notebook("print(territory)")
    first = execute(nb, parameters={"territory": "a"}, slot=slot, timeout=300, cwd=tmp_path)
    assert first.ok, first.describe()
    context = zmq.Context()
    heartbeat = context.socket(zmq.REQ)
    heartbeat.connect(f"tcp://127.0.0.1:{slot.km.hb_port}")  # a second client, after the snapshot
    try:
        heartbeat.send(b"ping")
        assert heartbeat.poll(30_000) and heartbeat.recv() == b"ping"  # accepted by the kernel
        second = execute(nb, parameters={"territory": "b"}, slot=slot, timeout=300, cwd=tmp_path)
    finally:
        heartbeat.close(linger=0)
        context.term()
    assert second.ok, second.describe()
    assert [h["replaced"] for h in slot.history] == [[], []]
    assert second.kernel_pid == first.kernel_pid
