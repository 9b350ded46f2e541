"""A command's work done by a child of the resident analyser (`pipeline.resident_call`): `cdv run` as users start
it (a real process, real PDFs, Prefect really running the flow) is made by a child forked from the analyser, with
the same outputs as a run made in the command's own process; the signals the command gets reach the child, and a
killed command takes its child along."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner
from run_fixture import write_corpus

from pipeline.analyser import ensure_analyser, read_state, stop_analyser
from pipeline.cli import main
from pipeline.prefect_server import IDLE_ENV
from pipeline.resident_call import ResidentUnavailable, call_in_child, call_nearby
from pipeline.workspace import Workspace

pytestmark = pytest.mark.e2e
REPO_ROOT = Path(__file__).resolve().parents[1]
CDV = str(Path(sys.executable).parent / "cdv")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A Prefect home of the test's own (its own analyser), and a corpus of four contracts."""
    home = tmp_path / "ws" / ".prefect"
    monkeypatch.setenv("PREFECT_HOME", str(home))
    monkeypatch.setenv(IDLE_ENV, "120")
    write_corpus(tmp_path / "corpus")
    yield home
    stop_analyser(Workspace(tmp_path / "ws"))


def run_args(tmp_path: Path, out: str) -> list[str]:
    return [
        "run",
        "--corpus",
        str(tmp_path / "corpus"),
        "--out",
        str(tmp_path / out),
        "--workspace",
        str(tmp_path / "ws"),
    ]


def analyser_children(home: Path) -> list[psutil.Process]:
    state = read_state(home)
    return psutil.Process(state.pid).children() if state else []


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_the_call_is_made_by_a_child_of_the_analyser(tmp_path: Path, home: Path) -> None:
    state = ensure_analyser(Workspace(tmp_path / "ws"))
    pid = call_in_child(state, os.getpid)
    assert pid != os.getpid() and pid != state.pid
    assert wait_until(lambda: pid not in [child.pid for child in analyser_children(home)], 10)


def test_an_error_of_the_call_is_raised_in_the_command(tmp_path: Path, home: Path) -> None:
    from pipeline.lexicon import load_lexicon

    state = ensure_analyser(Workspace(tmp_path / "ws"))
    with pytest.raises(OSError) as raised:
        call_in_child(state, load_lexicon, tmp_path / "pas-de-lexique")
    with pytest.raises(OSError) as here:
        load_lexicon(tmp_path / "pas-de-lexique")
    assert type(raised.value) is type(here.value) and str(raised.value) == str(here.value)


def test_code_changed_on_disk_calls_in_the_command(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The analyser serves the code it started with: a command whose code on disk differs calls here."""
    import pipeline.resident_call as resident_call

    state = ensure_analyser(Workspace(tmp_path / "ws"))
    monkeypatch.setattr(resident_call, "package_stamp", lambda: "autre")
    with pytest.raises(ResidentUnavailable):
        call_in_child(state, os.getpid)
    assert call_nearby(Workspace(tmp_path / "ws"), os.getpid) == os.getpid()


def test_cdv_run_in_a_child_writes_what_a_run_in_the_command_writes(tmp_path: Path, home: Path) -> None:
    """`cdv run` from a shell: Prefect is imported by the analyser, not by the command, and the tables are the
    same bytes as those of a run made in the command's own process (the CLI called in-process)."""
    command = [sys.executable, "-X", "importtime", CDV, *run_args(tmp_path, "out-enfant")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Contrats lus : 4 sur 4" in done.stdout
    imported = imported_packages(done.stderr)
    assert "pipeline" in imported and "prefect" not in imported

    here = CliRunner().invoke(main, [*run_args(tmp_path, "out-ici"), "--force"])
    assert here.exit_code == 0, here.output
    assert "Contrats lus : 4 sur 4" in here.output
    for name in ["contract_entities.csv", "detections.csv", "tables/partenaires.csv", "tables/articulations.csv"]:
        assert (tmp_path / "out-enfant" / name).read_bytes() == (tmp_path / "out-ici" / name).read_bytes(), name


def imported_packages(stderr: str) -> set[str]:
    """Top-level packages named by `python -X importtime`."""
    return {line.split("|")[-1].strip().split(".")[0] for line in stderr.splitlines() if line.startswith("import time")}


def test_nothing_new_imports_neither_pandas_nor_prefect(tmp_path: Path, home: Path) -> None:
    """Regression: the command's process imported pandas and numpy (through the review package and the CSV
    helpers) before it knew there was nothing new: ~0.5 s of a one-second no-op run."""
    first = subprocess.run([CDV, *run_args(tmp_path, "out")], capture_output=True, text=True, cwd=REPO_ROOT)
    assert first.returncode == 0, first.stderr[-2000:]
    command = [sys.executable, "-X", "importtime", CDV, *run_args(tmp_path, "out")]
    again = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert again.returncode == 0 and again.stdout.startswith("Rien de nouveau"), again.stdout
    assert imported_packages(again.stderr).isdisjoint({"pandas", "numpy", "prefect", "spacy", "sklearn"})


@pytest.mark.parametrize(
    ("number", "code", "said"),
    [(signal.SIGINT, 1, "Interrompu."), (signal.SIGTERM, -signal.SIGTERM, ""), (signal.SIGKILL, -signal.SIGKILL, "")],
)
def test_a_signal_to_the_command_reaches_its_child(
    tmp_path: Path, home: Path, number: int, code: int, said: str
) -> None:
    """Ctrl-C, `kill` and `kill -9` of `cdv run` end the child that makes the run, as they ended the run when it
    was made in the command's process; the analyser stays, without children."""
    ensure_analyser(Workspace(tmp_path / "ws"))
    command = [CDV, *run_args(tmp_path, "out"), "--force"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO_ROOT)
    assert wait_until(lambda: analyser_children(home), 60)
    child = analyser_children(home)[0]
    time.sleep(0.3)
    process.send_signal(number)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == code, output
    assert said in output
    assert wait_until(lambda: not child.is_running() or child.status() == psutil.STATUS_ZOMBIE, 15)
    assert wait_until(lambda: all(c.status() == psutil.STATUS_ZOMBIE for c in analyser_children(home)), 30)
    state = read_state(home)
    assert state is not None and psutil.pid_exists(state.pid)


def test_a_ctrl_c_wrapped_by_a_library_is_still_an_interruption(tmp_path: Path, home: Path) -> None:
    """Regression: a Ctrl-C landing while pydantic built the flow's parameter schema came back wrapped in a
    `SchemaError`, and `cdv run` printed a traceback instead of « Interrompu. »."""
    script = (
        "import sys; from pathlib import Path\n"
        "from pipeline.analyser import ensure_analyser\n"
        "from pipeline.resident_call import call_in_child\n"
        "from pipeline.workspace import Workspace\n"
        "import resident_helpers\n"
        f"state = ensure_analyser(Workspace(Path({str(tmp_path / 'ws')!r})))\n"
        "call_in_child(state, resident_helpers.interrupted_into_another_error, 120)\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tests")}
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=environment, stderr=subprocess.PIPE, text=True
    )
    assert wait_until(lambda: analyser_children(home), 120)
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    assert errors.rstrip().endswith("KeyboardInterrupt"), errors[-2000:]
    assert "RuntimeError" not in errors


def test_captured_streams_call_in_the_command(tmp_path: Path, home: Path) -> None:
    """Streams without file descriptors (the CLI called in-process, as tests do) cannot be handed over."""
    import io
    from contextlib import redirect_stdout

    with redirect_stdout(io.StringIO()):
        assert call_nearby(Workspace(tmp_path / "ws"), os.getpid) == os.getpid()
