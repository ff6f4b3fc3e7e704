"""`make run-minimal`: the InPost Pay sandbox (unless SANDBOX_ENABLED=0) beside the minimal shop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import config as settings  # noqa: E402
from examples.minimal_shop import app  # noqa: E402


def main() -> int:
    conf = settings.load()
    sandbox = None
    if conf["SANDBOX_ENABLED"]:
        env = {"SANDBOX_MERCHANT_NAME": "Minimal shop", **os.environ}
        sandbox = subprocess.Popen([sys.executable, "-m", "sandbox"], cwd=ROOT, env=env)
        print(f"InPost Pay sandbox on http://127.0.0.1:{conf['SANDBOX_PORT']}", flush=True)
    try:
        app.main()
    except KeyboardInterrupt:
        pass
    finally:
        if sandbox is not None:
            sandbox.send_signal(signal.SIGINT)
            try:
                sandbox.wait(timeout=10)
            except subprocess.TimeoutExpired:
                sandbox.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
