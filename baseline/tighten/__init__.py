"""Fitting a service's grant to evidence, and explaining refusals: `cloudtrail` reads CloudTrail delivery
files, `access_analyzer` asks IAM Access Analyzer to generate a policy from a trail, `evidence` merges
what the logs, the analyzer and discover's table show into a reduced `actions` list (refusing to shrink
a grant without enough evidence), `evaluate` decides one request against a role's rendered documents,
`explain` attributes the AccessDenied errors of a failed `pulumi up` to a statement and a config line,
`roles` finds a service's role in the offline render of the baseline."""
