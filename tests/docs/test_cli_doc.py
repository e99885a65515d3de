"""docs/cli.md's command table lists every sub-command of `lamina --help`."""

from __future__ import annotations

import re
from pathlib import Path

from lamina.cli import make_parser

CLI_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def subcommands() -> dict[str, object]:
    parser = make_parser()
    (sub,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return dict(sub.choices)


def test_every_command_is_in_the_table():
    table = re.findall(r"^\| `lamina ([a-z-]+)", CLI_DOC.read_text(encoding="utf-8"), flags=re.M)
    commands = subcommands()
    assert len(commands) >= 14
    assert sorted(set(commands) - set(table)) == [], "commands missing from docs/cli.md"


def test_every_option_of_a_command_is_named_in_its_row():
    rows = {}
    for line in CLI_DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `lamina ([a-z-]+)(.*?)` \|", line)
        if match:
            rows.setdefault(match.group(1), "")
            rows[match.group(1)] += match.group(2)
    missing = {}
    for name, parser in subcommands().items():
        options = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
        absent = [o for o in options if o != "--help" and o not in rows.get(name, "")]
        if absent:
            missing[name] = absent
    assert missing == {}, f"options missing from docs/cli.md's table: {missing}"
