"""A shop process that only sends the outbox, for the restart and several-workers tests.

    python -m tests.integration.outbox.worker_process '<config JSON>' <name>

It is what `flask --app app outbox-worker` runs, with the test's configuration (database,
sandbox URLs, millisecond backoff) given as JSON instead of the environment. SIGTERM stops it
cleanly; the tests also kill it with SIGKILL to play a crash.
"""

from __future__ import annotations

import json
import signal
import sys

from app import create_app
from inpost_pay import outbox


def main() -> None:
    config, name = json.loads(sys.argv[1]), sys.argv[2]
    app = create_app({**config, "INPOST_PAY_OUTBOX_WORKER": False})  # no thread: this loop is the worker
    worker = outbox.Worker(app, name=name)
    signal.signal(signal.SIGTERM, lambda *_: worker.stop(timeout=0))
    print(f"ready {worker.worker_id}", flush=True)
    worker.run()


if __name__ == "__main__":
    main()
