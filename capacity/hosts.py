"""The host model: what carries a site's work, and whose demand it carries.

A site with hypervisors runs its virtual machines on them, so a virtual machine's allocation is
not capacity: the site's capacity is its physical servers (the hosts, and the physical servers
that carry themselves, such as backup servers), and its demand is every server's but the
hypervisors' (a host's own utilisation is its guests' again). A site without hypervisors has no
host inventory: every server as allocated is both its capacity and its demand. The site-loss
check, time remaining and the consolidation plan all count capacity this way, so they give one
answer. Storage is the exception: a server's provisioned storage is what fills, so storage
capacity stays the servers' own.
"""

from __future__ import annotations

from collections.abc import Sequence

HOST_ROLE = "hypervisor"


def hosted(servers: Sequence, site: str) -> bool:
    """Does the site have a host inventory (any hypervisor)?"""
    return any(s.site == site and s.role == HOST_ROLE for s in servers)


def capacity_servers(servers: Sequence, site: str) -> list:
    """The servers whose size is the site's capacity."""
    at_site = [s for s in servers if s.site == site]
    return [s for s in at_site if s.kind == "physical"] if hosted(servers, site) else at_site


def demand_servers(servers: Sequence) -> list:
    """The servers whose utilisation is demand: all but the hypervisors."""
    return [s for s in servers if s.role != HOST_ROLE]
