"""Click's own messages ("Error: …", "Missing option", "Usage:") in the reader's language.

Click marks its messages with the standard library's ``gettext`` (``from gettext import gettext
as _`` in each of its modules) and ships no catalogues: it leaves translating them to the
application. :func:`install` points those module-level names at :mod:`viz.i18n`, so that the
catalogue of the current language (``coco --lang``, ``LANG``) words them; the messages a ``coco``
user meets are declared below, so that ``scripts/i18n`` extracts them into our catalogues with
the exact text Click formats (placeholders included). A message of Click's not listed here stays
English, as before; a Click release that renamed these module globals leaves Click as it is.

``--help`` is in the reader's language too: each command's help and each option's ``help=`` is
an English message marked ``N_`` where it is declared (a command's help is given as
``help=N_(…)``, not as its docstring, which Babel would not extract), and :func:`localised`
words the whole command tree in the current language for the run of one command line
(:func:`api.cli.main`), then puts the English back. A help text with values in it is made by
:func:`formatted`, so that the message is translated before the values go in; a value may be
such a text itself (the filters of ``coco map`` and ``coco chart``: the help declared in
:data:`viz.params.PARAMS` inside a message of its own, "{help} Repeat for several."). Option
names, metavars, choices and examples of commands stay as they are.
"""

from __future__ import annotations

import contextlib
import gettext as stdlib_gettext
import importlib
from collections.abc import Iterator
from typing import Any

import click

from coco_atlas.schema.messages import Num, english
from coco_atlas.viz import i18n
from coco_atlas.viz.i18n import N_, Np_

CLICK_MODULES = ("click.core", "click.exceptions", "click.formatting", "click.parser",
                 "click.types", "click.decorators", "click.termui", "click.utils")

MESSAGES = (
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Aborted!"),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("required"),
)
PLURALS = (
    Np_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    Np_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    Np_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    Np_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
)


def install() -> None:
    """Click's messages through :mod:`viz.i18n` (idempotent)."""
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "_", None) is stdlib_gettext.gettext:
            module._ = i18n.gettext  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is stdlib_gettext.ngettext:
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]


_FORMATTED: dict[str, tuple[str, dict[str, Any]]] = {}


def formatted(message: str, **values: Any) -> str:
    """A help text with values in it (a default, a limit): the English text, remembered so that
    :func:`localised` translates ``message`` first and puts the values in after. A value may
    itself be a text made by :func:`formatted` (an option's help with a suffix around it): it is
    translated too; a :class:`~coco_atlas.schema.messages.Num` is written the reader's way."""
    text = message.format(**{k: english(v) if isinstance(v, Num) else v
                             for k, v in values.items()})
    _FORMATTED[text] = (message, values)
    return text


def _word(english_text: str | None) -> str | None:
    if not english_text:
        return english_text
    if english_text in _FORMATTED:
        message, values = _FORMATTED[english_text]
        return i18n.gettext(message).format(**{
            k: _word(v) if isinstance(v, str) and v in _FORMATTED else v
            for k, v in values.items()})
    return i18n.gettext(english_text)


def _tree(command: click.Command) -> Iterator[click.Command]:
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _tree(sub)


@contextlib.contextmanager
def localised(command: click.Command) -> Iterator[None]:
    """The help of ``command``, its subcommands and their options in the current language
    inside the block (English outside it: a later run in another language, or a caller that
    uses the commands directly, sees the English it declared)."""
    saved: list[tuple[Any, str, Any]] = []
    for cmd in _tree(command):
        targets: list[tuple[Any, str]] = [(cmd, "help"), (cmd, "short_help")]
        targets += [(p, "help") for p in cmd.params if isinstance(p, click.Option)]
        for obj, attr in targets:
            english = getattr(obj, attr, None)
            if isinstance(english, str) and english:
                saved.append((obj, attr, english))
                setattr(obj, attr, _word(english))
    try:
        yield
    finally:
        for obj, attr, english in reversed(saved):
            setattr(obj, attr, english)
