"""`python app.py [--host H] [--port P]`: start the chat UI, the widget and the HTTP API (same as
`python -m assistant serve`). Host/port also come from SENTRA_HOST / SENTRA_PORT; default 127.0.0.1:7860."""

from __future__ import annotations

import argparse
import os

from assistant.web import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Asisten Regulasi Sentra IKM: antarmuka chat dan HTTP API")
    parser.add_argument("--host", default=os.environ.get("SENTRA_HOST", "127.0.0.1"), help="alamat (bawaan 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("SENTRA_PORT", "7860")), help="port (bawaan 7860)"
    )
    args = parser.parse_args()
    serve(host=args.host, port=args.port)


if __name__ == "__main__":
    main()
