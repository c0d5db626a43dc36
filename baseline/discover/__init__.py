"""Propose a service's IAM actions from its Pulumi program (run offline under mocks) or from a `pulumi
preview --json` of a program in any language: `runner` runs a Python program in a child process with a
time limit, `mocks` answers every output a resource or data source declares, `preview` reads a preview,
`proposal` turns resource types and data sources into actions, `manifests` groups them per component."""
