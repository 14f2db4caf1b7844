"""Parsing XML that strangers send: no DTD, no entities, no network, no huge trees.

Uploaded XLIFF and imported WordPress exports never need a document type declaration,
so one is refused before the parser sees the file: external entities (XXE, reading
/etc/passwd or a URL) and entity-expansion bombs ("billion laughs") are then never
declared, let alone resolved. The parser is also told not to resolve entities, not to
load DTDs or touch the network, and to keep its built-in limits on tree size.
"""

import re

from lxml import etree

# A declaration in UTF-8, ASCII or Latin-1; other encodings are caught after parsing.
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# Where the root element starts: a declaration can only come before it (the same words
# later on are text, such as a WordPress post quoting an HTML page in its CDATA).
_ROOT = re.compile(rb"<[A-Za-z_]")


class XmlRefused(ValueError):
    """The file is not XML the portal reads; `line` says where, when known."""

    def __init__(self, problem: str, line: int | None = None):
        super().__init__(problem)
        self.problem = problem
        self.line = line


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False, remove_pis=True,
                           remove_comments=True, strip_cdata=True)


def parse_xml(data: bytes) -> etree._Element:
    """The root element of `data`, or XmlRefused naming the line and the problem."""
    root_start = _ROOT.search(data)
    declared = _DECLARATION.search(data, 0, root_start.start() if root_start else len(data))
    if declared:
        raise XmlRefused("a document type declaration (DTD or entity) is not accepted",
                         data[:declared.start()].count(b"\n") + 1)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise XmlRefused(error.msg or "not well-formed XML", error.lineno) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlRefused("a document type declaration (DTD or entity) is not accepted", 1)
    for element in root.iter():
        if not isinstance(element.tag, str):  # an entity reference left unresolved
            raise XmlRefused("entities are not accepted", element.sourceline)
    return root
