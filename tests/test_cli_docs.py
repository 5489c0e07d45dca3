"""Docs enforced by tests: every CLI command and every setting is documented in the README."""

import re
from pathlib import Path

import pytest

from khronika.cli import app
from khronika.settings import SETTINGS, Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands():
    return sorted(c.name or c.callback.__name__ for c in app.registered_commands)


@pytest.mark.parametrize("command", _commands())
def test_command_documented_in_readme(command):
    assert re.search(rf"`khronika {command}\b", README), f"README's CLI reference lacks `khronika {command}`"


@pytest.mark.parametrize("setting", [s.name for s in SETTINGS])
def test_setting_documented(setting):
    assert f"`{setting}`" in README, f"README lacks setting `{setting}`"


def test_settings_table_matches_dataclass_defaults():
    defaults = Settings()
    for s in SETTINGS:
        assert getattr(defaults, s.name) == s.default, s.name
