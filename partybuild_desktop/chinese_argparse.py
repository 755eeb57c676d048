"""argparse in Chinese: its headings, its help and version lines and its error messages.

argparse writes its own words in English ("usage:", "options", "the following arguments are required" …).
This module replaces them without gettext catalogues: the headings are set on the parser, the usage
prefix in the formatter, and the finished error messages are translated by pattern in ``error()``.
The formatter also measures text by display width (a Chinese character takes two columns), so the help
columns line up and long Chinese lines wrap inside the terminal.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata

EXIT_USAGE = 2
USAGE_PREFIX = "用法："
HELP_HELP = "显示本帮助并退出"
VERSION_HELP = "显示程序版本并退出"
COMMAND_METAVAR = "命令"

# A line of wrapped help text may not start with these (the Chinese typesetting rule).
_NO_LINE_START = set("，。、；：！？）》」』”’…%")
_HEADING = re.compile(r"^(\s*\S*[\u4e00-\u9fff]):$", re.MULTILINE)
_TOKEN = re.compile(r"[A-Za-z0-9_\-./%=:@+'\"\\{}\[\]|<>]+|\s+|.")


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: two for wide (CJK) characters, one for the rest."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap by display width: Latin words stay whole, Chinese breaks between characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0
        for token in _TOKEN.findall(" ".join(paragraph.split())):
            size = display_width(token)
            if token.isspace():
                if line:
                    line, used = line + " ", used + 1
                continue
            if used + size > width and line.strip() and not (token[0] in _NO_LINE_START and len(token) == 1):
                lines.append(line.rstrip())
                line, used = "", 0
            line, used = line + token, used + size
        lines.append(line.rstrip())
    return lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    """The help formatter with a Chinese usage prefix and display-width columns."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)

    def _format_usage(self, usage, actions, groups, prefix):
        text = super()._format_usage(usage, actions, groups, prefix)
        # argparse indents the usage's later lines by the prefix's length in characters, not columns.
        extra = " " * (display_width(prefix or "") - len(prefix or ""))
        lines = text.split("\n")
        return "\n".join([lines[0]] + [extra + line if line.strip() else line for line in lines[1:]])

    def format_help(self):
        # Section headings end with a Chinese colon: "选项：", not "选项:".
        return _HEADING.sub(r"\1：", super().format_help())

    def add_argument(self, action):
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [self._format_action_invocation(sub) for sub in self._iter_indented_subactions(action)]
            length = max(map(display_width, invocations)) + self._current_indent
            self._action_max_length = max(self._action_max_length, length)
            self._add_item(self._format_action, [action])

    def _format_action(self, action):
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        if not action.help:
            parts = [f"{' ' * self._current_indent}{header}\n"]
        else:
            if display_width(header) <= action_width:
                padding = " " * (action_width - display_width(header))
                parts, first_indent = [f"{' ' * self._current_indent}{header}{padding}  "], 0
            else:
                parts, first_indent = [f"{' ' * self._current_indent}{header}\n"], help_position
            text = self._expand_help(action) if action.help.strip() else ""
            lines = self._split_lines(text, help_width) if text else [""]
            parts.append(f"{' ' * first_indent}{lines[0]}\n")
            parts += [f"{' ' * help_position}{line}\n" for line in lines[1:]]
        parts += [self._format_action(sub) for sub in self._iter_indented_subactions(action)]
        return self._join_parts(parts)

    # An option or positional given no metavar of its own is shown with a Chinese word, not its dest.
    def _get_default_metavar_for_optional(self, action):
        return "值"

    def _get_default_metavar_for_positional(self, action):
        return "参数"

    def _split_lines(self, text, width):
        return wrap(text, width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))


def _listed(text: str) -> str:
    """``'demo', 'check'`` (or ``demo, check``) as ``demo、check``."""
    return "、".join(part.strip().strip("'\"") for part in text.split(","))


def _quoted(text: str) -> str:
    return f"“{text.strip().strip(chr(39) + chr(34))}”"


_TYPE_NAMES = {"int": "整数", "float": "数字", "str": "文字"}

# argparse's finished messages, from the innermost words out. Each is (pattern, replacement function).
_MESSAGES = [
    (re.compile(r"^the following arguments are required: (?P<names>.+)$"),
     lambda m: f"缺少必填的参数：{_listed(m['names'])}"),
    (re.compile(r"^one of the arguments (?P<names>.+) is required$"),
     lambda m: f"以下参数必须给出其中一个：{m['names']}"),
    (re.compile(r"^unrecognized arguments: (?P<args>.+)$"),
     lambda m: f"不认识的参数：{m['args']}"),
    (re.compile(r"^invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)$"),
     lambda m: f"{_quoted(m['value'])}不是可选的值，可选：{_listed(m['choices'])}"),
    (re.compile(r"^invalid (?P<type>\w+) value: (?P<value>.+)$"),
     lambda m: f"{_quoted(m['value'])}不是{_TYPE_NAMES.get(m['type'], '有效的值')}"),
    (re.compile(r"^expected one argument$"), lambda m: "后面需要跟一个值"),
    (re.compile(r"^expected at most one argument$"), lambda m: "后面最多跟一个值"),
    (re.compile(r"^expected at least one argument$"), lambda m: "后面至少需要跟一个值"),
    (re.compile(r"^expected (?P<n>\d+) arguments?$"), lambda m: f"后面需要跟 {m['n']} 个值"),
    (re.compile(r"^not allowed with argument (?P<other>.+)$"), lambda m: f"不能与参数 {m['other']} 同时使用"),
    (re.compile(r"^ignored explicit argument (?P<value>.+)$"), lambda m: f"这个参数不带值，多余的 {m['value']} 无法使用"),
    (re.compile(r"^ambiguous option: (?P<option>\S+) could match (?P<matches>.+)$"),
     lambda m: f"参数 {m['option']} 不明确，可能是：{_listed(m['matches'])}"),
    (re.compile(r"^unexpected option string: (?P<option>.+)$"), lambda m: f"不应出现的参数：{m['option']}"),
]
_ARGUMENT = re.compile(r"^argument (?P<name>.+?): (?P<message>.+)$", re.DOTALL)


def translate(message: str) -> str:
    """argparse's English error message in Chinese (a message already in Chinese is left as it is)."""
    found = _ARGUMENT.match(message)
    if found:
        return f"参数 {found['name']}：{translate(found['message'])}"
    for pattern, replace in _MESSAGES:
        matched = pattern.match(message)
        if matched:
            return replace(matched)
    return message


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose every word is Chinese; its errors exit with code 2 and say what to do."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = HELP_HELP

    def add_argument(self, *args, **kwargs):
        if kwargs.get("action") == "version":
            kwargs.setdefault("help", VERSION_HELP)
        return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("metavar", COMMAND_METAVAR)
        kwargs.setdefault("parser_class", type(self))
        return super().add_subparsers(**kwargs)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        top = self.prog.split()[0]
        self.exit(EXIT_USAGE, f"命令参数有误：{translate(message)}\n请运行 {top} --help 查看用法"
                              f"{'，或 ' + self.prog + ' --help 查看这条命令的用法' if ' ' in self.prog else ''}。\n")
