"""The load-and-fault suite: ``make reliability`` or ``python -m bench.reliability``.

Concurrent writers against real ``accountgraph serve`` processes (one, or two on one
database), with faults injected mid-load: SIGKILL of a server, the PostgreSQL server stopped
or frozen (a private cluster the suite starts itself), malformed bodies beside valid traffic,
and a longer soak. After each scenario it checks the invariants in the database (and a few
through the API) against every write the servers acknowledged, and prints the counts.
bench/README.md describes the scenarios and the invariants.
"""

import contextlib
import sys

from bench import run

# bench/run.py puts bench/ first on sys.path for its own imports; there bench/webhooks.py
# would shadow the application's webhooks package for whatever imports it later.
with contextlib.suppress(ValueError):
    sys.path.remove(str(run.BENCH_DIR))
