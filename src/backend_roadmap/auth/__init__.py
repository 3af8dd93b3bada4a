"""Authentication: a local OAuth 2.0 / OpenID Connect authorization server on loopback."""
