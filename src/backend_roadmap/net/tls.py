"""A certificate authority made on the spot, so HTTPS can be shown end to end offline."""

from __future__ import annotations

import ssl

import trustme


class LocalCA:
    """A throw-away CA: issue server certificates and build client contexts that trust it.

    >>> ca = LocalCA()
    >>> cert = ca.issue_certificate("localhost")      # give to serve_app / serve_tcp
    >>> client = ca.client_context()                  # an ssl.SSLContext that trusts the CA
    """

    def __init__(self, organization: str = "Backend Roadmap Local CA") -> None:
        # Fixed names (trustme would add random ones), so certificate fields print the same
        # on every run.
        self.organization = organization
        self._ca = trustme.CA(organization_name=organization, organization_unit_name="Course CA")

    def issue_certificate(self, *hostnames: str) -> trustme.LeafCert:
        """A server certificate for ``hostnames`` (default: localhost and 127.0.0.1)."""
        hostnames = hostnames or ("localhost", "127.0.0.1")
        return self._ca.issue_cert(
            *hostnames,
            common_name=hostnames[0],
            organization_name=self.organization,
            organization_unit_name="Course servers",
        )

    def client_context(self) -> ssl.SSLContext:
        """A client context with normal verification that trusts this CA and nothing else."""
        context = ssl.create_default_context()
        context.load_verify_locations(cadata=self.certificate_pem.decode())
        return context

    def server_context(self, *hostnames: str) -> ssl.SSLContext:
        """A server context presenting a fresh certificate for ``hostnames``."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.issue_certificate(*hostnames).configure_cert(context)
        return context

    def intermediate(self) -> LocalCA:
        """A CA whose certificate this CA signs: its server certificates chain leaf ->
        intermediate -> this root, as public certificates do. Clients trust only the root."""
        child = LocalCA.__new__(LocalCA)
        child.organization = self.organization
        child._ca = self._ca.create_child_ca()
        return child

    @property
    def certificate_pem(self) -> bytes:
        """The CA's own certificate in PEM, what a client must trust."""
        return self._ca.cert_pem.bytes()


class LeafOnly:
    """A server certificate without its intermediates, as a misconfigured server sends it.

    ``serve_tcp(handler, certificate=LeafOnly(cert))`` presents only the leaf, so a client
    that trusts the root cannot build the chain: the classic "works in my browser, fails in
    curl" bug (browsers may fetch or cache the missing intermediate; most clients do not).
    """

    def __init__(self, certificate: trustme.LeafCert) -> None:
        self.certificate = certificate

    def configure_cert(self, context: ssl.SSLContext) -> None:
        leaf = self.certificate.cert_chain_pems[0]
        with leaf.tempfile() as cert, self.certificate.private_key_pem.tempfile() as key:
            context.load_cert_chain(cert, key)
