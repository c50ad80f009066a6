"""The frozen build and the .deb (issue #11 items 2-3): scripts/package.sh builds dist/reception-desk/ (PyInstaller)
and dist/reception-desk_<version>_amd64.deb once per session. The frozen folder is copied outside the source tree and
run there: --version, demo, the window offscreen (--quit-when-ready), print slips --all, import of a workbook. Then
the .deb is installed with apt-get, run from /usr/bin, and removed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
DEB = ROOT / "dist" / f"reception-desk_{VERSION}_amd64.deb"
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


@dataclass
class Frozen:
    exe: Path  # reception-desk inside the copied folder
    work: Path  # the cwd of every run: outside the source tree
    env: dict[str, str]

    def run(self, *argv: str, exe: Path | str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe or self.exe), *argv],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module")
def built() -> float:
    """Runs scripts/package.sh (frozen folder and .deb); the seconds it took."""
    start = time.monotonic()
    proc = subprocess.run(
        [str(ROOT / "scripts" / "package.sh")], cwd=ROOT, capture_output=True, text=True, timeout=1400, check=False
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (ROOT / "dist" / "reception-desk" / "reception-desk").is_file()
    assert DEB.is_file()
    return time.monotonic() - start


@pytest.fixture(scope="module")
def frozen(built: float, tmp_path_factory: pytest.TempPathFactory) -> Frozen:
    base = tmp_path_factory.mktemp("frozen")
    folder = base / "reception-desk"
    shutil.copytree(ROOT / "dist" / "reception-desk", folder, symlinks=True)
    work = base / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECEPTION_DESK_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        RECEPTION_DESK_USER="admin",  # the demo's users: log in without the dialog
        RECEPTION_DESK_PASSWORD="demo",
        PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",  # no .venv: nothing of the dev setup
    )
    return Frozen(folder / "reception-desk", work, env)


def _ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return proc.stdout


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _demo_and_slips(frozen: Frozen, name: str, exe: Path | str | None = None) -> str:
    db = frozen.work / f"{name}.sqlite3"
    _ok(frozen.run("--db", str(db), "demo", exe=exe))
    out = frozen.work / name
    out.mkdir()
    _ok(frozen.run("--db", str(db), "print", "slips", "--all", "--out", str(out / "slips.pdf"), exe=exe))
    text = _pdf_text(out / "slips.pdf")
    assert "接访" in text  # the CJK font is embedded and extracts
    return text


def test_frozen_version(frozen: Frozen, built: float) -> None:
    print(f"scripts/package.sh took {built:.0f} s")
    assert _ok(frozen.run("--version")).strip() == f"reception-desk {VERSION}"
    assert not str(frozen.exe).startswith(str(ROOT))


def test_frozen_demo_window_and_slips(frozen: Frozen) -> None:
    _demo_and_slips(frozen, "demo")
    window = frozen.run("--db", str(frozen.work / "demo.sqlite3"), "--quit-when-ready", timeout=120)
    _ok(window)


def test_frozen_import_of_a_workbook(frozen: Frozen) -> None:
    db = frozen.work / "import.sqlite3"
    _ok(frozen.run("--db", str(db), "day", "create", "--date", "2026-03-05"))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "来访人姓名", "身份证号码", "联系电话", "来访人数", "所属乡镇（街道）", "反映问题及\n诉求"])
    sheet.append([1, "王学德", "", "13805701234", 2, "湖南镇", "拖欠工资三个月"])
    sheet.append([2, "𠮷田", "", "0570-8881234", 1, "莲花镇", "村旁养殖场污染严重"])
    sheet.append([3, "", "", "", "", "", "修路"])  # no name: rejected
    path = frozen.work / "名单.xlsx"
    book.save(path)
    report = json.loads(_ok(frozen.run("--db", str(db), "import", str(path), "--day", "2026-03-05", "--json")))
    assert report["imported"] == 2
    assert report["people"] == 3
    assert [r["row"] for r in report["rejected"]] == [4]


@pytest.fixture
def installed_deb(built: float) -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI installs the .deb: it needs root and apt-get")
        pytest.skip("installing the .deb needs root and apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    proc = subprocess.run(
        ["apt-get", "install", "-y", "-q", str(DEB)], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0:  # an apt without local .deb support: dpkg, then its dependencies
        subprocess.run(["dpkg", "-i", str(DEB)], env=env, capture_output=True, timeout=300, check=False)
        proc = subprocess.run(
            ["apt-get", "-f", "install", "-y", "-q"], env=env, capture_output=True, text=True, timeout=600, check=False
        )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    try:
        yield Path("/usr/bin/reception-desk")
    finally:
        subprocess.run(
            ["apt-get", "remove", "-y", "-q", "reception-desk"], env=env, capture_output=True, timeout=300, check=False
        )


def test_deb_installs_runs_and_removes(installed_deb: Path, frozen: Frozen) -> None:
    assert Path("/opt/reception-desk/reception-desk").is_file()
    assert Path("/usr/share/applications/reception-desk.desktop").is_file()
    assert Path("/usr/share/icons/hicolor/48x48/apps/reception-desk.png").is_file()
    assert _ok(frozen.run("--version", exe=installed_deb)).strip() == f"reception-desk {VERSION}"
    _demo_and_slips(frozen, "deb", exe="reception-desk")  # found on the PATH
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _ok(
        subprocess.run(
            ["apt-get", "remove", "-y", "-q", "reception-desk"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    )
    assert not Path("/opt/reception-desk").exists()
    assert not installed_deb.exists()
    assert not Path("/usr/share/applications/reception-desk.desktop").exists()
