"""Click's own messages ("Error: …", "Missing option", "Usage:") in the reader's language.

Click marks its messages with the standard library's ``gettext`` (``from gettext import gettext
as _`` in each of its modules) and ships no catalogues: it leaves translating them to the
application. :func:`install` points those module-level names at :mod:`viz.i18n`, so that the
catalogue of the current language (``coco --lang``, ``LANG``) words them; the messages a ``coco``
user meets are declared below, so that ``scripts/i18n`` extracts them into our catalogues with
the exact text Click formats (placeholders included). A message of Click's not listed here stays
English, as before; a Click release that renamed these module globals leaves Click as it is.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import importlib

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
