"""What the baseline's principals can do, read from a rendering: principals, effective grants, lint, report.

Never imports the stack; works on what `baseline.offline` recorded.
"""
