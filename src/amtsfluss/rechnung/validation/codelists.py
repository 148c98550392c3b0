"""Code-list tests of compiled Schematron, answered by a map lookup instead of a string scan.

The EN 16931 rules test code values as ``contains(' C62 H87 … ', concat(' ', X, ' '))``: is
`` X `` a substring of a space-separated list. Some lists are long (UN/ECE Rec. 20 units: 8 kB)
and SaxonC scans them at about 170 µs per test; an invoice line tests several codes, so that
scan was a third of the time of a 1,000-line invoice. :func:`optimise` rewrites each such test
into an equivalent one that first asks a map of the list's entries (about 3 µs):

    let $k := concat(' ', X, ' ') return
        map:contains($codes, $k)
        or (contains(substring($k, 2, string-length($k) - 2), ' ') and contains('LIST', $k))

Why it is the same test, for a list of the canonical form ``' t1 t2 … tn '`` (one leading and
one trailing space, entries separated by exactly one space, no entry empty) — any other list is
left as it is:

* ``$k`` is ``' ' || s || ' '`` for the string ``s`` of X (concat's conversion, unchanged).
* If ``$k`` is a key of the map, it is `` ti `` for an entry ti, a substring of the list: true.
* Otherwise, if ``s`` contains a space, the original scan decides (rare: a value with a space
  never passes the rules' own "no space" checks).
* Otherwise ``s`` has no space and is no entry. Were `` s `` in the list, its two spaces would
  be consecutive separators of the list (``s`` has none between them), so ``s`` would be an
  entry (or empty, but two adjacent spaces do not occur). So the scan is false too.

Only ``test`` attributes of ``xsl:if`` and ``xsl:when`` are rewritten, never the text the
report quotes (``svrl:failed-assert/@test`` is literal text), so the SVRL is byte for byte the
same; ``tests/rechnung/test_codelists.py`` compares it on the whole testsuite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation.hardening import hardened_parser

XSL_NS = "http://www.w3.org/1999/XSL/Transform"
MAP_CONTAINS = "Q{http://www.w3.org/2005/xpath-functions/map}contains"
MIN_LIST_LENGTH = 200  #: shorter lists scan fast enough; leave them as they are
VARIABLE_PREFIX = "amtsfluss-codelist-"
KEY = "$amtsfluss-codelist-key"

_CANONICAL = re.compile(r"^ (?:[^ ]+ )+$")
_NAME_CHAR = re.compile(r"[\w.\-:]")
_CALL = re.compile(r"contains\(\s*'")
_CONCAT_OPEN = re.compile(r"\s*,\s*concat\(\s*' '\s*,\s*")
_CONCAT_CLOSE = re.compile(r"\s*,\s*' '\s*\)\s*\)")


@dataclass(frozen=True)
class Optimised:
    text: str  #: the stylesheet, rewritten (or the input unchanged when ``rewrites`` is 0)
    rewrites: int  #: how many tests were rewritten
    lists: int  #: how many distinct code lists became maps


def is_canonical(code_list: str) -> bool:
    return bool(_CANONICAL.match(code_list))


def optimise(stylesheet: bytes, *, base_uri: str) -> Optimised:
    """Rewrite the code-list tests of one compiled Schematron stylesheet (see module doc).

    ``base_uri`` becomes the rewritten stylesheet's ``xml:base``, so that it resolves anything
    relative exactly as the file did.
    """
    root = etree.fromstring(stylesheet, hardened_parser())
    if root.tag != f"{{{XSL_NS}}}transform" and root.tag != f"{{{XSL_NS}}}stylesheet":
        return Optimised(stylesheet.decode("utf-8"), 0, 0)
    taken = {str(name) for name in root.xpath("//@name")}
    maps: dict[str, str] = {}
    rewrites = 0
    for element in root.iter(f"{{{XSL_NS}}}if", f"{{{XSL_NS}}}when"):
        test = element.get("test")
        if test is None or "contains(" not in test:
            continue
        rewritten, count = rewrite_expression(test, maps, taken)
        if count:
            element.set("test", rewritten)
            rewrites += count
    if not rewrites:
        return Optimised(stylesheet.decode("utf-8"), 0, 0)
    for position, (code_list, name) in enumerate(maps.items()):
        variable = etree.Element(f"{{{XSL_NS}}}variable", name=name, select=map_literal(code_list))
        root.insert(position, variable)
    root.set("{http://www.w3.org/XML/1998/namespace}base", base_uri)
    text = etree.tostring(root, encoding="unicode")
    return Optimised(text, rewrites, len(maps))


def map_literal(code_list: str) -> str:
    """An XPath map constructor with the key `` t `` for every entry t of the list."""
    entries = dict.fromkeys(code_list.split(" "))
    entries.pop("", None)
    return "map{" + ", ".join(f"{_literal(f' {entry} ')}: true()" for entry in entries) + "}"


def membership_test(code_list: str, argument: str, variable: str) -> str:
    """The replacement of ``contains('LIST', concat(' ', argument, ' '))``."""
    return (
        f"(let {KEY} := concat(' ', {argument}, ' ') return ({MAP_CONTAINS}(${variable}, {KEY})"
        f" or (contains(substring({KEY}, 2, string-length({KEY}) - 2), ' ')"
        f" and contains({_literal(code_list)}, {KEY}))))"
    )


def rewrite_expression(expression: str, maps: dict[str, str], taken: set[str]) -> tuple[str, int]:
    """Rewrite every code-list test of one XPath expression; return it and the count.

    ``maps`` (code list → variable name) is filled with the lists used; ``taken`` holds the
    names the stylesheet already uses, which a new variable must not shadow.
    """
    out: list[str] = []
    position = 0
    count = 0
    for start in _call_positions(expression):
        if start < position:
            continue
        found = _parse_test(expression, start)
        if found is None:
            continue
        code_list, argument, end = found
        variable = maps.get(code_list)
        if variable is None:
            variable = _free_name(len(maps) + 1, taken)
            maps[code_list] = variable
        out.append(expression[position:start])
        out.append(membership_test(code_list, argument, variable))
        position = end
        count += 1
    out.append(expression[position:])
    return "".join(out), count


def _call_positions(expression: str) -> list[int]:
    """Where ``contains('`` starts outside string literals and not inside a longer name."""
    positions = []
    index = 0
    quote = ""
    while index < len(expression):
        char = expression[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif (
            char == "c"
            and _CALL.match(expression, index)
            and (index == 0 or not _NAME_CHAR.match(expression[index - 1]))
        ):
            positions.append(index)
        index += 1
    return positions


def _parse_test(expression: str, start: int) -> tuple[str, str, int] | None:
    """``(list, argument, end)`` if a code-list test of a canonical long list starts here."""
    call = _CALL.match(expression, start)
    if call is None:
        return None
    literal_end = expression.find("'", call.end())
    if literal_end < 0 or expression.startswith("''", literal_end):
        return None  # no end, or an escaped quote inside: not a plain code list
    code_list = expression[call.end() : literal_end]
    if len(code_list) < MIN_LIST_LENGTH or not is_canonical(code_list):
        return None
    opening = _CONCAT_OPEN.match(expression, literal_end + 1)
    if opening is None:
        return None
    argument_end = _argument_end(expression, opening.end())
    if argument_end is None:
        return None
    closing = _CONCAT_CLOSE.match(expression, argument_end)
    if closing is None:
        return None
    argument = expression[opening.end() : argument_end].strip()
    if not argument:
        return None
    return code_list, argument, closing.end()


def _argument_end(expression: str, start: int) -> int | None:
    """The index of the comma that ends the argument starting at ``start`` (depth 0)."""
    depth = 0
    quote = ""
    for index in range(start, len(expression)):
        char = expression[index]
        if quote:
            if char == quote:
                quote = ""  # a doubled quote reopens at once: same effect
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return None
            depth -= 1
        elif char == "," and depth == 0:
            return index
    return None


def _free_name(number: int, taken: set[str]) -> str:
    name = f"{VARIABLE_PREFIX}{number}"
    while name in taken:
        name += "x"
    taken.add(name)
    return name


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
