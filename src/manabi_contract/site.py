"""What the website's two origins agree on: the cloud's CloudFront distribution and web bucket,
and the local SPA origin (manabi_local.web). Defined once, so the cache and security headers and
the keys of `/config.json` cannot drift between them (GL-DEP-01, docs/decisions/0036).
"""

from __future__ import annotations

from collections.abc import Iterable

# --- /config.json of the SPA (docs/contracts.md, web/src/config.ts) ----------------------------
CONFIG_FILE = "config.json"
CONFIG_PATH = f"/{CONFIG_FILE}"
INDEX_FILE = "index.html"
KEY_API_URL = "apiUrl"
KEY_REGION = "region"
KEY_USER_POOL_ID = "userPoolId"
KEY_USER_POOL_CLIENT_ID = "userPoolClientId"
KEY_COGNITO_ENDPOINT = "cognitoEndpoint"  # null in the cloud: the SPA uses cognito-idp.<region>
KEY_ENVIRONMENT = "environment"
CONFIG_KEYS = (
    KEY_API_URL,
    KEY_REGION,
    KEY_USER_POOL_ID,
    KEY_USER_POOL_CLIENT_ID,
    KEY_COGNITO_ENDPOINT,
    KEY_ENVIRONMENT,
)

# --- caching -----------------------------------------------------------------------------------
# Vite writes content-hashed file names under assets/: a new build never reuses a name, so a
# browser may keep them for a year. Everything else (index.html names the current assets,
# config.json the current API) is revalidated on every load.
HASHED_ASSETS_DIR = "assets"
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CACHE_REVALIDATE = "no-cache"


def cache_control(path: str) -> str:
    """The Cache-Control of a site path such as `/assets/index-abc.js` or `/index.html`."""
    return (
        CACHE_IMMUTABLE
        if path.lstrip("/").startswith(f"{HASHED_ASSETS_DIR}/")
        else CACHE_REVALIDATE
    )


# --- security headers ----------------------------------------------------------------------------
HSTS_MAX_AGE_SECONDS = 31536000  # one year, as the HSTS preload list asks
STRICT_TRANSPORT_SECURITY = f"max-age={HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload"
CONTENT_TYPE_OPTIONS = "nosniff"
FRAME_OPTIONS = "DENY"
REFERRER_POLICY = "strict-origin-when-cross-origin"

HEADER_HSTS = "Strict-Transport-Security"
HEADER_CSP = "Content-Security-Policy"
HEADER_CONTENT_TYPE_OPTIONS = "X-Content-Type-Options"
HEADER_FRAME_OPTIONS = "X-Frame-Options"
HEADER_REFERRER_POLICY = "Referrer-Policy"
SECURITY_HEADERS = (
    HEADER_HSTS,
    HEADER_CSP,
    HEADER_CONTENT_TYPE_OPTIONS,
    HEADER_FRAME_OPTIONS,
    HEADER_REFERRER_POLICY,
)


def cognito_origin(region: str) -> str:
    """Where the SPA signs in when `cognitoEndpoint` is null (web/src/config.ts)."""
    return f"https://cognito-idp.{region}.amazonaws.com"


def content_security_policy(connect_src: Iterable[str]) -> str:
    """The site's CSP: its own files only, no framing; the SPA may call `connect_src` (the API,
    Cognito and the data bucket's presigned uploads) besides itself."""
    connect = " ".join(["'self'", *dict.fromkeys(connect_src)])
    return "; ".join(
        (
            "default-src 'self'",
            f"connect-src {connect}",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(connect_src: Iterable[str]) -> dict[str, str]:
    """Every security header of the site, by name. The local origin sends HSTS too: browsers
    ignore it over plain http and for IP-address hosts (RFC 6797), so both origins send the same."""
    return {
        HEADER_HSTS: STRICT_TRANSPORT_SECURITY,
        HEADER_CSP: content_security_policy(connect_src),
        HEADER_CONTENT_TYPE_OPTIONS: CONTENT_TYPE_OPTIONS,
        HEADER_FRAME_OPTIONS: FRAME_OPTIONS,
        HEADER_REFERRER_POLICY: REFERRER_POLICY,
    }
