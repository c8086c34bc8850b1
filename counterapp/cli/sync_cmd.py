"""``counterapp enroll``, ``counterapp sync`` and ``counterapp status``: connect this counter's data
directory to a server, run the sync worker, and show where it stands (SYNC.md §4 "Client loop").

``status`` reads only the local cache, so it answers at once whether or not the server is reachable."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from counterapp.cli.client import add_client_options, data_dir, open_data_dir, when
from counterapp.cli.common import print_json


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "enroll",
        help="connect this counter to a server with a one-time code (đăng ký thiết bị)",
        description="Trade the one-time code printed by 'counterapp-server admin create-device' for this "
        "counter's identity; a new data directory takes the server's centre and counter number.",
    )
    p.add_argument("--server", required=True, metavar="URL", help="e.g. http://192.168.1.10:8765")
    p.add_argument("--code", required=True, metavar="CODE")
    p.add_argument("--catalogue", type=Path, metavar="FILE", help="a catalogue file (default: the bundled demo)")
    add_client_options(p)
    p.set_defaults(run=run_enroll, parser=p)

    p = subparsers.add_parser("sync", help="send pending changes and fetch the centre's (đồng bộ)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one round, then exit (the default)")
    mode.add_argument("--forever", action="store_true", help="keep syncing until stopped (Ctrl+C)")
    add_client_options(p)
    p.set_defaults(run=run_sync, parser=p)

    p = subparsers.add_parser("status", help="online or not, pending changes, last sync, clock, leases")
    add_client_options(p)
    p.set_defaults(run=run_status, parser=p)


VERSION_MISMATCH_VI = {  # counterapp.sync.versions; the window says the same (StatusBar)
    "counter_too_old": "Máy chủ cần phiên bản mới hơn của phần mềm quầy: liên hệ bộ phận CNTT để cập nhật; "
    "quầy vẫn làm việc ngoại tuyến",
    "counter_too_new": "Phần mềm quầy mới hơn máy chủ: liên hệ bộ phận CNTT để cập nhật máy chủ; "
    "quầy vẫn làm việc ngoại tuyến",
}


def _fail(message: str) -> int:
    print(f"counterapp: {message}", file=sys.stderr)
    return 1


def run_enroll(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from counterapp.cli.client import corrected_now
    from counterapp.datafiles.catalogue import demo_catalogue, load_catalogue
    from counterapp.protocol.client import SyncError
    from counterapp.services.catalogue import replace_catalogue
    from counterapp.services.configured_counter import remember_counter
    from counterapp.store.reference_models import ProcedureRow
    from counterapp.sync.enrollment import enroll_store

    catalogue = load_catalogue(args.catalogue) if args.catalogue else demo_catalogue()
    store = open_data_dir(args, create=True)
    try:
        credential = enroll_store(store, data_dir(args), args.server, args.code, now=corrected_now(None))
        with store.write() as session:  # the city space does not carry the catalogue yet: the bundled one
            if not session.scalar(select(func.count()).select_from(ProcedureRow)):
                replace_catalogue(session, catalogue)
    except SyncError as exc:
        return _fail(f"enrolment failed: {exc}")
    finally:
        store.close()
    remember_counter(data_dir(args))  # later commands (status, sync, gui) without --data-dir find this counter
    if args.json:
        print_json({"device_id": credential.device_id, "agency_code": credential.agency_code,
                    "server": credential.server_url})  # fmt: skip
    else:
        print(f"Đã đăng ký thiết bị {credential.device_id} ({credential.agency_code}) với {credential.server_url}.")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from counterapp.protocol.client import SyncError
    from counterapp.sync.engine import SyncEngine
    from counterapp.sync.enrollment import client_for, load_credential

    credential = load_credential(data_dir(args))
    store = open_data_dir(args)
    client = client_for(credential)
    engine = SyncEngine(store, client, centre_id=credential.centre_id)
    try:
        if args.forever:  # a long-running worker: into the data directory's rotating log too
            from counterapp.services.logfiles import setup_file_logging

            setup_file_logging(data_dir(args))
            signal.signal(signal.SIGTERM, lambda *_: engine.stop())
            try:
                engine.run_forever()
            except KeyboardInterrupt:
                engine.stop()
            return 0
        try:
            report = engine.run_once()
        except SyncError as exc:
            return _fail(f"sync failed, changes are kept and will be sent later: {exc}")
    finally:
        client.close()
        store.close()
    if args.json:
        print_json(vars(report))
    else:
        print(f"Đã gửi {report.pushed}, nhận {report.pulled}, cấp thêm {report.leased} dải số; "
              f"bị từ chối {report.rejected}, xung đột {report.conflicts}.")  # fmt: skip
    return 0


def run_status(args: argparse.Namespace) -> int:
    from counterapp.sync.engine import status

    store = open_data_dir(args)
    try:
        current = status(store)
    finally:
        store.close()
    if args.json:
        print_json(current.as_dict())
        return 0
    print(f"Trạng thái: {'trực tuyến' if current.online else 'ngoại tuyến'}")
    oldest = f" (cũ nhất {when(current.oldest_pending_at)})" if current.oldest_pending_at else ""
    print(f"Thay đổi chờ gửi: {current.pending_ops}{oldest}")
    print(f"Đồng bộ lần cuối: {when(current.last_sync_at) or 'chưa'}")
    if current.last_error:
        print(f"Lỗi gần nhất: {current.last_error}")
    seconds = current.clock_offset_ms / 1000
    warning = " — LỆCH QUÁ 5 PHÚT: không cấp mã hồ sơ cho đến khi chỉnh đồng hồ" if current.codes_blocked else ""
    print(f"Lệch đồng hồ so với máy chủ: {seconds:+.1f} s{warning}")
    for lease, left in sorted(current.leases_left.items()):
        print(f"Số còn lại hôm nay {lease}: {left}")
    if current.leases_refused:
        print(
            f"Máy chủ không cấp thêm dải số dự phòng ({current.leases_refused}): "
            "cán bộ cần đăng nhập trên quầy này khi có mạng"
        )
    if current.open_conflicts:
        print(f"Xung đột chưa xem: {current.open_conflicts}")
    if current.version_mismatch:
        print(VERSION_MISMATCH_VI.get(current.version_mismatch, current.version_mismatch))
    if current.blocked:
        print(
            f"Đồng bộ bị dừng ({current.blocked}): liên hệ bộ phận CNTT; "
            "xuất hộp thư đi bằng 'counterapp outbox export'"
        )
    return 0
