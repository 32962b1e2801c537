"""A council's logo is SVG text in the estate file, checked on load: a report draws it inline,
so it may reach nothing outside itself (estate/logo.py)."""

from __future__ import annotations

import pytest

from estate.load import check_estate_text
from estate.logo import MAX_LOGO_BYTES, LogoError, check_logo_svg

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><defs><linearGradient id="g">'
    '<stop offset="0" stop-color="#0072B2"/></linearGradient></defs><rect width="120" height="40" '
    'fill="url(#g)"/><text x="8" y="26" font-size="16">FYLDE</text></svg>'
)


def test_a_logo_that_keeps_to_itself_is_taken_as_written():
    assert check_logo_svg(LOGO) == LOGO
    embedded = LOGO.replace(
        "</svg>", '<image href="data:image/png;base64,iVBORw0KGgo=" width="4" height="4"/></svg>'
    )
    assert check_logo_svg(embedded) == embedded


@pytest.mark.parametrize(
    ("logo", "says"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script> element"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><rect onload="x()"/></svg>', "event handler (onload)"),
        ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', "<foreignObject> element"),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            '<image x:href="file:///etc/passwd"/></svg>',
            "links to 'file:///etc/passwd'",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/p.png"/></svg>',
            "links to",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(file:///etc/passwd)"/></svg>',
            "refers to url(",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: url("http://x.example/a") }</style></svg>',
            "refers to url(",
        ),
        ('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "DOCTYPE or an entity"),
        ("<svg><rect></svg>", "not well-formed"),
        ('<html xmlns="http://www.w3.org/1999/xhtml"/>', "must be one <svg> element, not <html>"),
        ("<svg>" + " " * MAX_LOGO_BYTES + "</svg>", "more than 64 KiB"),
    ],
)
def test_a_logo_that_reaches_outside_itself_or_runs_anything_is_refused(logo, says):
    with pytest.raises(LogoError, match=None) as refused:
        check_logo_svg(logo)
    assert says in str(refused.value)


def test_a_refused_logo_is_named_by_its_file_line_and_key(small_estate_text):
    text = small_estate_text.replace(
        'name = "Fylde Council"\n',
        "name = \"Fylde Council\"\nlogo_svg = '''<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>'''\n",
        1,
    )
    assert text != small_estate_text
    estate, problems = check_estate_text(text, "estate.toml")
    assert estate is None
    (problem,) = problems
    line = (
        text.splitlines().index("logo_svg = '''<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>'''")
        + 1
    )
    assert (problem.file, problem.line, problem.key) == ("estate.toml", line, "councils[1].logo_svg")
    assert "the logo has a <script> element, which a logo may not have" in problem.message
    good = small_estate_text.replace(
        'name = "Fylde Council"\n', f"name = \"Fylde Council\"\nlogo_svg = '''{LOGO}'''\n", 1
    )
    estate, problems = check_estate_text(good, "estate.toml")
    assert problems == [] and estate.council("fylde").logo_svg == LOGO
