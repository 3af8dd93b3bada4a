"""A small authoritative DNS server for one zone, on UDP loopback, built on dnspython.

It answers A, AAAA, CNAME, MX, TXT (any type in the zone), follows CNAME chains inside the
zone as real authoritative servers do (stopping at a loop), says NXDOMAIN for names it does
not have and REFUSED for names outside its zone. A name below a delegation (``NS`` records
for a child zone, as the root has for ``test.``) gets a *referral*: no answer, the child's
``NS`` records in the authority section and their addresses (glue) in the additional section,
so root -> TLD -> zone can be served as three servers. It counts the queries it answers, so
caching can be shown.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset
import dns.zone

from backend_roadmap.net.serving import Address, serve_udp

MAX_CNAME_CHAIN = 8


@dataclass
class DNSServer:
    """A running zone: its ``address``, the ``queries`` it answered, and a ``resolver()``."""

    zone: dns.zone.Zone
    address: Address = Address("127.0.0.1", 0, "dns")
    queries: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def resolver(self) -> dns.resolver.Resolver:
        """A dnspython resolver that asks this server only (no system configuration, no cache)."""
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [self.address.host]
        resolver.port = self.address.port
        resolver.timeout = resolver.lifetime = 2.0
        return resolver

    def answer(self, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        with self._lock:
            self.queries.append((question.name.to_text(), dns.rdatatype.to_text(question.rdtype)))
        if not question.name.is_subdomain(self.zone.origin):
            response.set_rcode(dns.rcode.REFUSED)
            return response.to_wire()
        cut = self.delegation(question.name)
        if cut is not None:
            return self.referral(response, cut).to_wire()
        response.flags |= dns.flags.AA
        name = question.name
        seen = {name}
        for _ in range(MAX_CNAME_CHAIN):
            node = self.zone.get_node(name)
            if node is None:
                if not response.answer:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                break
            found = node.get_rdataset(dns.rdataclass.IN, question.rdtype)
            if found is not None:
                response.answer.append(_rrset(name, found))
                break
            alias = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if alias is None:
                break
            response.answer.append(_rrset(name, alias))
            name = alias[0].target
            if name in seen or not name.is_subdomain(self.zone.origin):
                break
            seen.add(name)
        if not response.answer:
            soa = self.zone.get_rdataset(self.zone.origin, dns.rdatatype.SOA)
            if soa is not None:
                response.authority.append(_rrset(self.zone.origin, soa))
        return response.to_wire()

    def delegation(self, name: dns.name.Name) -> dns.name.Name | None:
        """The highest name between ``name`` and the origin (excluded) that has NS records."""
        cut = None
        while name != self.zone.origin and name.is_subdomain(self.zone.origin):
            node = self.zone.get_node(name)
            if node is not None and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS):
                cut = name
            name = name.parent()
        return cut

    def referral(self, response: dns.message.Message, cut: dns.name.Name) -> dns.message.Message:
        """Point the asker at the child zone's name servers, with their glue addresses."""
        servers = self.zone.get_rdataset(cut, dns.rdatatype.NS)
        response.authority.append(_rrset(cut, servers))
        for server in servers:
            for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                glue = self.zone.get_rdataset(server.target, rdtype)
                if glue is not None:
                    response.additional.append(_rrset(server.target, glue))
        return response


def _rrset(name: dns.name.Name, rdataset) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype)
    rrset.update(rdataset)
    return rrset


@contextlib.contextmanager
def serve_dns(zone_text: str, origin: str = "example.test.") -> Iterator[DNSServer]:
    """Serve ``zone_text`` (a zone file; names relative to ``origin``) on UDP loopback."""
    try:
        zone = dns.zone.from_text(zone_text, origin=origin, relativize=False)
    except dns.exception.DNSException as exc:
        raise ValueError(f"the zone text for {origin} does not parse: {exc}") from exc
    server = DNSServer(zone)
    with serve_udp(lambda data, _client: server.answer(data)) as address:
        server.address = Address(address.host, address.port, "dns")
        yield server
