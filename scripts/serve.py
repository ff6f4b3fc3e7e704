"""`make run`: the InPost Pay sandbox (unless SANDBOX_ENABLED=0) beside the shop.

The sandbox is a separate process on its own origin, as InPost would be; the
shop runs in this one. Ctrl+C stops both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config as settings  # noqa: E402


def main() -> int:
    conf = settings.load()
    sandbox = None
    if conf["SANDBOX_ENABLED"]:
        env = {"SANDBOX_MERCHANT_NAME": "Spiżarnia pod Lipą", **os.environ}
        sandbox = subprocess.Popen([sys.executable, "-m", "sandbox"], cwd=ROOT, env=env)
        print(f"InPost Pay sandbox on http://127.0.0.1:{conf['SANDBOX_PORT']}", flush=True)
    try:
        import app

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
