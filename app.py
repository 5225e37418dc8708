"""`python app.py [--host H] [--port P]`: start the chat UI, the widget and the HTTP API (same as
`python -m assistant serve`). Host/port also come from SENTRA_HOST / SENTRA_PORT; default 127.0.0.1:7860."""

from __future__ import annotations

import argparse

from assistant.config import get_settings
from assistant.serving.app import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Asisten Regulasi Sentra IKM: antarmuka chat dan HTTP API")
    settings = get_settings()
    parser.add_argument("--host", default=settings.host, help=f"alamat (bawaan {settings.host})")
    parser.add_argument("--port", type=int, default=settings.port, help=f"port (bawaan {settings.port})")
    args = parser.parse_args()
    serve(host=args.host, port=args.port)


if __name__ == "__main__":
    main()
