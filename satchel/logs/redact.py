"""Removing secrets from log text: signed-URL signatures, keys, passwords, tokens.

Applied to every formatted line (message, arguments and tracebacks alike), so a URL or an
exception that carries a secret is cut before it reaches a file.
"""

from __future__ import annotations

import re

MASK = "[redacted]"

# Names of query parameters that carry secrets (the names themselves are not secret).
_SECRET_PARAMS = "|".join(
    (
        "sig",
        "signature",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "token",
        "access_token",
        "api_key",
        "apikey",
        "key",
        "password",
        "passwd",
        "secret",
        "client_secret",
        "code",
    )
)
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # query parameters of signed and presigned URLs, and form-encoded bodies
    (re.compile(rf"(?i)([?&;](?:{_SECRET_PARAMS})=)[^&\s\"'#]+"), rf"\1{MASK}"),
    # JSON or key=value fields whose name says secret
    (
        re.compile(
            r"(?i)([\"']?\b[\w-]*?(?:password|passwd|secret|secret_key|secret_access_key|api_key"
            r"|admin_api_key|token|access_token|authorization|credentials)[\"']?\s*[:=]\s*[\"']?)"
            r"(?!\[redacted\])[^\"'\s,&}]+"
        ),
        rf"\1{MASK}",
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]+"), rf"\1 {MASK}"),
    (re.compile(r"\bsat_[A-Za-z0-9_-]{6,}"), f"sat_{MASK}"),  # API keys
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=]{8,}"), f"whsec_{MASK}"),  # webhook secrets
    (re.compile(r"\bv1,[A-Za-z0-9+/]{20,}={0,2}"), f"v1,{MASK}"),  # webhook signatures
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), MASK),  # AWS access key ids
)


def redact(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
