"""The demo estate's money: a five-year consolidation programme like Liverpool's.

Plain data: `collectors.demo.catalogue.document` writes it as the estate file's `[money]`, with
each financial year counted from the programme's first (year 1). The programme began three years
before the financial year the warehouse's history starts in, so years 1-3 (and year 4, which the
history begins inside) are the savings register's signed outturn, and year 5 is measured.

The story: seven council server rooms consolidated into two data centres. Investment up front
(years 1 and 2); net savings growing to £1.15m a year; £2.5m net over the five years. Year 5's
saving is a third of the £3.64m IT baseline, every pound of it a named server, array, licence,
contract, post or room.
"""

CURRENCY = "GBP"
SHARED_COST_SPLIT = "measured-use"

# The programme began this many years before the history's first financial year.
PROGRAMME_YEARS_BEFORE_HISTORY = 3

STORAGE_GBP_PER_TIB_YEAR = 1100.0  # the consolidated arrays, support included
POWER_GBP_PER_KWH = 0.28
PHYSICAL_SERVER_WATTS = 600.0  # with cooling

BASELINE_DESCRIPTION = "Before consolidation: each of the seven councils ran its own server room."
COUNCIL_ROOMS = ("blackpool", "fylde", "wyre", "rochdale", "lancaster", "ribble-valley", "chorley")

# The baseline's servers switched off before the history: so many a room, at these annual costs
# (drawn in turn), switched off evenly from year 1 to a month before the history.
SERVERS_A_ROOM = 19
SERVER_ANNUAL_COSTS_GBP = (5200.0, 6400.0, 7300.0, 8100.0, 9400.0)

# A storage array a room: (TB, annual cost); retired in this order, one every half year from year
# 1, the last during the history (months before now).
ARRAY_TB = (40, 48, 32, 64, 40, 56, 72)
ARRAY_ANNUAL_GBP = 60_000.0
LAST_ARRAY_RETIRED_MONTHS_BEFORE_NOW = 5

# Recorded categories: (category, name, baseline a year, cashable, actual a year since the
# history began, the source of the actual).
RECORDED = (
    (
        "licences",
        "Software licences",
        900_000.0,
        True,
        830_000.0,
        "Finance ledger: software licences, cost centre IT-400",
    ),
    (
        "support",
        "Hardware support contracts",
        300_000.0,
        True,
        240_000.0,
        "Contracts register: hardware maintenance",
    ),
    (
        "staff",
        "Server-room staff time",
        600_000.0,
        False,
        540_000.0,
        "HR establishment report, ICT infrastructure",
    ),
    (
        "accommodation",
        "Server-room accommodation",
        200_000.0,
        False,
        170_000.0,
        "Estates: rooms charged to ICT",
    ),
)

# The recorded changes behind those savings: (category, kind, description, annual GBP, year of the
# programme it took effect in, month of that year (1 = April), source).
RECORDED_EVIDENCE = (
    (
        "licences",
        "licence-dropped",
        "Seven councils' email server licences replaced by one",
        45_000.0,
        2,
        7,
        "Licence register L-117",
    ),
    (
        "licences",
        "licence-dropped",
        "Room-by-room backup software licences",
        25_000.0,
        3,
        4,
        "Licence register L-131",
    ),
    (
        "support",
        "contract-ended",
        "Hardware maintenance for five server rooms",
        60_000.0,
        3,
        10,
        "Contracts register C-2207",
    ),
    (
        "staff",
        "post-removed",
        "Server-room technician post (redeployed to the service desk)",
        30_000.0,
        3,
        1,
        "HR change form 2024-088",
    ),
    (
        "staff",
        "post-removed",
        "Server-room technician post (not refilled)",
        30_000.0,
        4,
        1,
        "HR change form 2025-014",
    ),
    (
        "accommodation",
        "accommodation-released",
        "Three server rooms returned to office space",
        30_000.0,
        4,
        6,
        "Estates memo EM-61",
    ),
)

# The savings register: each year's outturn by category as reported and signed (years 1-4).
REGISTER_SIGNED_BY = "Chief Finance Officer (s151)"
REGISTER_SOURCE = "Annual efficiency return {year}, section 2"
# category -> gross saving in years 1, 2, 3, 4 (cashable as the category is)
REGISTER = {
    "servers": (150_000, 250_000, 330_000, 430_000),
    "storage": (60_000, 110_000, 160_000, 230_000),
    "power": (40_000, 70_000, 95_000, 125_000),
    "licences": (20_000, 30_000, 40_000, 55_000),
    "support": (20_000, 30_000, 35_000, 45_000),
    "staff": (10_000, 20_000, 20_000, 30_000),
    "accommodation": (10_000, 10_000, 10_000, 15_000),
}
NON_CASHABLE = ("staff", "accommodation")

# The net saving planned in each year of the programme (negative while investing): £2.5m in all.
SAVINGS_TARGETS_GBP = (-350_000, 150_000, 650_000, 900_000, 1_150_000)

# (years after the programme's first, amount GBP, description): up front.
INVESTMENTS = (
    (0, 650_000.0, "Second data centre fit-out"),
    (1, 350_000.0, "Hyperconverged hosts and consolidated storage"),
)
