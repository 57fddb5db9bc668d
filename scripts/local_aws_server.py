"""The project's local AWS: moto's server, plus the extensions the provider's tests need.

moto answers every service on one port. Where it lacks an operation the provider uses, the gap is
filled here (never by weakening the provider or a test); each extension says what it fills.
"""
import argparse

from moto.server import ThreadedMotoServer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    try:
        server._thread.join()  # noqa: SLF001 - serve until killed
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
