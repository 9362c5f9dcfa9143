"""Render the schema as Markdown for ``docs/schema.md``.

    python -m coco_atlas.schema.docs > docs/schema.md

A test checks that the committed file equals this output, so the docs cannot drift from the schema.
"""

from __future__ import annotations

from dataclasses import replace

from coco_atlas.schema.languages import LANGUAGES
from coco_atlas.schema.model import SCHEMA
from coco_atlas.schema.types import TEXT_MAX, Property, PropType


def _prop_row(p: Property) -> str:
    kind = p.type.value
    rules = []
    if p.allowed:
        rules.append("one of " + ", ".join(f"`{a}`" for a in p.allowed))
    if p.pattern:
        rules.append(f"matches `{p.pattern}`")
    if p.not_future:
        rules.append(f"{p.minimum if p.minimum is not None else ''}…this year")
    elif p.minimum is not None or p.maximum is not None:
        rules.append(f"{p.minimum if p.minimum is not None else ''}…"
                     f"{p.maximum if p.maximum is not None else ''}")
    if p.type is PropType.STRING_LIST:
        rules.append(f"≤ {p.max_items:,} items of ≤ {p.max_length:,} characters")
    elif p.is_text and not p.allowed and not p.stamped and not (
            p.pattern and p.max_length == TEXT_MAX):  # the pattern says more
        rules.append(f"≤ {p.max_length:,} characters")
    need = "stamped" if p.stamped else (
        "required" if p.required else "recommended" if p.recommended else "")
    return f"| `{p.name}` | {kind} | {need} | {'; '.join(rules)} | {p.description} |"


def render() -> str:
    lines = [
        "# The COCO Atlas property graph",
        "",
        "Generated from `schema/model.py` by `python -m coco_atlas.schema.docs`; "
        "do not edit by hand.",
        "",
        f"Every node has a string key `{SCHEMA.key}` of at most {SCHEMA.key_max_length:,} "
        "characters, unique across labels. `source` and `updatedAt` are stamped by the store "
        "on every node and edge written. Texts are valid Unicode and bounded in length (the "
        "rules column); writes that break a rule are refused with the field, what was expected "
        "and (a summary of) what came.",
        "",
        "A *required* property is part of what a record is: a write without it is refused. A "
        "*recommended* one is what a record should have but real data often lacks: a write "
        "without it is accepted and the value is unknown (shown as \"unknown\", an empty cell "
        "in exports), unless the write is strict (`coco import … --strict`). A value that is "
        "given is checked either way.",
        "",
        "## Node labels",
    ]
    header = ["| property | type | | rules | meaning |", "|---|---|---|---|---|"]
    for lab in SCHEMA.labels:
        lines += ["", f"### {lab.name}", "", lab.description, "", *header]
        per_language = {name: base for base, by_lang in SCHEMA.translations(lab.name).items()
                        for name in by_lang.values()}
        for p in SCHEMA.node_properties(lab.name).values():
            if p.name not in per_language:
                lines.append(_prop_row(p))
            elif p.name.endswith("_" + LANGUAGES[0]):  # one row stands for every language
                base = per_language[p.name]
                lines.append(_prop_row(replace(p, name=f"{base}_<lang>", description=(
                    f"{base} in one language, one property per language: "
                    + ", ".join(f"`{base}_{lang}`" for lang in LANGUAGES) + "."))))
    lines += ["", "## Relationship types", "",
              "| type | from | to | properties | meaning |", "|---|---|---|---|---|"]
    for rel in SCHEMA.relationships:
        props = ", ".join(f"`{p.name}` ({p.type.value})" for p in rel.properties)
        lines.append(f"| `{rel.name}` | {' / '.join(sorted(rel.sources))} | "
                     f"{' / '.join(sorted(rel.targets))} | {props} | {rel.description} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
