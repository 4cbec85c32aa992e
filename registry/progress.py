"""Progress bars for long command-line work (import, export, seeding), on a terminal only.

A pipe or a log file gets no bar: ``registry export > file.json`` stays clean, and CI logs
are not filled with redraws. click's progress bar is used (click comes with Flask).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import click

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int | None], Iterable[T]]


def on_terminal(items: Iterable[T], label: str, total: int | None = None, stream=None) -> Iterator[T]:
    """``items``, unchanged; drawn as a bar on ``stream`` (stderr) when that is a terminal."""
    stream = stream or sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        yield from items
        return
    with click.progressbar(items, length=total, label=label, file=stream) as bar:
        yield from bar


def silent(items: Iterable[T], label: str = "", total: int | None = None) -> Iterable[T]:
    """No progress shown: the default for library callers."""
    return items
