"""The Inno Setup script cannot be compiled here (ISCC runs on Windows): check what it refers to instead."""

from __future__ import annotations

import ast
import re
from pathlib import Path, PureWindowsPath

from PIL.IcoImagePlugin import IcoFile

ROOT = Path(__file__).resolve().parents[2]
ISS = ROOT / "packaging" / "windows" / "reception-desk.iss"
SPEC = ROOT / "packaging" / "reception-desk.spec"


def _script() -> str:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so every Inno Setup 6 reads the Chinese right"
    return raw[3:].decode("utf-8")


def _defines(text: str) -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', text, flags=re.MULTILINE))


def _setup(text: str) -> dict[str, str]:
    section = text.split("[Setup]", 1)[1].split("\n[", 1)[0]
    return dict(
        line.split("=", 1) for line in section.splitlines() if "=" in line and not line.lstrip().startswith(";")
    )


def _relative(windows_path: str) -> Path:
    """A path in the script, relative to the script's folder (Inno Setup's SourceDir), on this machine."""
    return (ISS.parent / Path(*PureWindowsPath(windows_path).parts)).resolve()


def _spec_names() -> dict[str, list[str]]:
    """The name= of every EXE(...) and COLLECT(...) in the PyInstaller spec."""
    names: dict[str, list[str]] = {"EXE": [], "COLLECT": []}
    for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            for keyword in node.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    names[node.func.id].append(str(keyword.value.value))
    return names


def test_the_files_it_names_exist() -> None:
    text = _script()
    setup = _setup(text)
    icon = _relative(setup["SetupIconFile"])
    assert icon == ROOT / "packaging" / "windows" / "reception-desk.ico"
    with icon.open("rb") as handle:
        sizes = IcoFile(handle).sizes()
    assert (16, 16) in sizes and (256, 256) in sizes
    assert _relative(setup["OutputDir"]) == ROOT / "dist"  # ignored by git, beside the .deb
    assert "dist/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_it_packs_the_frozen_folder_the_spec_makes() -> None:
    defines = _defines(_script())
    names = _spec_names()
    # the one-folder build: dist/<COLLECT name>/, with <EXE name>.exe in it
    assert _relative(defines["Frozen"]) == ROOT / "dist" / "reception-desk"
    assert names["COLLECT"] == ["reception-desk"]
    assert defines["ConsoleExe"] == "reception-desk.exe" and "reception-desk" in names["EXE"]
    assert defines["GuiExe"] == "reception-desk-gui.exe" and "reception-desk-gui" in names["EXE"]


def test_version_languages_shortcuts_and_no_admin() -> None:
    text = _script()
    setup = _setup(text)
    assert "#ifndef AppVersion\n  #error" in text  # ISCC /DAppVersion=… is required, no silent default
    assert setup["AppVersion"] == "{#AppVersion}"
    assert re.fullmatch(r"\{\{\{#AppId\}\}", setup["AppId"])
    assert re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", _defines(text)["AppId"])
    assert _defines(text)["AppName"] == "接访台 Reception Desk"
    assert setup["DefaultDirName"] == r"{autopf}\ReceptionDesk"
    assert setup["PrivilegesRequired"] == "lowest" and "dialog" in setup["PrivilegesRequiredOverridesAllowed"]
    assert 'MessagesFile: "compiler:Languages\\ChineseSimplified.isl"' in text
    assert 'MessagesFile: "compiler:Default.isl"' in text
    assert text.index("chinesesimplified") < text.index('Name: "english"')  # Chinese is the default
    icons = text.split("[Icons]", 1)[1].split("\n[", 1)[0]
    assert r'Name: "{autoprograms}\{#ShortcutName}"; Filename: "{app}\{#LaunchExe}"' in icons
    assert "Tasks: desktopicon" in icons
