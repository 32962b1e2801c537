"""The demo estate's servers: how many each service runs on, the machines every site has, the strays.

Plain data: `collectors.demo.catalogue.document` draws each service's servers from these sizes
(with the seed) and adds the fixed machines in the order listed here.
"""

# (application, database) servers at each of a service's sites, by the service's size.
SERVERS_PER_SITE = {"large": (3, 1), "medium": (2, 1), "small": (1, 0)}

# The sizes an application server is drawn from (a repeated value is drawn more often)...
APPLICATION_CORES = (4, 4, 8, 8, 16)
APPLICATION_MEMORY_GIB = (8, 16, 16, 32)
SMALL_APPLICATION_CORES = (2, 4)  # ...or, for a small service, these
SMALL_APPLICATION_MEMORY_GIB = (4, 8)
APPLICATION_STORAGE_GIB = (100, 200, 400)
# ...a database server...
DATABASE_CORES = (8, 16)
DATABASE_MEMORY_GIB = (32, 64)
DATABASE_STORAGE_GIB = (500, 1000, 2000)
# ...and, in the reference estate, the virtual machines that bring it to this many servers.
REFERENCE_SERVERS = 2000
REFERENCE_VM_CORES = (2, 4, 8)
REFERENCE_VM_MEMORY_GIB = (4, 8, 16)
REFERENCE_VM_STORAGE_GIB = (100, 200)

# A large service of the default estate also has a web server at each site: cores, memory, storage.
WEB_SERVER = (4, 8, 100)

# The infrastructure at each site: (the service it belongs to, if any; role; how many), then the
# hypervisors, more of them in the reference estate.
INFRASTRUCTURE = (
    ("directory", "domain-controller", 3),
    ("email", "mail-gateway", 2),
    (None, "backup", 2),
    (None, "monitoring", 1),
    (None, "file", 3),
    (None, "print", 1),
)
DEFAULT_HYPERVISORS = 4
REFERENCE_HYPERVISORS = 10
PHYSICAL_ROLES = ("hypervisor", "backup")
PHYSICAL_SIZE = (32, 256)  # cores, memory; a virtual infrastructure server has VIRTUAL_SIZE
# A hypervisor (two 64-core sockets, 1 TiB): four a site carry every critical and high service of
# both sites if the other site is lost (the Blackpool design), not yet every medium and low one.
HYPERVISOR_SIZE = (160, 1024)
# The consolidation plan packs onto hosts like these, with the headroom the capacity ceiling leaves.
CONSOLIDATION_HEADROOM_PERCENT = 20.0
VIRTUAL_SIZE = (4, 16)
LARGE_STORAGE_ROLES = ("backup", "file")
LARGE_STORAGE_GIB = 4000  # the others have SMALL_STORAGE_GIB
SMALL_STORAGE_GIB = 200

# Standbys at the second site: warm copies for disaster recovery, idle by design.
DR_STANDBY_SERVICES = ("finance", "benefits", "payroll", "council-tax")
DR_STANDBY_SIZE = (8, 32, 1000)  # cores, memory, storage

# The print server that only works in the annual billing run, and a few forgotten machines:
# (id, site, role, services, cores, memory, storage).
STRAYS = (
    ("dc1-ctax-billing-print", "dc1", "application", ("council-tax",), 8, 16, 500),
    ("dc1-legacy-app01", "dc1", "application", (), 4, 16, 200),
    ("dc1-legacy-app02", "dc1", "application", (), 4, 16, 200),
    ("dc1-legacy-app03", "dc1", "application", (), 4, 16, 200),
    ("dc2-old-test01", "dc2", "application", (), 4, 16, 200),
    ("dc2-old-test02", "dc2", "application", (), 2, 8, 100),
)

# What a server costs a year: a physical host its base price and its parts; a virtual machine
# its share of the hosts. Per core, per GiB of memory, per GiB of storage.
PHYSICAL_BASE_GBP = 3200
PHYSICAL_GBP_PER = (95, 6, 0.12)
VIRTUAL_GBP_PER = (140, 11, 0.35)
