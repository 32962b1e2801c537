"""The demo estate's services: what the councils buy, where each runs, on what hours and targets.

Plain data: `collectors.demo.catalogue.document` turns it into the estate file's services and
contracts (and sizes the servers each runs on by its `size`).
"""

from __future__ import annotations

from dataclasses import dataclass

OFFICE_HOURS = "Mon-Fri 08:00-18:00 excluding bank holidays"
EXTENDED_HOURS = "Mon-Fri 07:00-19:00 excluding bank holidays"
CONTACT_HOURS = "Mon-Fri 08:00-20:00; Sat 09:00-13:00 excluding bank holidays"
ALWAYS = "24x7"


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    name: str
    sites: tuple[str, ...]
    mode: str
    criticality: str
    hours: str
    target_percent: float
    size: str  # large, medium, small: how many servers it runs on
    office_load: bool  # busy in office hours (True) or flat (False)
    charge_gbp: int  # monthly charge per council
    rpo_hours: float | None = 24.0
    maintenance: tuple[str, ...] = ()
    councils: tuple[str, ...] | None = None  # None: every council
    response_target_seconds: float | None = 2.0
    recovery_site: str | None = None  # a single-site service's DR plan: where it is recovered


BOTH = ("dc1", "dc2")

# The shared services every (or nearly every) council buys.
SHARED_SERVICES = (
    ServiceSpec(
        "council-tax",
        "Council Tax",
        BOTH,
        "active-active",
        "critical",
        OFFICE_HOURS,
        99.5,
        "large",
        True,
        4200,
    ),
    ServiceSpec(
        "business-rates",
        "Business Rates (NNDR)",
        BOTH,
        "active-active",
        "high",
        OFFICE_HOURS,
        99.5,
        "large",
        True,
        2600,
    ),
    ServiceSpec(
        "benefits",
        "Housing Benefit and Council Tax Support",
        BOTH,
        "active-passive",
        "critical",
        OFFICE_HOURS,
        99.5,
        "large",
        True,
        3900,
    ),
    ServiceSpec(
        "revenues-portal",
        "Revenues and Benefits Online Portal",
        BOTH,
        "active-active",
        "high",
        ALWAYS,
        99.0,
        "medium",
        True,
        1200,
        rpo_hours=24.0,
    ),
    ServiceSpec(
        "email",
        "Email and Calendar",
        BOTH,
        "active-active",
        "critical",
        ALWAYS,
        99.9,
        "large",
        True,
        2100,
        maintenance=("first Sunday of the month 02:00-06:00",),
    ),
    ServiceSpec(
        "directory",
        "Directory and Sign-in",
        BOTH,
        "active-active",
        "critical",
        ALWAYS,
        99.95,
        "medium",
        False,
        900,
        rpo_hours=4.0,
    ),
    ServiceSpec(
        "finance",
        "Financial Management System",
        BOTH,
        "active-passive",
        "high",
        EXTENDED_HOURS,
        99.5,
        "large",
        True,
        3100,
        rpo_hours=4.0,
    ),
    ServiceSpec(
        "payroll", "Payroll and HR", BOTH, "active-passive", "high", OFFICE_HOURS, 99.5, "medium", True, 1800
    ),
    ServiceSpec(
        "document-storage",
        "Document and Records Management",
        BOTH,
        "active-active",
        "medium",
        EXTENDED_HOURS,
        99.0,
        "large",
        True,
        1500,
        maintenance=("every Saturday 22:00-02:00",),
    ),
    ServiceSpec(
        "planning",
        "Planning and Building Control",
        BOTH,
        "active-passive",
        "medium",
        OFFICE_HOURS,
        99.0,
        "medium",
        True,
        1300,
    ),
    ServiceSpec(
        "contact-centre",
        "Contact Centre Telephony",
        BOTH,
        "active-active",
        "high",
        CONTACT_HOURS,
        99.5,
        "medium",
        True,
        1700,
        rpo_hours=None,
    ),
    ServiceSpec(
        "website",
        "Council Websites",
        BOTH,
        "active-active",
        "high",
        ALWAYS,
        99.5,
        "medium",
        True,
        800,
        rpo_hours=24.0,
    ),
    ServiceSpec(
        "licensing", "Licensing", ("dc2",), "single-site", "low", OFFICE_HOURS, 98.5, "small", True, 500
    ),
    ServiceSpec(
        "gis", "Mapping (GIS)", ("dc1",), "single-site", "low", OFFICE_HOURS, 98.5, "small", True, 450
    ),
    ServiceSpec(
        "waste",
        "Waste and Recycling Rounds",
        BOTH,
        "active-passive",
        "medium",
        "Mon-Fri 06:00-18:00; Sat 07:00-13:00",
        99.0,
        "small",
        True,
        600,
    ),
    ServiceSpec(
        "electoral",
        "Electoral Registration",
        ("dc2",),
        "single-site",
        "medium",
        OFFICE_HOURS,
        99.0,
        "small",
        True,
        550,
        recovery_site="dc1",  # electoral registration cannot wait for its site to come back
    ),
    ServiceSpec(
        "land-charges",
        "Local Land Charges",
        ("dc1",),
        "single-site",
        "low",
        OFFICE_HOURS,
        98.5,
        "small",
        True,
        350,
        councils=("blackpool", "fylde", "wyre", "ribble-valley"),
    ),
    ServiceSpec(
        "housing-repairs",
        "Housing Repairs",
        BOTH,
        "active-passive",
        "medium",
        EXTENDED_HOURS,
        99.0,
        "medium",
        True,
        1100,
        councils=("blackpool", "rochdale", "lancaster", "chorley"),
    ),
)

# Services one council has to itself (the rest of the default estate).
DEDICATED_SERVICES = (
    ServiceSpec(
        "blackpool-parking",
        "Blackpool Parking Permits",
        ("dc2",),
        "single-site",
        "low",
        OFFICE_HOURS,
        98.0,
        "small",
        True,
        400,
        councils=("blackpool",),
    ),
    ServiceSpec(
        "fylde-intranet",
        "Fylde Intranet",
        BOTH,
        "active-passive",
        "low",
        OFFICE_HOURS,
        98.5,
        "small",
        True,
        300,
        councils=("fylde",),
    ),
    ServiceSpec(
        "rochdale-social-care",
        "Rochdale Social Care Case Management",
        BOTH,
        "active-active",
        "critical",
        ALWAYS,
        99.9,
        "large",
        True,
        5200,
        rpo_hours=4.0,
        councils=("rochdale",),
    ),
    ServiceSpec(
        "wyre-cemeteries",
        "Wyre Bereavement Services",
        ("dc1",),
        "single-site",
        "low",
        OFFICE_HOURS,
        98.0,
        "small",
        False,
        250,
        councils=("wyre",),
    ),
    ServiceSpec(
        "lancaster-museums",
        "Lancaster Museums Ticketing",
        ("dc1",),
        "single-site",
        "low",
        ALWAYS,
        98.0,
        "small",
        False,
        220,
        councils=("lancaster",),
    ),
)

# For the reference estate: every council gets these as dedicated two-site services.
REFERENCE_FUNCTIONS = (
    "parking",
    "cemeteries",
    "building-control",
    "environmental-health",
    "housing-register",
    "leisure-booking",
    "land-charges-local",
    "pest-control",
    "street-lighting",
    "grants",
    "complaints",
    "foi-requests",
    "trade-waste",
    "garden-waste",
    "markets",
    "allotments",
    "car-parks",
    "cctv",
    "community-safety",
    "council-meetings",
    "procurement",
    "fleet",
    "asset-register",
    "estates",
    "licensing-local",
    "noise-nuisance",
    "dog-warden",
    "food-safety",
    "air-quality",
    "empty-homes",
    "homelessness",
    "disabled-facilities-grants",
)

# Which service each council of the default estate does NOT buy.
NOT_BOUGHT = {
    "ribble-valley": {"contact-centre", "housing-repairs", "planning", "waste"},
    "lancaster": {"payroll", "document-storage", "waste"},
    "chorley": {"revenues-portal", "contact-centre", "gis", "electoral", "waste"},
    "wyre": {"electoral"},
}

# The reference estate: a council's own services (one per council and function above) are all
# like this one, added until the estate has this many services.
REFERENCE_SERVICE = ServiceSpec("", "", BOTH, "active-passive", "low", OFFICE_HOURS, 98.5, "small", True, 200)
REFERENCE_SERVICES = 400

ENDPOINT_PROBE_INTERVAL_SECONDS = 60
DATASET_SIZES_GIB = (50, 120, 400, 900)  # each service's database is drawn from these
