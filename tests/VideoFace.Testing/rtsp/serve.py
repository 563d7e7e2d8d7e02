#!/usr/bin/python3
"""Serve an H.264 mp4 over RTSP on loopback, looping it, for tests (GStreamer RTSP server via python3-gi).

usage: serve.py --file clip.mp4 --port 8554 [--path /cam] [--repeat 30] [--user u --password p]
Prints "READY rtsp://127.0.0.1:<port><path>" once listening. Exits on SIGTERM/SIGINT.
The loop is a `concat` of --repeat copies of the file, so timestamps keep increasing across loops.
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def launch_line(path: str, repeat: int) -> str:
    branch = f'filesrc location="{path}" ! qtdemux ! h264parse ! c. '
    return f"( concat name=c ! rtph264pay name=pay0 pt=96 config-interval=1 {branch * repeat})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/cam")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--user")
    parser.add_argument("--password")
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch_line(args.file, args.repeat))
    factory.set_shared(False)  # every client starts at the beginning of the clip
    factory.set_eos_shutdown(True)

    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "user")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password or ""), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role("user", "media.factory.access", True)
        permissions.add_permission_for_role("user", "media.factory.construct", True)
        factory.set_permissions(permissions)

    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
        return 2

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"READY rtsp://127.0.0.1:{args.port}{args.path}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
