"""The demo estate's configuration: Blackpool's shared service hosting its neighbours from two sites.

`build_estate_document(scale, seed, anchors)` returns the TOML document (plain dicts) that
`councilops demo` writes to estate.toml. Everything is derived from the seed and the month
anchors, so the same inputs always give the same file (the shipped example in examples/ is this
file for a fixed date; a test keeps them equal).

The data stands apart from the builders: `provider` (the estate, its sites and councils),
`services` (what the councils buy), `servers` (what runs where), `contracts` (the terms and the
disaster-recovery tests) and `money` (costs, baseline, targets, investment) are plain tables;
`scale` picks the councils, services and servers of the default or the reference estate, and
`document` turns them into the file's sections.
"""

from collectors.demo.catalogue.document import build_estate_document

__all__ = ["build_estate_document"]
