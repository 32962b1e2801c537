"""The estate: sites, councils, services, servers, contracts and money, as typed immutable values.

This is the shape of the TOML configuration file (docs/configuration.md documents every key;
tests/estate/test_docs_in_step.py keeps the two in step). Structural rules live here as field
types and validators; rules that relate one part of the file to another (references, duplicate
ids, overlapping contract versions) live in estate.references so they can report on
a file that is structurally broken elsewhere.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from estate.hours import ServiceHours, ServiceHoursError, parse_service_hours
from estate.logo import LogoError, check_logo_svg
from estate.secrets import redacted, url_secret
from estate.windows import (
    MaintenanceWindow,
    MaintenanceWindowError,
    OneOffWindow,
    RecurringWindow,
    parse_maintenance_window,
)

# --- limits ----------------------------------------------------------------------------------
# Every figure has a ceiling far above any real estate, so that a slip of the keyboard (1e308)
# is a located problem from `check` instead of a crash in a report. docs/configuration.md lists
# them.

YEARS = range(1970, 2101)  # every month, date and financial year lies in these (as the options do)
MAX_MONEY_GBP = Decimal("1000000000")  # £1,000,000,000: the most any one amount may be
MAX_MEMORY_GIB = 1_048_576  # 1 PiB of memory in one server or host
MAX_STORAGE_GIB = 1_073_741_824  # 1 EiB of storage in one server or dataset
MAX_HOURS = 8_784  # a leap year: the longest RPO, RTO or backup age
MAX_RECOVERY_MINUTES = MAX_HOURS * 60  # the longest recovery a DR test may record
MAX_RESPONSE_SECONDS = 3_600  # the longest response-time target
MAX_WATTS = 100_000  # the most a physical server may draw
MAX_NETWORK_MBPS = 1_000_000  # 1 Tbit/s: the highest network threshold
MAX_TEXT_CHARACTERS = 1_000  # the longest service hours or maintenance window text


def shown(value: object) -> str:
    """A value as the estate file writes it, for messages: never a Python repr of an internal
    type (a date is 2026-03-15, not datetime.date(2026, 3, 15)), and never very long."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else f"{value[:50]!r}... ({len(value):,} characters)"
    if isinstance(value, int):
        digits = str(value) if abs(value) < 10**60 else None
        return digits if digits is not None else f"a number of {len(str(abs(value))):,} digits"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, Decimal):
        text = str(value)
        return text if len(text) <= 60 else f"a number of {len(text):,} digits"
    if isinstance(value, (date, time)):  # a datetime is a date
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "a value of another kind"


def _not_a_bool(kind: str) -> BeforeValidator:
    """Pydantic reads true as 1; in the estate file a bool where a number belongs is a mistake."""

    def refuse(value: object) -> object:
        if isinstance(value, bool):
            raise PydanticCustomError(kind, "a number, not a bool")
        return value

    return BeforeValidator(refuse)


Whole, Real, Exact = _not_a_bool("int_type"), _not_a_bool("float_type"), _not_a_bool("decimal_type")

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
# The descriptions name what a value is in messages ("should be a list of site ids, not 'dc1'").
Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=64, description="id")]
SiteId = Annotated[Id, Field(description="site id")]
CouncilId = Annotated[Id, Field(description="council id")]
ServiceId = Annotated[Id, Field(description="service id")]
Role = Annotated[str, Field(pattern=ID_PATTERN, description="role")]
Percent = Annotated[Decimal, Field(gt=0, le=100, allow_inf_nan=False), Exact]
PercentOrZero = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False), Exact]
MoneyGbp = Annotated[
    Decimal,
    Field(ge=0, le=MAX_MONEY_GBP, decimal_places=2, allow_inf_nan=False, description="number of pounds"),
    Exact,
]
SignedMoneyGbp = Annotated[
    Decimal,
    Field(
        ge=-MAX_MONEY_GBP,
        le=MAX_MONEY_GBP,
        decimal_places=2,
        allow_inf_nan=False,
        description="number of pounds",
    ),
    Exact,
]
MemoryGib = Annotated[float, Field(gt=0, le=MAX_MEMORY_GIB, allow_inf_nan=False), Real]
StorageGib = Annotated[float, Field(ge=0, le=MAX_STORAGE_GIB, allow_inf_nan=False), Real]
Hours = Annotated[float, Field(gt=0, le=MAX_HOURS, allow_inf_nan=False), Real]
PercentFloat = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False), Real]

BANK_HOLIDAY_CALENDARS = {
    # name in the configuration -> (country, subdivision) in the holidays package
    "england-and-wales": ("GB", "ENG"),
    "scotland": ("GB", "SCT"),
    "northern-ireland": ("GB", "NIR"),
}
BankHolidayCalendar = Literal["england-and-wales", "scotland", "northern-ireland"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


# --- small value types -----------------------------------------------------------------------


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=1) if len(name) < 100 else []
        hint = f"; did you mean {close[0]!r}?" if close else " (use an IANA name such as 'Europe/London')"
        raise ValueError(f"unknown time zone {shown(name)}{hint}") from None
    return name


TimeZoneName = Annotated[str, AfterValidator(_time_zone)]


def _outside_years(value: object) -> str:
    return f"{shown(value)} is outside the years {YEARS[0]}-{YEARS[-1]} councilops works in"


def _year_month(value: object) -> str:
    if isinstance(value, date):  # written without quotes, a TOML date
        raise ValueError(f"{shown(value)} is a date, not a month: write the month in quotes, '{value:%Y-%m}'")
    if not isinstance(value, str):
        raise ValueError(f"should be a month in quotes, such as '2026-04', not {shown(value)}")
    text = value.strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise ValueError(f"{shown(value)} is not a month; write it as YYYY-MM, for example '2026-04'")
    if int(text[:4]) not in YEARS:
        raise ValueError(_outside_years(value))
    return text


YearMonth = Annotated[str, BeforeValidator(_year_month)]


def _financial_year(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"should be a UK financial year in quotes, such as '2025/26', not {shown(value)}")
    text = value.strip()
    match = re.fullmatch(r"(\d{4})/(\d{2})", text)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(
            f"{shown(value)} is not a UK financial year; write it as YYYY/YY, for example '2025/26'"
        )
    if int(match[1]) not in YEARS or int(match[1]) + 1 not in YEARS:  # April to March: both years
        raise ValueError(_outside_years(value))
    return text


FinancialYear = Annotated[str, BeforeValidator(_financial_year)]


def _service_hours(value: object) -> ServiceHours:
    if isinstance(value, ServiceHours):
        return value
    if not isinstance(value, str):
        raise ValueError(
            f"should be service hours in quotes, such as 'Mon-Fri 08:00-18:00', not {shown(value)}"
        )
    if len(value) > MAX_TEXT_CHARACTERS:
        raise ValueError(f"{shown(value)} is too long for service hours")
    try:
        return parse_service_hours(value)  # type: ignore[arg-type]
    except ServiceHoursError as error:
        raise ValueError(str(error)) from None


ServiceHoursField = Annotated[
    ServiceHours, BeforeValidator(_service_hours), PlainSerializer(str, return_type=str)
]


def _maintenance_window(value: object) -> MaintenanceWindow:
    if isinstance(value, (RecurringWindow, OneOffWindow)):
        return value
    if not isinstance(value, str):
        raise ValueError(
            f"should be a maintenance window in quotes, such as 'every Sunday 02:00-04:00', not {shown(value)}"
        )
    if len(value) > MAX_TEXT_CHARACTERS:
        raise ValueError(f"{shown(value)} is too long for a maintenance window")
    for year in re.findall(r"(?<!\d)(\d{4})-\d{2}-\d{2}", value):
        if int(year) not in YEARS:
            raise ValueError(
                f"{shown(value)}: {year} is outside the years {YEARS[0]}-{YEARS[-1]} councilops works in"
            )
    try:
        return parse_maintenance_window(value)
    except (MaintenanceWindowError, OverflowError) as error:
        raise ValueError(str(error)) from None


MaintenanceWindowField = Annotated[
    MaintenanceWindow,
    BeforeValidator(_maintenance_window),
    PlainSerializer(str, return_type=str),
    Field(description="maintenance window"),
]


def _date_input(value: object) -> object:
    if isinstance(value, (bool, int, float, Decimal)):  # pydantic would read 20260315 as seconds from 1970
        raise PydanticCustomError("date_type", "a date, not a number")
    return value


def _date_in_years(value: date) -> date:
    if value.year not in YEARS:
        raise ValueError(_outside_years(value))
    return value


EstateDate = Annotated[
    date,
    BeforeValidator(_date_input),
    AfterValidator(_date_in_years),
    Field(description="date such as 2026-03-15"),
]


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"{redacted(value)!r} is not an http:// or https:// URL")
    secret = url_secret(value)
    if secret:
        raise ValueError(
            f"{redacted(value)!r}: {secret}; secrets never live in the estate file: give the site an auth "
            "table with password_env or password_file (basic) or token_env or token_file (bearer)"
        )
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]


# --- sites -----------------------------------------------------------------------------------


def _one_source(kind: str, env: str | None, file: str | None) -> None:
    """A secret comes from exactly one place: an environment variable or a file (never the
    estate file itself)."""
    if env is not None and file is not None:
        raise ValueError(f"give the {kind} by {kind}_env or by {kind}_file, not both")
    if env is None and file is None:
        raise ValueError(f"the {kind} needs a source: {kind}_env (a variable) or {kind}_file (a file)")


class BasicAuth(_Frozen):
    type: Literal["basic"]
    username: str
    password_env: str | None = None
    password_file: str | None = None

    @model_validator(mode="after")
    def _password_from_one_place(self) -> BasicAuth:
        _one_source("password", self.password_env, self.password_file)
        return self


class BearerAuth(_Frozen):
    type: Literal["bearer"]
    token_env: str | None = None
    token_file: str | None = None

    @model_validator(mode="after")
    def _token_from_one_place(self) -> BearerAuth:
        _one_source("token", self.token_env, self.token_file)
        return self


class Tls(_Frozen):
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    insecure_skip_verify: bool = False
    server_name: str | None = None


class Site(_Frozen):
    id: Id
    name: str
    prometheus_url: HttpUrl
    auth: Annotated[BasicAuth | BearerAuth, Field(discriminator="type")] | None = None
    tls: Tls | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=600, allow_inf_nan=False), Real] = 30.0
    retry_attempts: Annotated[int, Field(ge=1, le=20), Whole] = (
        4  # tries of one request before the site counts as unreachable
    )
    # the longest pause between tries
    retry_max_wait_seconds: Annotated[float, Field(ge=0, le=600, allow_inf_nan=False), Real] = 30.0
    # queries in flight at once: the site works out the next answers while this one is read
    max_concurrent_queries: Annotated[int, Field(ge=1, le=32), Whole] = 4


def _logo(value: str) -> str:
    try:
        return check_logo_svg(value)
    except LogoError as error:
        raise ValueError(f"the logo {error}") from None


LogoSvg = Annotated[str, AfterValidator(_logo)]


class Council(_Frozen):
    id: Id
    name: str
    contact_email: str | None = None
    logo_svg: LogoSvg | None = None  # drawn on the council's reports' covers (the provider's on all)


# --- services --------------------------------------------------------------------------------


class Endpoint(_Frozen):
    site: SiteId
    target: str
    probe_interval_seconds: Annotated[int, Field(gt=0, le=3600), Whole] = 60


class Dataset(_Frozen):
    id: Id
    name: str | None = None
    site: SiteId
    replicated_to: SiteId | None = None
    size_gib: StorageGib | None = None
    # How old the newest backup may get before the backup chain is a finding. Default: the
    # contract's RPO, or 24 hours for a replicated dataset (the replica keeps the RPO, but it
    # copies a deletion or corruption at once, so the backups must still be current).
    backup_max_age_hours: Hours | None = None


class Service(_Frozen):
    id: Id
    name: str
    sites: Annotated[tuple[SiteId, ...], Field(min_length=1, max_length=2)]
    mode: Literal["active-active", "active-passive", "single-site"]
    tenancy: Literal["shared", "dedicated"]
    criticality: Literal["critical", "high", "medium", "low"]
    councils: Annotated[tuple[CouncilId, ...], Field(min_length=1)]
    endpoints: tuple[Endpoint, ...] = ()
    datasets: tuple[Dataset, ...] = ()
    in_service_from: EstateDate | None = None
    recovery_site: SiteId | None = None  # a single-site service's DR plan: where it is recovered


# --- servers ---------------------------------------------------------------------------------


class Server(_Frozen):
    id: Id
    site: SiteId
    role: Role  # "dr-standby" is never called under-used
    kind: Literal["physical", "virtual"] = "virtual"
    services: tuple[ServiceId, ...] = ()
    cores: Annotated[int, Field(gt=0, le=4096), Whole]
    memory_gib: MemoryGib
    storage_gib: StorageGib = 0
    annual_cost_gbp: MoneyGbp


class ServerDiscovery(_Frozen):
    """Servers found from Prometheus labels rather than listed one by one."""

    site: SiteId
    selector: str = "node_uname_info"
    id_label: str = "nodename"
    role_label: str | None = "role"
    services_label: str | None = "service"
    default_role: Role = "application"
    default_annual_cost_gbp: MoneyGbp = Decimal("0")


# --- contracts -------------------------------------------------------------------------------


class CreditTier(_Frozen):
    below_percent: Percent  # availability strictly below this ...
    credit_percent: PercentOrZero  # ... earns this share of the monthly charge


class Contract(_Frozen):
    council: CouncilId
    service: ServiceId
    effective_from: YearMonth
    effective_until: YearMonth | None = None  # last month in force; open-ended when absent
    service_hours: ServiceHoursField
    bank_holidays: BankHolidayCalendar | None = None  # the estate's calendar when absent
    maintenance_windows: tuple[MaintenanceWindowField, ...] = ()
    availability_target_percent: Percent
    unmonitored_policy: Literal["exclude", "up", "down"] = "exclude"
    rpo_hours: Hours | None = None
    rto_hours: Hours | None = None
    response_time_target_seconds: (
        Annotated[float, Field(gt=0, le=MAX_RESPONSE_SECONDS, allow_inf_nan=False), Real] | None
    ) = None
    credit_tiers: tuple[CreditTier, ...] = ()
    monthly_charge_gbp: MoneyGbp | None = None  # required when there are credit tiers (references)


class DrTest(_Frozen):
    date: EstateDate
    service: ServiceId
    recovered_at_site: SiteId
    measured_recovery_minutes: Annotated[
        float, Field(ge=0, le=MAX_RECOVERY_MINUTES, allow_inf_nan=False), Real
    ]
    passed: bool = True
    notes: str = ""


# --- money -----------------------------------------------------------------------------------


# The ledger's categories measured from the warehouse and the inventories; every other category
# is recorded in the configuration (baseline items, actuals per financial year, evidence).
MEASURED_CATEGORIES = ("servers", "storage", "power")
Category = Annotated[Id, Field(description="cost category such as licences")]


class CostModel(_Frozen):
    storage_gbp_per_tib_year: MoneyGbp = Decimal("0")
    power_gbp_per_kwh: MoneyGbp = Decimal("0")
    # includes cooling: the draw the site pays for, per physical server
    physical_server_watts: Annotated[float, Field(ge=0, le=MAX_WATTS, allow_inf_nan=False), Real] = 0


class BaselineItem(_Frozen):
    """A recorded category's baseline cost (servers, storage and power come from the inventories)."""

    name: str
    category: Category
    annual_gbp: MoneyGbp
    cashable: bool = True
    source: str = ""


class BaselineServer(_Frozen):
    id: Id
    site: SiteId | None = None
    kind: Literal["physical", "virtual"] = "physical"
    annual_cost_gbp: MoneyGbp
    # recorded, for a server switched off before the warehouse's history (the warehouse dates
    # the ones it saw stop)
    switched_off_on: EstateDate | None = None


class StorageArray(_Frozen):
    id: Id
    site: str = ""  # where it stood (a council's server room need not be a site)
    tib: Annotated[float, Field(gt=0, le=MAX_STORAGE_GIB / 1024, allow_inf_nan=False), Real]
    annual_cost_gbp: MoneyGbp
    retired_on: EstateDate | None = None  # recorded: the warehouse keeps no array inventory
    source: str = ""


class Baseline(_Frozen):
    financial_year: FinancialYear
    description: str = ""
    items: tuple[BaselineItem, ...] = ()
    servers: tuple[BaselineServer, ...] = ()
    storage_arrays: tuple[StorageArray, ...] = ()


class RecordedActual(_Frozen):
    """A recorded category's actual cost in a financial year, where nothing measures it."""

    financial_year: FinancialYear
    category: Category
    annual_gbp: MoneyGbp
    source: str = Field(min_length=1)


class RecordedEvidence(_Frozen):
    """A recorded change behind a saving: a licence dropped, a post removed, a contract ended."""

    category: Category
    kind: Literal["licence-dropped", "post-removed", "contract-ended", "accommodation-released", "other"]
    description: str = Field(min_length=1)
    annual_gbp: MoneyGbp  # what it saves a year from its date
    effective_from: EstateDate
    source: str = Field(min_length=1)


class ReportedSaving(_Frozen):
    """The savings register: outturn reported for a year the warehouse does not measure whole."""

    financial_year: FinancialYear
    category: Category
    cashable: bool = True
    saving_gbp: SignedMoneyGbp
    source: str = Field(min_length=1)
    signed_by: str = Field(min_length=1)


class SavingsTarget(_Frozen):
    financial_year: FinancialYear
    target_gbp: SignedMoneyGbp  # the net saving planned that year (negative while investing)


class Investment(_Frozen):
    financial_year: FinancialYear
    amount_gbp: MoneyGbp
    description: str = ""


class Money(_Frozen):
    currency: Literal["GBP"] = "GBP"
    cost_model: CostModel = CostModel()
    baseline: Baseline | None = None
    actuals: tuple[RecordedActual, ...] = ()
    evidence: tuple[RecordedEvidence, ...] = ()
    savings_register: tuple[ReportedSaving, ...] = ()
    savings_targets: tuple[SavingsTarget, ...] = ()
    investments: tuple[Investment, ...] = ()
    shared_cost_split: Literal["even", "measured-use", "fixed-shares"] = "even"
    fixed_shares_percent: dict[CouncilId, PercentOrZero] = {}


# --- capacity ----------------------------------------------------------------------------------


class UnderUse(_Frozen):
    """The brief's under-used server rule, with its thresholds."""

    lookback_days: Annotated[int, Field(gt=0, le=400), Whole] = 90
    cpu_p95_below_percent: PercentFloat = 10.0
    memory_p95_below_percent: PercentFloat = 30.0
    # "possibly unused": next to no CPU and no network at all
    unused_cpu_p95_below_percent: PercentFloat = 1.0
    unused_network_p95_below_mbps: Annotated[
        float, Field(gt=0, le=MAX_NETWORK_MBPS, allow_inf_nan=False), Real
    ] = 0.1
    never_roles: tuple[Role, ...] = ("dr-standby",)


class ConsolidationHost(_Frozen):
    """The host size a consolidation plan packs workloads onto."""

    cores: Annotated[int, Field(gt=0, le=4096), Whole] = 64
    memory_gib: MemoryGib = 768.0
    headroom_percent: Annotated[float, Field(ge=0, lt=100, allow_inf_nan=False), Real] = 25.0
    annual_cost_gbp: MoneyGbp = Decimal("12000")


class Capacity(_Frozen):
    ceiling_percent: PercentFloat = 80.0
    under_use: UnderUse = UnderUse()
    consolidation: ConsolidationHost = ConsolidationHost()


# --- collection ------------------------------------------------------------------------------

UtilisationMetric = Literal["cpu_percent", "memory_percent", "storage_percent", "network_mbps"]


class Collection(_Frozen):
    """How the collectors find the estate in the sites' metrics (docs/metrics.md)."""

    exporters: Annotated[
        tuple[Annotated[Literal["node", "windows"], Field(description="exporter")], ...], Field(min_length=1)
    ] = ("node", "windows")
    queries: dict[UtilisationMetric, str] = {}  # a PromQL expression per figure, by instance
    server_label: str = "instance"  # the server id, with or without the exporter's port
    endpoint_label: str = "instance"  # blackbox_exporter's target
    dataset_label: str = "dataset"


class Limits(_Frozen):
    """How much one file another system exported may ask of a load (docs/configuration.md).
    Past a bound the row, event or file is rejected with a message naming it, so bad input
    costs bounded time and memory; raise one only for a file known to be that large."""

    file_max_bytes: Annotated[int, Field(ge=1024, le=1024 * 1024 * 1024)] = 64 * 1024 * 1024
    field_max_bytes: Annotated[int, Field(ge=256, le=64 * 1024 * 1024)] = 128 * 1024
    calendar_occurrences_per_event: Annotated[int, Field(ge=1, le=1_000_000)] = 1000
    calendar_windows_per_file: Annotated[int, Field(ge=1, le=10_000_000)] = 50_000


# --- reports ---------------------------------------------------------------------------------


class Reports(_Frozen):
    """When the served process issues last month's reports and how it emails them
    (docs/reports.md). The SMTP account's username and password are never written here: only
    the names of the environment variables that hold them."""

    issue_day: Annotated[int, Field(ge=1, le=28), Whole] = 3  # of the month after, in the estate's zone
    issue_time: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = "09:00"
    smtp_host: str | None = None  # None: reports are issued but not emailed
    smtp_port: Annotated[int, Field(ge=1, le=65535), Whole] = 587
    smtp_starttls: bool = True
    sender: str = "councilops@localhost"
    smtp_username_env: str | None = None  # the environment variable holding the username
    smtp_password_env: str | None = None  # and the one holding the password
    send_attempts: Annotated[int, Field(ge=1, le=10), Whole] = 3
    retry_wait_seconds: Annotated[int, Field(ge=0, le=3600), Whole] = 60


# --- the whole estate ------------------------------------------------------------------------


class EstateSettings(_Frozen):
    name: str
    provider_council: CouncilId
    time_zone: TimeZoneName = "Europe/London"
    bank_holidays: BankHolidayCalendar = "england-and-wales"


class UnknownId(KeyError):
    """An id that names nothing in the estate; the message names the kind, the id and some known ids."""

    def __str__(self) -> str:
        return str(self.args[0])


def _by_id(items, wanted: str, kind: str):
    for item in items:
        if item.id == wanted:
            return item
    known = [item.id for item in items]
    shown = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "")
    raise UnknownId(f"no {kind} {wanted!r} in the estate (known: {shown or 'none'})")


class Estate(_Frozen):
    estate: EstateSettings
    sites: Annotated[tuple[Site, ...], Field(min_length=1)]
    councils: Annotated[tuple[Council, ...], Field(min_length=1)]
    services: tuple[Service, ...] = ()
    servers: tuple[Server, ...] = ()
    server_discovery: tuple[ServerDiscovery, ...] = ()
    contracts: tuple[Contract, ...] = ()
    dr_tests: tuple[DrTest, ...] = ()
    money: Money = Money()
    capacity: Capacity = Capacity()
    collection: Collection = Collection()
    limits: Limits = Limits()
    reports: Reports = Reports()

    # Lookups by id. The references check guarantees ids are unique and references resolve;
    # an id from elsewhere (a command line, a library caller) that names nothing is UnknownId.
    def site(self, site_id: str) -> Site:
        return _by_id(self.sites, site_id, "site")

    def council(self, council_id: str) -> Council:
        return _by_id(self.councils, council_id, "council")

    def service(self, service_id: str) -> Service:
        return _by_id(self.services, service_id, "service")

    def server(self, server_id: str) -> Server:
        return _by_id(self.servers, server_id, "server")

    def contracts_for(self, council_id: str, service_id: str) -> tuple[Contract, ...]:
        return tuple(
            sorted(
                (c for c in self.contracts if c.council == council_id and c.service == service_id),
                key=lambda c: c.effective_from,
            )
        )

    def contract_in_force(self, council_id: str, service_id: str, month: str) -> Contract | None:
        """The version in force on the first day of `month` (YYYY-MM), or None."""
        return version_in_force(self.contracts_for(council_id, service_id), month)

    def with_discovered(self, servers: Iterable[Server]) -> Estate:
        """This estate with `servers` (found by `[[server_discovery]]`, as the warehouse holds
        them) added as ordinary servers after the listed ones, so every analysis counts them
        exactly like listed servers. Pure; the estate itself is unchanged.

        Skipped, so the result keeps the references check's guarantees: a server whose id is
        already there (a listed server wins over a discovered one; of two discovered, the first),
        and one at a site that no longer has a `[[server_discovery]]` (removing the table is how
        a site's discovered servers are retired). A service the estate no longer has is dropped
        from a server's services; the server stays."""
        discovering = {d.site for d in self.server_discovery}
        known_services = {s.id for s in self.services}
        taken = {s.id for s in self.servers}
        added: list[Server] = []
        for server in servers:
            if server.site not in discovering or server.id in taken:
                continue
            if any(service not in known_services for service in server.services):
                kept = tuple(service for service in server.services if service in known_services)
                server = server.model_copy(update={"services": kept})
            taken.add(server.id)
            added.append(server)
        if not added:
            return self
        return self.model_copy(update={"servers": (*self.servers, *added)})


def version_in_force(versions, month: str) -> Contract | None:
    """Of one council's versions of one service's contract, the one in force on the first day
    of `month` (YYYY-MM), or None. Callers that look up many months index the versions once and
    call this directly."""
    in_force = None
    for contract in sorted(versions, key=lambda c: c.effective_from):
        if contract.effective_from <= month and (
            contract.effective_until is None or month <= contract.effective_until
        ):
            in_force = contract
    return in_force
