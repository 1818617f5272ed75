"""A worker process on the fake engine, for crash and concurrency tests (run as a script)."""

from __future__ import annotations

import json
import signal
import sys
import threading

from tests.integration.service.fake_engine import FakeEngine

from escalon.bootstrap import bootstrap
from escalon.entrypoints.worker import Worker
from escalon.services.errors import WorkerAlreadyRunning
from escalon.settings import load_settings


def main() -> int:
    once = "--once" in sys.argv
    service = bootstrap(load_settings(), ticket_engine=FakeEngine())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stats = Worker(service, stop=stop).run(once=once)
    except WorkerAlreadyRunning as error:
        print(error.detail, file=sys.stderr)  # noqa: T201
        return 3
    finally:
        service.close()
    print(json.dumps({"tickets": stats.tickets, "decisions": stats.decisions}))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
