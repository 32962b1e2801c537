"""A council's logo, given in the estate file as SVG text (`logo_svg`), checked on load so that a
report can draw it inline: the estate's SHA-256 covers it (an issued report is reproducible from
the estate snapshot), and it can reach nothing outside itself.

Refused: more than MAX_LOGO_BYTES; not one `<svg>` element; a DOCTYPE or entity (expansion
attacks); scripts, event handlers and `foreignObject` (which WeasyPrint does not draw); any link
or `url(...)` to anything but the logo's own elements or an embedded `data:image/...`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

MAX_LOGO_BYTES = 64 * 1024
_REFUSED_ELEMENTS = {"script", "foreignObject", "iframe", "object", "embed"}
_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)


class LogoError(ValueError):
    """What is wrong with a logo, in one line."""


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _inside(reference: str) -> bool:
    reference = reference.strip()
    return reference.startswith("#") or reference.lower().startswith("data:image/")


def check_logo_svg(text: str) -> str:
    """The logo as given, or LogoError saying what is wrong."""
    if len(text.encode("utf-8")) > MAX_LOGO_BYTES:
        raise LogoError(f"is more than {MAX_LOGO_BYTES // 1024} KiB of SVG")
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise LogoError("has a DOCTYPE or an entity, which a logo does not need")
    try:
        root = ElementTree.fromstring(text.strip())
    except ElementTree.ParseError as error:
        raise LogoError(f"is not well-formed SVG ({error})") from None
    if _local(root.tag) != "svg":
        raise LogoError(f"must be one <svg> element, not <{_local(root.tag)}>")
    for element in root.iter():
        tag = _local(element.tag)
        if tag in _REFUSED_ELEMENTS:
            raise LogoError(f"has a <{tag}> element, which a logo may not have")
        for name, value in element.attrib.items():
            attribute = _local(name)
            if attribute.lower().startswith("on"):
                raise LogoError(f"has an event handler ({attribute}), which a logo may not have")
            if attribute == "href" and not _inside(value):
                raise LogoError(
                    f"links to {value[:60]!r}: a logo may link only inside itself or to data:image/"
                )
            for found in _URL.findall(value):
                if not _inside(found):
                    raise LogoError(f"refers to url({found[:60]}): a logo may refer only inside itself")
        for found in _URL.findall(element.text or ""):
            if not _inside(found):
                raise LogoError(f"refers to url({found[:60]}): a logo may refer only inside itself")
    return text
