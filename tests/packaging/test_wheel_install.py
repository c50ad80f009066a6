"""The wheel works on its own (issue #11 item 1): built with `python -m build`, installed into a fresh virtual
environment outside the source tree, and run there from a folder outside it with a fresh home: --version, demo,
the window offscreen (--quit-when-ready), print slips --all. The fonts, translations and migrations come from the
installed package, never from this checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.isolated_home import real_home

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
# what setuptools needs to build the wheel; the build runs on a copy so no build/ or stale build/lib in the tree
BUILD_INPUTS = ("pyproject.toml", "README.md", "reception_desk", "resources")
# a session of minutes: the build, then pip installs PySide6 and the rest into the fresh environment
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


@dataclass
class Installed:
    wheel: Path
    venv: Path
    work: Path  # the cwd of every run: outside the source tree
    env: dict[str, str]
    timings: dict[str, float]

    def run(self, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / "reception-desk"), *argv],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def python(self, code: str) -> str:
        proc = subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", code],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()


def _pip_env() -> dict[str, str]:
    """pip's configured index, and the user's own pip cache (the session's isolated home has an empty one)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.setdefault("PIP_CACHE_DIR", str(real_home() / ".cache" / "pip"))
    return env


def _check(argv: Sequence[str], **kwargs: object) -> None:
    proc = subprocess.run(list(argv), capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{' '.join(argv)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    assert not base.resolve().is_relative_to(ROOT)
    pip_env = _pip_env()
    timings: dict[str, float] = {}

    source = base / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, source / name)
    start = time.monotonic()
    dist = base / "dist"
    _check([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)], env=pip_env, timeout=600)
    timings["build"] = time.monotonic() - start
    (wheel,) = dist.glob("reception_desk-*.whl")

    start = time.monotonic()
    venv = base / "venv"
    _check([sys.executable, "-m", "venv", str(venv)], env=pip_env, timeout=300, cwd=base)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)]
    _check(pip, env=pip_env, timeout=1000, cwd=base)
    timings["venv+install"] = time.monotonic() - start

    home = base / "home"
    env = {k: v for k, v in pip_env.items() if not k.startswith(("PIP_", "RECEPTION_DESK_"))}
    env["HOME"] = str(home)
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_RUNTIME_DIR", "run"),
    ):
        (home / sub).mkdir(parents=True)
        env[var] = str(home / sub)
    (home / "run").chmod(0o700)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    work = base / "work"
    work.mkdir()
    return Installed(wheel, venv, work, env, timings)


def test_the_package_list_in_pyproject_matches_the_source_tree() -> None:
    """pyproject.toml lists the packages (find cannot map resources/ to reception_desk._resources): a new
    subpackage must be added there, or the wheel would lack it."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "reception_desk").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert listed == found | {"reception_desk._resources"}


def test_the_wheel_holds_every_module_resource_and_migration(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "reception_desk").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".mako")
    }
    resources = {
        "reception_desk/_resources/" + p.relative_to(ROOT / "resources").as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file()
    }
    assert "reception_desk/db/migrations/versions/0001_initial.py" in modules
    assert "reception_desk/_resources/fonts/wqy-microhei.ttc" in resources
    assert "reception_desk/_resources/translations/reception_desk_en.qm" in resources
    assert "reception_desk/_resources/sounds/chime.wav" in resources
    assert modules - names == set()
    assert resources - names == set()
    assert not [n for n in names if n.startswith(("tests/", "bench/", "scripts/", "resources/"))]


def test_the_installed_package_lives_in_the_venv_not_in_the_checkout(installed: Installed) -> None:
    out = installed.python(
        "import reception_desk, sys\n"
        "from reception_desk.resources import resources_dir, migrations_dir\n"
        "print(reception_desk.__file__); print(resources_dir()); print(migrations_dir())\n"
        "print(*sys.path, sep='\\n')"
    )
    package, resources, migrations, *path = out.splitlines()
    venv = installed.venv.resolve()
    assert Path(package).resolve().is_relative_to(venv), package
    assert Path(resources).resolve() == Path(package).resolve().parent / "_resources"
    assert Path(migrations).resolve() == Path(package).resolve().parent / "db" / "migrations"
    assert not [p for p in path if p and Path(p).resolve().is_relative_to(ROOT)], path


def test_version_is_the_package_metadata(installed: Installed) -> None:
    proc = installed.run("--version", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"reception-desk {VERSION}\n"


def test_demo_window_and_slips_from_the_installed_wheel(installed: Installed) -> None:
    db = installed.work / "demo.sqlite3"
    start = time.monotonic()
    demo = installed.run("--db", str(db), "demo")
    installed.timings["demo"] = time.monotonic() - start
    assert demo.returncode == 0, demo.stderr
    assert db.is_file() and "Traceback" not in demo.stderr

    # the demo database has users: the window and the print command log in as its admin
    installed.env.update(RECEPTION_DESK_USER="admin", RECEPTION_DESK_PASSWORD="demo")
    start = time.monotonic()
    window = installed.run("--db", str(db), "--quit-when-ready", timeout=180)
    installed.timings["quit-when-ready"] = time.monotonic() - start
    assert window.returncode == 0, window.stderr
    assert "Traceback" not in window.stderr

    out = installed.work / "printed"
    slips = installed.run("--db", str(db), "print", "slips", "--all", "--out", str(out / "slips.pdf"))
    assert slips.returncode == 0, slips.stderr
    assert slips.stderr == ""  # no character of the demo's names went unprinted: the fallback fonts were found
    receipts = installed.run("--db", str(db), "print", "receipts", "--all", "--out", str(out / "receipts.pdf"))
    assert receipts.returncode == 0, receipts.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == ["receipts.pdf", "slips.pdf"]

    texts = [page.extract_text() for page in PdfReader(out / "slips.pdf").pages]
    assert texts and all("交　办　单" in t for t in texts)
    assert all(re.search(r"JF-\d{8}-\d{2}-\d{3}", t) for t in texts)
    assert f"{len(texts)} 份" in slips.stdout
    receipt_text = "".join(page.extract_text() for page in PdfReader(out / "receipts.pdf").pages)
    assert "回执" in receipt_text
    print("wheel session timings (s):", {k: round(v, 1) for k, v in installed.timings.items()})
