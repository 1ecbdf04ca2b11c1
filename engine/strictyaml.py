"""YAML for rule files, strict: what PyYAML accepts but a rule file must not hold.

Mixed into the rule-file loader (``yamlsource``), so every error carries the file's line:
- aliases (``*name``) are refused: a 700-byte file of nested aliases expands to gigabytes
  (the "billion laughs"); rule files never need them, so nothing is expanded at all;
- a key given twice in one mapping is refused (PyYAML silently keeps the last);
- ``.inf`` and ``.nan`` are refused: no threshold or amount is infinite;
- nesting deeper than ``YAML_DEPTH_MAX`` is refused before anything recursive sees it;
- a tagged value its tag cannot read (``!!int 0x``, ``!!bool kanske``) is refused at its line,
  in Swedish, instead of with the Python error PyYAML's constructor stops at.

Each refusal is a ``StrictYAMLError`` whose problem is already the Swedish message (the YAML
parser's own problems are translated by ``engine.yamlsource``).
"""
from __future__ import annotations

import math
from datetime import date

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

# Deeper than any rule file needs (conditions stop at ``rulecheck.CONDITION_DEPTH_MAX``),
# shallow enough that no recursive step of loading or compiling can run out of stack.
YAML_DEPTH_MAX = 40


class StrictYAMLError(ComposerError, ConstructorError):
    """What the strict loader refuses: ``problem`` is the Swedish message, with the fix."""

    def __init__(self, problem: str, mark):
        super().__init__(None, None, problem, mark)


class StrictComposer:
    """Composer half of the strict loader: no aliases, bounded depth."""

    _depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise StrictYAMLError(f"YAML-alias (*{event.anchor}) är inte tillåtna i regelfiler; skriv ut värdet "
                                  "där det används", event.start_mark)
        self._depth += 1
        try:
            if self._depth > YAML_DEPTH_MAX:
                raise StrictYAMLError(f"innehållet är nästlat djupare än {YAML_DEPTH_MAX} nivåer; dela upp "
                                      "villkoret i flera regler och hänvisa till dem med rule:",
                                      self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# What a value with a tag should be, for the refusal of one its tag cannot read.
_TAG_WANTS = {"int": "ett heltal", "float": "ett tal", "bool": "true eller false", "binary": "base64-text",
              "null": "null"}
_TAG_PREFIX = "tag:yaml.org,2002:"


class StrictConstructor:
    """Constructor half of the strict loader: a scalar its tag cannot read is refused where it is."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            if not isinstance(node, yaml.ScalarNode):
                raise
            tag = node.tag[len(_TAG_PREFIX):] if node.tag.startswith(_TAG_PREFIX) else node.tag
            wants = _TAG_WANTS.get(tag)
            value = node.value if len(node.value) <= 40 else node.value[:39] + "…"
            what = f"är inte {wants}" if wants else "kan inte läsas"
            raise StrictYAMLError(f"'{value}' med taggen !!{tag} {what}; skriv värdet utan tagg (regelfiler "
                                  "behöver inga taggar), tal med siffror och datum som ÅÅÅÅ-MM-DD",
                                  node.start_mark) from None


def check_unique_keys(loader: yaml.SafeLoader, node: yaml.MappingNode) -> None:
    """Refuse a key that occurs twice in one mapping, at the second one's line."""
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key: construct_mapping reports it
            continue
        if duplicate:
            problem = f"två värden daterade {key}" if isinstance(key, date) else \
                f"'{key}' står två gånger i samma mappning"
            raise StrictYAMLError(f"{problem}; behåll ett av dem", key_node.start_mark)
        seen.add(key)


def finite_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        raise StrictYAMLError(f"{node.value} är inget ändligt tal; regelfiler innehåller bara ändliga tal: skriv "
                              "ett tal", node.start_mark)
    return value
