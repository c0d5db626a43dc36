"""Running a Pulumi program without the engine (mocks standing in for AWS).

The only place that uses private Pulumi APIs; see `engine.py` for the list.
"""
