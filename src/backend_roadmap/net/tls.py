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

    @property
    def certificate_pem(self) -> bytes:
        """The CA's own certificate in PEM, what a client must trust."""
        return self._ca.cert_pem.bytes()
