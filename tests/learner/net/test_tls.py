"""LocalCA: certificates from a throw-away CA, verified by real TLS handshakes."""

import socket
import ssl

import pytest

from backend_roadmap import LocalCA, serve_tcp


def echo(conn, _client):
    with conn:
        conn.sendall(conn.recv(64))


def handshake(address, context, hostname):
    raw = socket.create_connection(address.pair, timeout=5)
    return context.wrap_socket(raw, server_hostname=hostname)


def test_a_client_that_trusts_the_ca_completes_the_handshake():
    ca = LocalCA()
    with serve_tcp(echo, certificate=ca.issue_certificate("localhost")) as address:
        with handshake(address, ca.client_context(), "localhost") as conn:
            conn.sendall(b"ping")
            assert conn.recv(64) == b"ping"
            assert conn.version() in {"TLSv1.2", "TLSv1.3"}
            subject_alt_names = conn.getpeercert()["subjectAltName"]
            assert ("DNS", "localhost") in subject_alt_names


def test_a_client_that_does_not_trust_the_ca_refuses_the_server():
    with serve_tcp(echo, certificate=LocalCA().issue_certificate("localhost")) as address:
        with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
            handshake(address, LocalCA().client_context(), "localhost")


def test_a_certificate_for_another_name_is_refused():
    ca = LocalCA()
    with serve_tcp(echo, certificate=ca.issue_certificate("api.example.test")) as address:
        with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
            handshake(address, ca.client_context(), "localhost")


def test_server_context_and_pem_are_usable_directly():
    ca = LocalCA()
    assert ca.certificate_pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert isinstance(ca.server_context("localhost"), ssl.SSLContext)


def test_certificate_names_are_the_same_on_every_run():
    ca = LocalCA()
    with serve_tcp(echo, certificate=ca.issue_certificate("localhost")) as address:
        with handshake(address, ca.client_context(), "localhost") as conn:
            cert = conn.getpeercert()
    subject = dict(item for rdn in cert["subject"] for item in rdn)
    issuer = dict(item for rdn in cert["issuer"] for item in rdn)
    assert subject == {
        "commonName": "localhost",
        "organizationName": "Backend Roadmap Local CA",
        "organizationalUnitName": "Course servers",
    }
    assert issuer == {
        "organizationName": "Backend Roadmap Local CA",
        "organizationalUnitName": "Course CA",
    }


def _handshake(certificate, ca):
    import socket

    from backend_roadmap import serve_tcp

    def greet(conn, _address):
        with conn:
            conn.sendall(b"hi")

    with (
        serve_tcp(greet, certificate=certificate) as server,
        socket.create_connection(server.pair, timeout=5) as raw,
        ca.client_context().wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return tls.recv(10)


def test_an_intermediate_chains_to_the_root_when_the_server_sends_it():
    import ssl

    import pytest

    from backend_roadmap import LeafOnly, LocalCA

    root = LocalCA()
    certificate = root.intermediate().issue_certificate()
    assert len(certificate.cert_chain_pems) == 2
    assert _handshake(certificate, root) == b"hi"
    with pytest.raises(ssl.SSLCertVerificationError, match="local issuer"):
        _handshake(LeafOnly(certificate), root)


def test_alpn_picks_the_first_protocol_both_sides_know():
    import socket

    from backend_roadmap import LocalCA, serve_tcp

    def chosen(conn, _address):
        with conn:
            conn.sendall(str(conn.selected_alpn_protocol()).encode())

    ca = LocalCA()
    results = []
    with serve_tcp(chosen, certificate=ca.issue_certificate(), alpn=["h2", "http/1.1"]) as s:
        for offer in (["http/1.1", "h2"], ["http/1.1"], ["spdy/3"]):
            context = ca.client_context()
            context.set_alpn_protocols(offer)
            with (
                socket.create_connection(s.pair, timeout=5) as raw,
                context.wrap_socket(raw, server_hostname="localhost") as tls,
            ):
                results.append((tls.selected_alpn_protocol(), tls.recv(20)))
    assert results == [("h2", b"h2"), ("http/1.1", b"http/1.1"), (None, b"None")]


def test_alpn_without_tls_is_refused():
    import pytest

    from backend_roadmap import serve_tcp

    with pytest.raises(ValueError, match="TLS"), serve_tcp(lambda c, a: None, alpn=["h2"]):
        pass
