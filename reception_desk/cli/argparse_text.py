"""argparse's own words (usage:, options:, error:, -h's help…) in the CLI's language.

argparse takes them from gettext at the moment it builds a parser or reports an error; while the command
line is parsed in Chinese, its module-level `_` and `ngettext` answer from the table below (a word missing
from it stays English). English is argparse's own text.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

ZH: dict[str, str] = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项有歧义：%(option)s 可以是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须给出参数 %s 之一",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有子命令 %(parser_name)r（可选：%(choices)s）",
    "unexpected option string: %s": "意外的选项：%s",
}
ZH_PLURAL: dict[str, str] = {"expected %s argument": "需要 %s 个值"}

_original = (argparse._, argparse.ngettext)  # type: ignore[attr-defined]


def language_of(argv: Sequence[str]) -> str:
    """The language asked for with --lang (also --lang=en or an abbreviation such as --la en); else Chinese."""
    for index, token in enumerate(argv):
        if token == "--":
            break
        name, _sep, value = token.partition("=")
        if len(name) >= 3 and "--lang".startswith(name):
            value = value or (argv[index + 1] if index + 1 < len(argv) else "")
            return "en" if value == "en" else "zh"
    return "zh"


def _zh(message: str) -> str:
    return ZH.get(message, message)


def _zh_plural(singular: str, plural: str, n: int) -> str:
    if singular in ZH_PLURAL:
        return ZH_PLURAL[singular]
    return singular if n == 1 else plural


@contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    """Build and parse with argparse's words in `lang`; argparse is itself again afterwards."""
    if lang != "zh":
        yield
        return
    argparse._ = _zh  # type: ignore[attr-defined]
    argparse.ngettext = _zh_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = _original  # type: ignore[attr-defined]
