"""The portal's OpenID Connect provider driven by a real OIDC client library (authlib).

Run by tests/oidc.rs against a freshly started portal (development manifest, dev clock
on, the partners of config/oidc/development.json). Arguments come in the environment:
OIDC_BASE (the portal), OIDC_COMPANY_COOKIE / OIDC_COMPANY_CSRF (a person acting for
ACME S.R.L. with an incarico), OIDC_CITIZEN_COOKIE / OIDC_CITIZEN_CSRF (a registered
citizen). Prints one line per check and exits non-zero at the first failure.
"""

import os
import re
import sys
import time

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge

BASE = os.environ["OIDC_BASE"].rstrip("/")
SECRET = "demo-partner-secret"
CB = "https://partner.invalid/callback"
PERSON = {
    "company": (os.environ["OIDC_COMPANY_COOKIE"], os.environ["OIDC_COMPANY_CSRF"]),
    "citizen": (os.environ["OIDC_CITIZEN_COOKIE"], os.environ["OIDC_CITIZEN_CSRF"]),
}


def check(cond, what):
    if not cond:
        print("FAIL", what)
        sys.exit(1)
    print("ok  ", what)


meta = requests.get(BASE + "/.well-known/openid-configuration").json()
check(meta["issuer"] == BASE, "discovery: issuer is base_url")
check(meta["code_challenge_methods_supported"] == ["S256"], "discovery: PKCE S256")
jwks = requests.get(meta["jwks_uri"]).json()
check(len(jwks["keys"]) == 2 and all(k["kty"] == "RSA" for k in jwks["keys"]), "JWKS: current and previous key")
keyset = JsonWebKey.import_key_set(jwks)


def session(client_id):
    return OAuth2Session(client_id, SECRET, redirect_uri=CB, scope="openid profile email",
                         code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")


def handoff(who, client_id):
    cookie, csrf = PERSON[who]
    return requests.post(BASE + "/api/oidc/handoff", json={"client_id": client_id},
                         headers={"cookie": cookie, "x-csrf-token": csrf})


def login_hint(r):
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    return re.search(r"login_hint=([0-9a-f]+)", url).group(1)


def browse(who, url):
    """The person's browser at the authorization endpoint: consents when asked; the
    answer that goes back to the partner (its Location)."""
    cookie, _ = PERSON[who]
    r = requests.get(url, headers={"cookie": cookie}, allow_redirects=False)
    if r.status_code == 200 and "decision" in r.text:
        fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', r.text))
        fields = {k: v.replace("&amp;", "&").replace("&quot;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">") for k, v in fields.items()}
        fields["decision"] = "allow"
        r = requests.post(BASE + "/oidc/authorize", data=fields, headers={"cookie": cookie}, allow_redirects=False)
    return r


def start(client_id, who, hint=None, **extra):
    s = session(client_id)
    verifier = generate_token(64)
    nonce = generate_token(20)
    kwargs = {"nonce": nonce, "code_verifier": verifier, "state": generate_token(16)}
    if hint:
        kwargs["login_hint"] = hint
    kwargs.update(extra)
    url, state = s.create_authorization_url(meta["authorization_endpoint"], **kwargs)
    return s, verifier, nonce, state, browse(who, url)


def params(r):
    from urllib.parse import parse_qs, urlparse
    assert r.status_code in (302, 303), (r.status_code, r.text[:300])
    return {k: v[0] for k, v in parse_qs(urlparse(r.headers["location"]).query).items()}


def token_error(fn):
    try:
        fn()
    except OAuthError as e:
        return e.error
    return None


def exchange(s, location, verifier, headers=None):
    return s.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier, headers=headers)


# --- B2: company -> CO Firenze ---
s, verifier, nonce, state, r = start("demo-co-fi", "company", hint=login_hint(handoff("company", "demo-co-fi")))
p = params(r)
check(p.get("state") == state and "code" in p and p.get("iss") == BASE, "CO: code with state and iss")
location = r.headers["location"]
tok = exchange(s, location, verifier)
claims = jwt.decode(tok["id_token"], keyset, claims_options={
    "iss": {"essential": True, "value": BASE}, "aud": {"essential": True, "value": "demo-co-fi"},
    "nonce": {"essential": True, "value": nonce}, "exp": {"essential": True}})
claims.validate(leeway=5)
check(claims["acr"].startswith("https://www.spid.gov.it/SpidL"), "ID token: signature, iss, aud, exp, nonce, acr")
check(abs(claims["iat"] - time.time()) < 120 and claims["auth_time"] <= claims["iat"], "ID token: iat and auth_time")
info = s.get(meta["userinfo_endpoint"]).json()
check(info["fiscal_number"].startswith("TINIT-") and info["given_name"] and info["family_name"], "userinfo: fiscal_number and names")
check(info["company_fiscal_code"] == "01234560488" and info["company_name"] and info["company_role"], "userinfo: the company claims")
check(info["sub"] == claims["sub"], "userinfo: sub of the ID token")

# the same code again: refused, and the tokens it gave are revoked
check(token_error(lambda: exchange(session("demo-co-fi"), location, verifier)) == "invalid_grant", "code used twice: invalid_grant")
check(s.get(meta["userinfo_endpoint"]).status_code == 401, "code used twice: its access token is revoked")

# a replayed hand-off, a forged one
hint = login_hint(handoff("company", "demo-co-fi"))
_, _, _, _, r = start("demo-co-fi", "company", hint=hint)
check("code" in params(r), "hand-off used once")
_, _, _, _, r = start("demo-co-fi", "company", hint=hint)
check(params(r).get("error") == "access_denied", "replayed hand-off: access_denied")
_, _, _, _, r = start("demo-co-fi", "company", hint="0" * 64)
check(params(r).get("error") == "access_denied", "forged hand-off: access_denied")
_, _, _, _, r = start("demo-co-fi", "company")
check(params(r).get("error") == "access_denied", "no hand-off: access_denied")

# --- C7: citizen -> Garanzia Giovani ---
s, verifier, nonce, state, r = start("demo-gg", "citizen")
location = r.headers["location"]
check("code" in params(r), "GG: code after consent")

# a code for another client
check(token_error(lambda: exchange(session("demo-co-fi"), location, verifier)) == "invalid_grant", "code for another client: invalid_grant")
# missing and wrong PKCE verifiers
check(token_error(lambda: session("demo-gg").fetch_token(meta["token_endpoint"], authorization_response=location)) == "invalid_grant", "missing code_verifier: invalid_grant")
check(token_error(lambda: exchange(session("demo-gg"), location, generate_token(64))) == "invalid_grant", "wrong code_verifier: invalid_grant")
# expired (the test clock: 61 s later)
later = {"x-dev-now": str(int(time.time()) + 61)}
check(token_error(lambda: exchange(session("demo-gg"), location, verifier, headers=later)) == "invalid_grant", "expired code: invalid_grant")
# a wrong secret
bad = OAuth2Session("demo-gg", "wrong", redirect_uri=CB, code_challenge_method="S256")
check(token_error(lambda: bad.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)) == "invalid_client", "wrong client secret: invalid_client")
# consent remembered: straight back with a code, which still works (refusals did not use it)
tok = exchange(session("demo-gg"), location, verifier)
check("id_token" in tok, "GG: token after the refused attempts")
_, _, _, _, r = start("demo-gg", "citizen")
check("code" in params(r), "GG: consent remembered")

# --- the authorization endpoint's own refusals ---
s = session("demo-gg")
url, _ = s.create_authorization_url(meta["authorization_endpoint"], nonce="n", redirect_uri="https://evil.invalid/cb", code_verifier=generate_token(64))
r = requests.get(url, headers={"cookie": PERSON["citizen"][0]}, allow_redirects=False)
check(r.status_code == 400 and "location" not in r.headers, "unregistered redirect_uri: an error page, no redirect")
plain = OAuth2Session("demo-gg", SECRET, redirect_uri=CB, scope="openid")
url, _ = plain.create_authorization_url(meta["authorization_endpoint"], nonce="n")
check(params(browse("citizen", url)).get("error") == "invalid_request", "no PKCE challenge: invalid_request")
s = session("demo-gg")
url, _ = s.create_authorization_url(meta["authorization_endpoint"], code_verifier=generate_token(64))
check(params(browse("citizen", url)).get("error") == "invalid_request", "no nonce: invalid_request")
print("all OIDC checks passed")
