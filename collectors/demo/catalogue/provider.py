"""The demo estate's provider: the estate as a whole, its two data centres, the councils it serves.

Plain data: `collectors.demo.catalogue.document` turns it into the estate file's sections.
"""

ESTATE = {
    "name": "Blackpool Shared Services (demo estate)",
    "provider_council": "blackpool",
    "time_zone": "Europe/London",
    "bank_holidays": "england-and-wales",
}

SITES = (
    ("dc1", "Blackpool DC1 (Bickerstaffe House)", "http://prometheus.dc1.blackpool.example:9090"),
    ("dc2", "Blackpool DC2 (Layton Depot)", "http://prometheus.dc2.blackpool.example:9090"),
)


SITE_TIMEOUT_SECONDS = 30.0
# What a site's Prometheus asks of the collector beyond its address.
SITE_ACCESS = {
    "dc2": {
        "auth": {"type": "bearer", "token_env": "COUNCILOPS_DC2_TOKEN"},
        "tls": {"ca_file": "/etc/councilops/dc2-ca.pem"},
    },
}

COUNCILS = (
    ("blackpool", "Blackpool Council"),
    ("fylde", "Fylde Council"),
    ("wyre", "Wyre Council"),
    ("rochdale", "Rochdale Borough Council"),
    ("lancaster", "Lancaster City Council"),
    ("ribble-valley", "Ribble Valley Borough Council"),
    ("chorley", "Chorley Council"),
    # the reference estate adds these
    ("preston", "Preston City Council"),
    ("south-ribble", "South Ribble Borough Council"),
    ("west-lancashire", "West Lancashire Borough Council"),
    ("hyndburn", "Hyndburn Borough Council"),
    ("rossendale", "Rossendale Borough Council"),
)

# The default estate has the first seven; the reference estate all twelve.
DEFAULT_COUNCILS = 7
REFERENCE_COUNCILS = 12
