"""The demo estate's contract terms and disaster-recovery tests: what each council is promised.

Plain data: `collectors.demo.catalogue.document` writes one contract per council and service it
buys from the service's hours and target (collectors.demo.catalogue.services) and these terms.
"""

# Client councils pay this share of a service's charge; the provider's own council pays it all.
PROVIDER_COUNCIL = "blackpool"
CLIENT_CHARGE_SHARE = 0.85

CRITICAL_RTO_HOURS = 4.0  # a critical service's recovery time objective; any other's:
OTHER_RTO_HOURS = 8.0

# Service-credit tiers: (percentage points below the target, credit percent).
CREDIT_TIERS = ((0.0, 5.0), (0.5, 10.0), (2.0, 25.0))

# How unmonitored time counts: excluded, unless a council's contract says otherwise. Rochdale's
# counts it against the provider; Lancaster's for it.
UNMONITORED_POLICY = "exclude"
COUNCIL_UNMONITORED_POLICY = {"rochdale": "down", "lancaster": "up"}

# The council that joined the shared service part-way through the history (from the month
# `Anchors.chorley_join_offset`); earlier months have no contracts of its.
LATE_JOINER = "chorley"

# The planted contract version change: from the month `Anchors.contract_change_offset` on, a
# tighter target at a higher charge.
TARGET_CHANGE = ("fylde", "council-tax")  # council, service
CHANGED_TARGET_PERCENT = 99.7
CHANGED_CHARGE_FACTOR = 1.05
CHANGED_CREDIT_TIERS = ((99.7, 5.0), (99.2, 10.0), (97.7, 25.0))  # (below percent, credit percent)

# The contract that also has the one-off maintenance window (`Anchors.one_off_maintenance_text`).
ONE_OFF_MAINTENANCE = ("blackpool", "council-tax")  # council, service

# The disaster-recovery test register: (months from now, day of that month, service, recovered at
# site, measured recovery minutes, passed, notes).
DR_TESTS = (
    (
        -7,
        12,
        "finance",
        "dc2",
        95.0,
        True,
        "Annual failover test: finance database restored at DC2 from the replica.",
    ),
    (-4, 9, "benefits", "dc2", 310.0, False, "Failover exceeded the 4-hour RTO: DNS change was manual."),
    (-2, 14, "email", "dc1", 22.0, True, "Mailbox database failover test."),
)
