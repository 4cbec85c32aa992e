"""The settings table in registry/settings.py is the one the README shows, and the app loads it."""

import re
from pathlib import Path

from registry import create_app
from registry.settings import DEFAULTS, SETTINGS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_lists_every_setting_and_no_other():
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| setting | default | meaning |"):]
    table = table[:table.index("\n\n")]
    listed = re.findall(r"^\| `([A-Z0-9_]+)` \|", table, flags=re.M)
    assert listed == [s.name for s in SETTINGS]


def test_the_app_starts_from_the_defaults(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLITE_PATH": str(tmp_path / "r.db")})
    for name, default in DEFAULTS.items():
        if name not in ("SECRET_KEY", "SQLITE_PATH"):
            assert app.config[name] == default, name
