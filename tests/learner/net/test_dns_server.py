"""serve_dns: an authoritative zone on loopback, resolved with dnspython."""

import dns.exception
import dns.flags
import dns.message
import dns.resolver
import pytest

from backend_roadmap import serve_dns

ZONE = """
$TTL 300
@    IN SOA ns1 hostmaster 1 3600 600 86400 60
@    IN NS  ns1
ns1  IN A   127.0.0.1
www  IN CNAME web
web  IN CNAME app
app  60 IN A 192.0.2.10
app  IN AAAA 2001:db8::10
@    IN MX 10 mail
mail IN A 192.0.2.25
@    IN TXT "v=spf1 -all"
loop IN CNAME loop2
loop2 IN CNAME loop
"""


@pytest.fixture(scope="module")
def server():
    with serve_dns(ZONE) as running:
        yield running


def test_a_cname_chain_is_followed_inside_the_zone(server):
    answer = server.resolver().resolve("www.example.test", "A")
    assert [r.to_text() for r in answer] == ["192.0.2.10"]
    assert answer.canonical_name.to_text() == "app.example.test."
    assert [rrset.rdtype for rrset in answer.response.answer] == [5, 5, 1]  # CNAME, CNAME, A
    assert answer.rrset.ttl == 60


@pytest.mark.parametrize(
    ("name", "rdtype", "expected"),
    [
        ("app.example.test", "AAAA", "2001:db8::10"),
        ("example.test", "MX", "10 mail.example.test."),
        ("example.test", "TXT", '"v=spf1 -all"'),
    ],
)
def test_each_record_type_is_answered(server, name, rdtype, expected):
    assert [r.to_text() for r in server.resolver().resolve(name, rdtype)] == [expected]


def test_unknown_names_are_nxdomain_and_foreign_names_refused(server):
    with pytest.raises(dns.resolver.NXDOMAIN):
        server.resolver().resolve("missing.example.test", "A")
    with pytest.raises(dns.resolver.NoNameservers):
        server.resolver().resolve("example.org", "A")


def test_a_cname_loop_ends_in_an_error_not_a_hang(server):
    response = dns.message.from_wire(
        server.answer(dns.message.make_query("loop.example.test", "A").to_wire())
    )
    assert [rrset.name.to_text() for rrset in response.answer] == [
        "loop.example.test.",
        "loop2.example.test.",
    ]
    with pytest.raises(dns.exception.DNSException):
        server.resolver().resolve("loop.example.test", "A")


def test_queries_are_counted(server):
    before = len(server.queries)
    server.resolver().resolve("mail.example.test", "A")
    assert server.queries[before:] == [("mail.example.test.", "A")]


def test_a_zone_that_does_not_parse_says_so():
    with pytest.raises(ValueError, match="does not parse"), serve_dns("www IN A not-an-ip"):
        pass


ROOT = """
$TTL 86400
@               IN SOA a.root.test. hostmaster.test. 1 7200 900 1209600 300
@               IN NS  a.root.test.
test.           IN NS  ns.nic.test.
ns.nic.test.    IN A   192.0.2.1
"""


def test_a_name_below_a_delegation_gets_a_referral_with_glue():
    with serve_dns(ROOT, origin=".") as root:
        query = dns.message.make_query("www.example.test.", "A")
        response = dns.message.from_wire(root.answer(query.to_wire()))
    assert response.rcode() == 0 and not response.answer
    assert not response.flags & dns.flags.AA
    assert [rrset.to_text() for rrset in response.authority] == ["test. 86400 IN NS ns.nic.test."]
    assert [rrset.to_text() for rrset in response.additional] == [
        "ns.nic.test. 86400 IN A 192.0.2.1"
    ]


def test_the_zone_apex_itself_is_answered_not_referred():
    with serve_dns(ROOT, origin=".") as root:
        query = dns.message.make_query(".", "NS")
        response = dns.message.from_wire(root.answer(query.to_wire()))
    assert response.flags & dns.flags.AA
    assert [rrset.to_text() for rrset in response.answer] == [". 86400 IN NS a.root.test."]
