"""The differential check: the same request sequences sent to two Harbors given by URL, every difference reported.

    python -m tests.differential --a http://127.0.0.1:8080 --b http://127.0.0.1:30002 --json report.json

core.py: sides, runs, normalisation, comparison, the text report; cases.py: the sequences; runner.py: the
registries they need and the run of all cases; __main__.py: the command line. docs/developing.md ("Differential
check") says how to run it against any two Harbors.
"""
