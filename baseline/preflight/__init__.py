"""Preflight before `pulumi up`: whether a service's provisioning role, as the baseline config renders it,
may do every action a change needs. `rows` turns the permission table into the per-type rows a check
reads (and the actions file a service repository's live preflight reads), `steps` reads the change from
a preview or a program run, `check` evaluates each step's actions against the role's documents."""
