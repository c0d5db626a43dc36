"""Facts about AWS that the baseline derives and never decides: the IAM action catalogue, ARN formats.

Imports nothing from the rest of the package.
"""
