"""Progress bars on a terminal only (issue 13): a pipe or a file gets none."""

import io

from registry.progress import on_terminal
from registry.services.exchange import parse_document


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_on_a_terminal_and_nothing_on_a_pipe():
    terminal, pipe = Terminal(), io.StringIO()
    assert list(on_terminal(range(5), "counting", 5, stream=terminal)) == [0, 1, 2, 3, 4]
    assert "counting" in terminal.getvalue()
    assert list(on_terminal(range(5), "counting", 5, stream=pipe)) == [0, 1, 2, 3, 4]
    assert pipe.getvalue() == ""


def test_an_import_reports_its_progress_by_kind():
    seen = []

    def progress(items, label, total):
        seen.append((label, total))
        return items

    document = {"format": "registry-export", "version": 1,
                "objects": {"organisation": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}]}}
    assert len(parse_document(document, progress=progress)) == 2
    assert ("checking organisation", 2) in seen
