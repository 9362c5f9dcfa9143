"""Messages built where a problem is found and worded where it is shown (issue 15).

A problem found by the schema, an importer or a GraphQL argument check is often built in one
place and shown in another: printed by ``coco`` in the terminal's language, sent by the service
in the request's language, written to a ``--report`` file, kept in a list a test reads. A
message is therefore kept as its English text *and* what it is made of:

* :func:`N_` marks a constant message for the catalogue (``scripts/i18n`` extracts it); it stays
  the English string, and whoever shows it translates it (``viz.i18n.gettext``);
* :class:`Msg` is a message with values, ``Msg(N_("at most {n} characters"), n=Num(200))``, or
  with a plural, ``Msg(Np_("{n} problem", "{n} problems"), n=3)``. It *is* its English text
  (a ``str``: equal to it, ``in`` and ``startswith`` read it, JSON and logs get it, so machine
  output stays English and stable), and it is worded in the current language (the context
  variable of :mod:`viz.i18n`) when it is shown: ``str(m)``, ``f"{m}"``, ``"{}".format(m)``,
  ``"%s" % m`` and ``gettext(m)`` translate it there, never when it was built, so a message
  built in one language's context is not frozen in it. Values that are messages are worded
  with it; :class:`Num` writes a number the reader's way (``12 345`` in Polish).

Concatenating a message (``"x" + m``, ``", ".join(ms)``) keeps the English text: build a
message with values instead. This module imports nothing of the package (the schema is the
lowest layer): the translation is :mod:`viz.i18n`, which hands its functions over with
:func:`speak` when it is imported; until then, and where no language is chosen, messages are
English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Words:
    """What words messages: the current language, gettext and ngettext, locale numbers."""

    current: Callable[[], str]
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    number: Callable[[Any], str]


_words: Words | None = None


def speak(words: Words) -> None:
    """Word messages with ``words`` (:mod:`viz.i18n` calls it once, on import)."""
    global _words
    _words = words


def N_(message: str) -> str:
    """Mark a message for extraction where it is declared; it is translated where shown."""
    return message


def Np_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural message where it is declared; ``Msg(pair, n=…)`` or ``ngettext(*pair, n)``
    where shown."""
    return singular, plural


class Num:
    """A number shown the reader's way (CLDR through :func:`viz.i18n.number`); English
    ``1,234`` in the English text of a message."""

    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        return self.english() if _words is None else _words.number(self.value)

    def __str__(self) -> str:
        return self.__format__("")

    def __repr__(self) -> str:
        return repr(self.value)

    def english(self) -> str:
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            return f"{self.value:,}"
        return f"{self.value:,.10g}" if isinstance(self.value, float) else str(self.value)


class Msg(str):
    """A message with values: its English text as a ``str``, worded in the reader's language
    when shown (see the module's docstring)."""

    message: str | tuple[str, str]
    values: dict[str, Any]

    def __new__(cls, message: str | tuple[str, str], /, **values: Any) -> Msg:
        self = super().__new__(cls, _render(message, values, None))
        self.message = message
        self.values = values
        return self

    def __str__(self) -> str:
        words = _words
        if words is None or words.current() == "en":
            return str.__str__(self)
        return _render(self.message, self.values, words)

    def __format__(self, spec: str) -> str:
        return format(self.__str__(), spec)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.message, self.values))

    def english(self) -> str:
        """The English text (a plain ``str``)."""
        return str.__str__(self)


class Join(Msg):
    """Messages and texts one after another (a heading and its lines), each worded where the
    whole is shown."""

    parts: tuple[Any, ...]

    def __new__(cls, *parts: Any) -> Join:
        self = str.__new__(cls, "".join(english(p) for p in parts))
        self.message, self.values, self.parts = "", {}, parts
        return self

    def __str__(self) -> str:
        return "".join(str(p) for p in self.parts)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Join, self.parts)


def _rebuild(message: str | tuple[str, str], values: dict[str, Any]) -> Msg:
    return Msg(message, **values)


def either(names: list[str]) -> str:
    """"A", "A or B", "A, B or C": names (of labels, types) worded where shown."""
    if len(names) <= 1:
        return names[0] if names else ""
    return Msg(N_("{names} or {last}"), names=", ".join(names[:-1]), last=names[-1])


def lazy(text: Any) -> Any:
    """A constant marked ``N_`` as a message worded where shown; a Msg, or anything that is
    not text, as it is."""
    return text if isinstance(text, Msg) or not isinstance(text, str) else Msg(text)


def english(text: Any) -> str:
    """A message's English text, anything else as its text."""
    return text.english() if isinstance(text, (Msg, Num)) else str(text)


def _render(message: str | tuple[str, str], values: dict[str, Any], i18n: Words | None
            ) -> str:
    """The message worded by ``i18n`` (:mod:`viz.i18n`'s functions), or in English (None)."""
    if isinstance(message, tuple):
        n = values.get("n")
        count = n.value if isinstance(n, Num) else n
        if i18n is None:
            text = message[0] if count == 1 else message[1]
        else:
            text = i18n.ngettext(message[0], message[1], int(count or 0))
    else:
        text = message if i18n is None else i18n.gettext(message)
    if not values:
        return text
    if i18n is None:  # values that are messages or numbers in English too
        return text.format(**{k: english(v) if isinstance(v, (Msg, Num)) else v
                              for k, v in values.items()})
    return text.format(**values)  # Msg and Num values word themselves (__format__)
