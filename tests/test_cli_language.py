"""The CLI's argparse words (usage:, options:, error:, -h's help) follow --lang; --help loads no database code."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from reception_desk.cli.argparse_text import language_of
from reception_desk.cli.main import main

EXE = str(Path(sys.executable).with_name("reception-desk"))


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out, err


def test_help_is_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(["--help"], capsys)
    assert code == 0
    assert out.startswith("用法：reception-desk")
    assert "\n选项:" in out and "\n位置参数:" in out and "显示本帮助并退出" in out
    assert "usage:" not in out and "options:" not in out and "show this help" not in out


def test_help_is_english_with_lang_en(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(["--lang", "en", "--help"], capsys)
    assert code == 0
    assert out.startswith("usage: reception-desk")
    assert "\noptions:" in out and "\npositional arguments:" in out and "show this help message and exit" in out
    assert "用法" not in out and "选项" not in out


def test_argparse_error_says_cuowu_in_chinese_and_error_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(["print", "slips"], capsys)
    assert code == 2
    assert err.startswith("用法：") and "reception-desk print：错误：缺少必需的参数：--out" in err
    code, _out, err = _run(["--lang=en", "nosuchcommand"], capsys)
    assert code == 2
    assert "reception-desk: error: argument COMMAND: invalid choice: 'nosuchcommand'" in err


def test_argparse_is_itself_again_after_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    _run(["--help"], capsys)
    assert "usage:" in argparse.ArgumentParser(prog="x").format_help()


def test_the_language_is_read_before_parsing() -> None:
    assert language_of(["--lang", "en", "print"]) == "en"
    assert language_of(["--lang=en"]) == "en"
    assert language_of(["--la", "en"]) == "en"
    assert language_of(["print", "--out", "--lang"]) == "zh"
    assert language_of(["--", "--lang", "en"]) == "zh"
    assert language_of([]) == "zh"


def test_whole_process_help_in_both_languages_without_sqlalchemy(tmp_path: Path) -> None:
    zh = subprocess.run([EXE, "--help"], capture_output=True, text=True, timeout=60)
    en = subprocess.run([EXE, "--lang", "en", "--help"], capture_output=True, text=True, timeout=60)
    assert zh.returncode == en.returncode == 0
    assert "用法" in zh.stdout and "选项" in zh.stdout
    assert "usage:" in en.stdout and "options:" in en.stdout
    probe = (
        "import sys; from reception_desk.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'reportlab', 'PySide6') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert loaded.stdout.strip().splitlines()[-1] == "[]"
