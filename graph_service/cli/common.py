"""What the commands share: the error console, the settings and running the service's work."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer
from rich.console import Console

from graph_service.errors import GraphServiceError
from graph_service.settings import Settings, load_settings

err = Console(stderr=True, soft_wrap=True, highlight=False)
"""Messages and errors go to standard error; standard output is for results."""

T = TypeVar("T")


def settings_or_exit(**overrides: object) -> Settings:
    """The settings from the environment (and overrides); unusable ones end with code 2."""
    try:
        return load_settings(**overrides)
    except GraphServiceError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def run_or_exit(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion; the service's errors end the command with code 1."""
    try:
        return asyncio.run(work)
    except GraphServiceError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
