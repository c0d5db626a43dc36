"""External IDs for role trusts: configured, or derived from one random seed per stack.

Deriving each role's ID as HMAC(seed, role name) keeps IDs distinct per role and stable across
updates while the stack holds a single random resource, not one per service.
"""

from __future__ import annotations

import hashlib
import hmac

GENERATED_EXTERNAL_ID_LENGTH = 40
SEED_LENGTH = 48


def derive_external_id(seed: str, role_name: str) -> str:
    """Return the external ID of a role: 40 hex characters of HMAC-SHA256(seed, role name)."""
    digest = hmac.new(seed.encode(), role_name.lower().encode(), hashlib.sha256).hexdigest()
    return digest[:GENERATED_EXTERNAL_ID_LENGTH]
