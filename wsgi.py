"""The production entry point: `gunicorn -c gunicorn.conf.py wsgi:app` (what `make run` starts).

Each gunicorn worker process imports this module and builds its own shop: its own database
pool, its own Socket.IO server (shared through SOCKETIO_MESSAGE_QUEUE when there are several).
The schema comes from `flask --app app db upgrade`, run once before the workers start.
"""

from app import create_app

app = create_app()
