"""authorization_server: code + PKCE + OpenID Connect, client credentials, and the refusals."""

import base64
import hashlib
import os
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import jwt
import pytest

from backend_roadmap import OAuthClient, authorization_server

CALLBACK = "http://127.0.0.1:9/callback"
APP = OAuthClient("mobile-app", (CALLBACK,))
BATCH = OAuthClient(
    "nightly-batch", client_secret="s3cret", scope="read", grant_types=("client_credentials",)
)
LOGIN = {"username": "ada", "password": "correct horse"}


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(server, login=LOGIN, **params):
    query = {
        "response_type": "code",
        "client_id": "mobile-app",
        "redirect_uri": CALLBACK,
        "scope": "openid profile email",
        "state": "s-1",
        **params,
    }
    return httpx.post(f"{server.authorize_url}?{urlencode(query)}", data=login)


def code_of(reply):
    assert reply.status_code == 302, reply.text
    return parse_qs(urlparse(reply.headers["location"]).query)["code"][0]


def exchange(server, code, **params):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    return httpx.post(server.token_url, data={"client_id": "mobile-app", **data, **params})


@pytest.fixture(scope="module")
def server():
    with authorization_server([APP, BATCH]) as running:
        yield running


def test_code_flow_with_pkce_gives_an_id_token_that_the_jwks_verifies(server):
    verifier, challenge = pkce_pair()
    reply = authorize(server, code_challenge=challenge, code_challenge_method="S256", nonce="n-42")
    location = urlparse(reply.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    assert parse_qs(location.query)["state"] == ["s-1"]
    tokens = exchange(server, code_of(reply), code_verifier=verifier).json()
    keys = jwt.PyJWKClient(server.jwks_url)
    id_token = tokens["id_token"]
    claims = jwt.decode(
        id_token,
        keys.get_signing_key_from_jwt(id_token).key,
        algorithms=["RS256"],
        audience="mobile-app",
        issuer=server.issuer,
    )
    assert (claims["sub"], claims["nonce"], claims["email"]) == ("ada", "n-42", "ada@example.test")
    access = jwt.decode(
        tokens["access_token"],
        keys.get_signing_key_from_jwt(tokens["access_token"]).key,
        algorithms=["RS256"],
        audience="resource-api",
        issuer=server.issuer,
    )
    assert (access["sub"], access["client_id"]) == ("ada", "mobile-app")
    assert access["exp"] - access["iat"] == 300
    assert httpx.get(server.discovery_url).json()["jwks_uri"] == server.jwks_url


def test_a_code_is_worth_nothing_without_its_verifier_and_only_once(server):
    verifier, challenge = pkce_pair()
    code = code_of(authorize(server, code_challenge=challenge, code_challenge_method="S256"))
    assert exchange(server, code).json()["error"] == "invalid_request"
    other, _ = pkce_pair()
    assert exchange(server, code, code_verifier=other).json()["error"] == "invalid_grant"
    assert exchange(server, code, code_verifier=verifier).status_code == 200
    assert exchange(server, code, code_verifier=verifier).json()["error"] == "invalid_grant"


def test_a_public_client_must_use_pkce_unless_the_server_is_told_otherwise(server):
    code = code_of(authorize(server))
    assert exchange(server, code).json()["error"] == "invalid_request"
    with authorization_server([APP], require_pkce=False) as lax:
        assert exchange(lax, code_of(authorize(lax))).status_code == 200


def test_wrong_password_and_unregistered_redirect_are_refused(server):
    assert authorize(server, login={"username": "ada", "password": "nope"}).status_code == 401
    reply = authorize(server, redirect_uri="http://127.0.0.1:9/evil")
    assert reply.status_code == 400
    assert "location" not in reply.headers


def test_client_credentials_needs_the_secret(server):
    ok = httpx.post(
        server.token_url,
        data={"grant_type": "client_credentials"},
        auth=("nightly-batch", "s3cret"),
    )
    assert ok.status_code == 200 and ok.json()["token_type"] == "Bearer"
    bad = httpx.post(
        server.token_url, data={"grant_type": "client_credentials"}, auth=("nightly-batch", "guess")
    )
    assert bad.status_code == 401
    assert server.tokens[-1]["client_id"] == "nightly-batch"


def test_the_insecure_transport_switch_is_restored():
    before = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    with authorization_server([APP]):
        assert os.environ["AUTHLIB_INSECURE_TRANSPORT"] == "1"
    assert os.environ.get("AUTHLIB_INSECURE_TRANSPORT") == before
