"""The demo estate's money: the cost model, the pre-consolidation baseline, targets and investment.

Plain data: `collectors.demo.catalogue.document` writes it as the estate file's `[money]`, with
each financial year counted from the programme's first and the baseline's servers taken from the
timeline (the ones switched off during the history).
"""

CURRENCY = "GBP"
SHARED_COST_SPLIT = "measured-use"

# The programme began this many years before the history's first financial year.
PROGRAMME_YEARS_BEFORE_HISTORY = 3

STORAGE_GBP_PER_TIB_YEAR = 180.0
POWER_GBP_PER_KWH = 0.28
PHYSICAL_SERVER_WATTS = 450.0
# (name, annual GBP, cashable)
LICENCES = (
    ("Hypervisor licences", 64_000.0, True),
    ("Revenues and Benefits software", 210_000.0, True),
    ("Email licences", 88_000.0, True),
)

# The baseline is the financial year before the programme's first.
BASELINE_DESCRIPTION = "Before consolidation: each council ran its own server rooms."
# (name, category, annual GBP, cashable)
BASELINE_ITEMS = (
    ("Servers across seven server rooms", "servers", 1_450_000.0, True),
    ("Storage arrays", "storage", 420_000.0, True),
    ("Software licences", "licences", 690_000.0, True),
    ("Power and cooling", "power", 310_000.0, True),
    ("Server-room staff time", "staff", 380_000.0, False),
    ("Server-room accommodation", "facilities", 150_000.0, False),
)

# One a financial year from the programme's first: GBP 2.5m over five years.
SAVINGS_TARGETS_GBP = (300_000, 400_000, 500_000, 600_000, 700_000)

# (years after the programme's first, amount GBP, description)
INVESTMENTS = (
    (0, 650_000.0, "Second data centre fit-out"),
    (1, 280_000.0, "Hyperconverged hosts"),
    (3, 120_000.0, "Backup appliance refresh"),
)
