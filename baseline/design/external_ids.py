"""External IDs for role trusts (configured, or derived from one random seed per stack), and the
services' handoff passphrases, derived from the same seed.

Deriving each role's ID as HMAC(seed, role name) keeps IDs distinct per role and stable across
updates while the stack holds a single random resource, not one per service.
"""

from __future__ import annotations

import hashlib
import hmac

GENERATED_EXTERNAL_ID_LENGTH = 40
SEED_LENGTH = 48


def derive_handoff_passphrase(seed: str, service_project: str) -> str:
    """Return the passphrase of a service's handoff stack: 40 hex characters of HMAC-SHA256(seed, purpose).

    The service's own stack uses it too, since a StackReference decrypts the referenced stack with
    the same PULUMI_CONFIG_PASSPHRASE; no service ever needs the baseline's passphrase.
    """
    digest = hmac.new(seed.encode(), f"handoff-passphrase:{service_project}".encode(), hashlib.sha256).hexdigest()
    return digest[:GENERATED_EXTERNAL_ID_LENGTH]


def derive_external_id(seed: str, role_name: str) -> str:
    """Return the external ID of a role: 40 hex characters of HMAC-SHA256(seed, role name)."""
    digest = hmac.new(seed.encode(), role_name.lower().encode(), hashlib.sha256).hexdigest()
    return digest[:GENERATED_EXTERNAL_ID_LENGTH]
