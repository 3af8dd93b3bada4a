"""A local OAuth 2.0 / OpenID Connect authorization server, built with authlib, on loopback.

``authorization_server()`` serves it for the length of a ``with`` and yields an
:class:`AuthorizationServer` with its URLs. It implements what the authentication chapter runs:

- the authorization code grant with PKCE (RFC 7636) and OpenID Connect (an ID token with the
  ``nonce``), for a public client (no secret) and a confidential one;
- the client credentials grant for a machine client;
- access tokens as RS256 JWTs (RFC 9068) and ID tokens signed by the same key, whose public
  half is served as a JWKS at ``/jwks.json``, with the discovery document at
  ``/.well-known/openid-configuration``.

The login page is a form: a client (or a test) POSTs ``username`` and ``password`` to the
authorization URL with the request's query string, and gets the 302 back to the client's
``redirect_uri``. ``require_pkce=False`` serves the same server without PKCE for public
clients, so a chapter can show what an intercepted code is worth then.

OAuth 2.0 requires HTTPS except on loopback (RFC 8252); authlib checks for HTTPS unless
``AUTHLIB_INSECURE_TRANSPORT`` is set, so the server sets it while it runs and restores it.
"""

from __future__ import annotations

import contextlib
import html
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from backend_roadmap.net.serving import serve_app

#: The people who can log in to the local server, with their passwords and profiles.
DEFAULT_USERS = {
    "ada": {"password": "correct horse", "name": "Ada Lovelace", "email": "ada@example.test"},
    "bob": {"password": "hunter2hunter2", "name": "Bob Builder", "email": "bob@example.test"},
}


#: Lifetime of access tokens and ID tokens: minutes, so a stolen one is soon worthless.
ACCESS_SECONDS = 300


@dataclass(frozen=True)
class OAuthClient:
    """A registered client. No ``client_secret`` makes it public (a SPA or a mobile app)."""

    client_id: str
    redirect_uris: tuple[str, ...] = ()
    client_secret: str | None = None
    scope: str = "openid profile email read"
    grant_types: tuple[str, ...] = ("authorization_code",)

    # authlib's ClientMixin, answered from the fields above
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(self.scope.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match, never a prefix

    def check_client_secret(self, client_secret: str) -> bool:
        if self.client_secret is None:
            return False
        return secrets.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.client_secret is None:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


class _User(str):
    """A user name that authlib's token generators can ask for its id."""

    def get_user_id(self) -> str:
        return str(self)


@dataclass
class _Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass
class AuthorizationServer:
    """A running server: its URLs, the JWKS it publishes, and what it has issued."""

    issuer: str
    jwks: dict
    clients: dict[str, OAuthClient]
    codes: dict[str, Any] = field(default_factory=dict)
    tokens: list[dict] = field(default_factory=list)

    @property
    def authorize_url(self) -> str:
        return f"{self.issuer}/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks.json"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict:
        """The OpenID Connect discovery document (what ``discovery_url`` serves)."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.authorize_url,
            "token_endpoint": self.token_url,
            "jwks_uri": self.jwks_url,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["openid", "profile", "email", "read"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
        }


def _make_app(state: AuthorizationServer, users: dict, key: Any, require_pkce: bool):
    from authlib.integrations.flask_oauth2 import AuthorizationServer as FlaskServer
    from authlib.oauth2.rfc6749 import OAuth2Error, grants
    from authlib.oauth2.rfc7636 import CodeChallenge
    from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
    from authlib.oidc.core import UserInfo
    from authlib.oidc.core.grants import OpenIDCode
    from flask import Flask, jsonify, request

    def user_info(name: str, scope: str) -> dict:
        info = UserInfo(sub=name)
        if "profile" in scope.split():
            info["name"] = users[name]["name"]
        if "email" in scope.split():
            info["email"] = users[name]["email"]
        return info

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

        def save_authorization_code(self, code, request):
            data = request.payload.data
            state.codes[code] = _Code(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.payload.scope,
                user=request.user,
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code, client):
            found = state.codes.get(code)
            if found is not None and found.client_id == client.client_id:
                return found
            return None

        def delete_authorization_code(self, authorization_code):
            state.codes.pop(authorization_code.code, None)  # a code is used once

        def authenticate_user(self, authorization_code):
            return authorization_code.user

    class IDToken(OpenIDCode):
        def resolve_client_private_key(self, client):
            return key

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": key.kid}

        def get_compatible_claims(self, request):
            now = int(time.time())
            return {
                "iss": state.issuer,
                "aud": [request.client.client_id],
                "iat": now,
                "exp": now + ACCESS_SECONDS,
            }

        def exists_nonce(self, nonce, request):
            return any(c.nonce == nonce for c in state.codes.values())

        def generate_user_info(self, user, scope):
            return user_info(user, scope)

    class AccessTokens(JWTBearerTokenGenerator):
        def get_jwks(self):
            from joserfc.jwk import KeySet

            return KeySet([key])

        def get_extra_claims(self, client, grant_type, user, scope):
            return {"scope": scope} if scope else {}

        def get_audiences(self, client, user, scope):
            return "resource-api"

    def query_client(client_id):
        return state.clients.get(client_id)

    def save_token(token, request):
        state.tokens.append(
            {
                "client_id": request.client.client_id,
                "user": request.user and str(request.user),
                **token,
            }
        )

    app = Flask("authorization_server")
    server = FlaskServer(app, query_client=query_client, save_token=save_token)
    generator = AccessTokens(
        issuer="", alg="RS256", expires_generator=lambda client, grant_type: ACCESS_SECONDS
    )
    server.register_token_generator("default", generator)
    server.register_grant(
        CodeGrant, [CodeChallenge(required=require_pkce), IDToken(require_nonce=False)]
    )
    server.register_grant(grants.ClientCredentialsGrant)

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(state.metadata())

    @app.get("/jwks.json")
    def jwks():
        return jsonify(state.jwks)

    @app.get("/authorize")
    def login_form():
        fields = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in request.args.items()
        )
        return (
            "<form method=post>"
            f"{fields}<input name=username><input name=password type=password>"
            "<button>Log in</button></form>"
        )

    @app.post("/authorize")
    def authorize():
        name = request.form.get("username", "")
        password = request.form.get("password", "")
        known = users.get(name)
        if known is None or not secrets.compare_digest(known["password"], password):
            return "wrong user name or password", 401
        try:
            grant = server.get_consent_grant(end_user=_User(name))
        except OAuth2Error as error:
            return jsonify(dict(error.get_body())), error.status_code
        return server.create_authorization_response(grant_user=_User(name), grant=grant)

    @app.post("/token")
    def token():
        return server.create_token_response()

    return app, generator


@contextlib.contextmanager
def authorization_server(
    clients: list[OAuthClient] | tuple[OAuthClient, ...] = (),
    *,
    users: dict | None = None,
    require_pkce: bool = True,
) -> Iterator[AuthorizationServer]:
    """Serve a local OAuth 2.0 / OpenID Connect server on 127.0.0.1 for a ``with`` block."""
    from joserfc.jwk import RSAKey

    users = DEFAULT_USERS if users is None else users
    key = RSAKey.generate_key(2048, parameters={"kid": "local-1", "use": "sig"})
    jwks = {"keys": [{**key.as_dict(private=False), "alg": "RS256"}]}
    state = AuthorizationServer(issuer="", jwks=jwks, clients={c.client_id: c for c in clients})
    app, generator = _make_app(state, users, key, require_pkce)
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # loopback only (RFC 8252, section 8.3)
    try:
        with serve_app(app) as address:
            state.issuer = address.url
            generator.issuer = address.url
            yield state
    finally:
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous
