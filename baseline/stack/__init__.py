"""The Pulumi program and its components: state backend, CI principal, service roles, OIDC provider.

Thin wiring: every document comes from `baseline.design`; components take narrow typed arguments.
"""
