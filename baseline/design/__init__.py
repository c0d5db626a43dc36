"""The baseline as plain data: config, names, grants, policy documents, quotas and findings.

Pure functions only; never imports pulumi, so everything here is unit-tested in milliseconds.
"""
