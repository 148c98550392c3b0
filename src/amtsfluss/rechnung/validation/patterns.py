"""A SchXslt-compiled Schematron stylesheet cut into one stylesheet per pattern, and the SVRL of
those parts joined back into the SVRL of the whole.

Why the parts give exactly the whole (SchXslt 1.x, as in the KoSIT configurations):

* The root template calls one named template that writes, for each pattern in schema order, a
  ``schxslt:pattern`` element (its ``svrl:active-pattern``), and then walks the document once in
  one mode. Each rule is a template of that mode; it fires for a node only when its pattern has
  not fired for that node yet (``$schxslt:patterns-matched``) and passes on with
  ``next-match``. A rule's output is a ``schxslt:rule`` element naming its pattern.
* The root template then writes, for each pattern in schema order, its ``active-pattern``
  followed by the output of that pattern's rules in document order.

Removing every rule template of the other patterns removes links of the ``next-match`` chain
that only concern those patterns; what the kept pattern's rules see and write is unchanged. The
walk, the named template and the global variables (``sch:let`` of the schema) stay. So the part
of pattern *k* writes the same ``active-pattern`` elements of all patterns, and after the *k*-th
one exactly the elements the whole writes there. :func:`join` takes each pattern's section from
its part. ``tests/rechnung/test_patterns.py`` compares joined and whole SVRL on the testsuite
and on rejected invoices.

A stylesheet that does not have this shape (no ``schxslt:pattern`` list, a rule template
without its pattern, an unknown pattern) is not cut: :func:`cut` answers ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]

from amtsfluss.rechnung.validation.hardening import hardened_parser

XSL_NS = "http://www.w3.org/1999/XSL/Transform"
SCHXSLT_NS = "https://doi.org/10.5281/zenodo.1495494"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
ACTIVE_PATTERN = f"{{{SVRL_NS}}}active-pattern"


@dataclass(frozen=True)
class Part:
    pattern: str  #: SchXslt's id of the pattern (``d17e41``)
    index: int  #: its place in schema order (patterns without rules have no part)
    text: str  #: the stylesheet with only this pattern's rule templates


def cut(stylesheet: str) -> list[Part] | None:
    """One stylesheet per pattern with rules, in schema order; ``None`` when the stylesheet is
    not of the shape described above (or has a single such pattern: nothing to cut)."""
    patterns = _pattern_order(_parse(stylesheet))
    owners = _rule_owners(_parse(stylesheet))
    if owners is None or not {owner for _, owner in owners} <= set(patterns):
        return None
    with_rules = [pattern for pattern in patterns if any(o == pattern for _, o in owners)]
    if len(with_rules) < 2:
        return None
    parts = []
    for pattern in with_rules:
        root = _parse(stylesheet)
        for template, owner in _rule_owners(root) or ():
            if owner != pattern:
                root.remove(template)
        text = etree.tostring(root, encoding="unicode")
        parts.append(Part(pattern, patterns.index(pattern), text))
    return parts


def _parse(stylesheet: str) -> etree._Element:
    return etree.fromstring(stylesheet.encode("utf-8"), hardened_parser())


def _pattern_order(root: etree._Element) -> list[str]:
    """The patterns of the named template that writes them, in the order it writes them."""
    found: list[str] = []
    for template in root.iterchildren(f"{{{XSL_NS}}}template"):
        if template.get("name") is None:
            continue
        for pattern in template.iter(f"{{{SCHXSLT_NS}}}pattern"):
            if pattern.get("id"):
                found.append(pattern.get("id"))
    return found if len(found) == len(set(found)) else []


def _rule_owners(root: etree._Element) -> list[tuple[etree._Element, str]] | None:
    """Each rule template (a top-level match template writing ``schxslt:rule``) with its
    pattern; ``None`` when a template writes rules of several patterns or of none named."""
    owners = []
    for template in root.iterchildren(f"{{{XSL_NS}}}template"):
        patterns = {rule.get("pattern") for rule in template.iter(f"{{{SCHXSLT_NS}}}rule")}
        if not patterns:
            continue
        if len(patterns) != 1 or None in patterns or template.get("match") is None:
            return None
        owners.append((template, str(patterns.pop())))
    return owners


def join(outputs: Sequence[tuple[int, etree._Element]]) -> etree._Element:
    """The SVRL of the whole stylesheet from the SVRL of its parts, given as (the part's
    ``index``, its SVRL) in any order: each pattern's section comes from its own part; the
    first part's SVRL is the frame (and the answer)."""
    (_, whole), *others = outputs
    frame = _sections(whole)
    for index, svrl in others:
        sections = _sections(svrl)
        if len(sections) != len(frame):
            raise ValueError("the parts' SVRL do not list the same patterns")
        for element in frame[index][1:]:
            whole.remove(element)
        anchor = frame[index][0]
        for element in reversed(sections[index][1:]):
            anchor.addnext(element)
    return whole


def _sections(svrl: etree._Element) -> list[list[etree._Element]]:
    """The children from each ``active-pattern`` up to the next one."""
    sections: list[list[etree._Element]] = []
    for child in svrl:
        if child.tag == ACTIVE_PATTERN:
            sections.append([child])
        elif sections:
            sections[-1].append(child)
    return sections
