"""``counterapp init``: give a new data directory its device identity, catalogue and queue services."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from counterapp.cli.client import add_client_options, corrected_now, open_data_dir
from counterapp.cli.common import print_json
from counterapp.datafiles.catalogue import demo_catalogue, load_catalogue
from counterapp.datafiles.jsonfile import DataFileError, read_json_object
from counterapp.datafiles.paths import resource
from counterapp.services.configured_counter import remember_counter

DEMO_QUEUE_SERVICES = "demo/queue-services.json"
SERVICE_KEYS = ("code", "prefix", "name_vi", "name_en")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "init",
        help="initialise a data directory for this counter (khởi tạo thiết bị)",
        description="Give a new data directory its device identity, the procedure catalogue (the bundled demo "
        "unless --catalogue is given) and the demo queue services. An initialised directory is refused.",
    )
    p.add_argument(
        "--agency-code", required=True, metavar="CODE", help="the receiving agency's code, e.g. 000.00.01.H26"
    )
    p.add_argument("--counter", required=True, metavar="N", help="this counter's number")
    p.add_argument("--catalogue", type=Path, metavar="FILE", help="a catalogue file (default: the bundled demo)")
    add_client_options(p)
    p.set_defaults(run=run, parser=p)


def demo_queue_services() -> list[dict[str, str]]:
    path = resource(DEMO_QUEUE_SERVICES)
    services = read_json_object(path).get("services")
    if not isinstance(services, list) or not all(isinstance(s, dict) for s in services):
        raise DataFileError(f"{path}: expected a list of services")
    return [{key: str(s.get(key) or "") for key in SERVICE_KEYS} for s in services]


def run(args: argparse.Namespace) -> int:
    from counterapp.services.catalogue import replace_catalogue
    from counterapp.services.device import init_device

    catalogue = load_catalogue(args.catalogue) if args.catalogue else demo_catalogue()
    services = demo_queue_services()
    store = open_data_dir(args, create=True)
    try:
        with store.write() as session:
            device = init_device(
                session,
                agency_code=args.agency_code,
                counter_number=args.counter,
                now=corrected_now(None),
                services=services,
            )
            procedures = replace_catalogue(session, catalogue)
    finally:
        store.close()
    remember_counter(store.path.parent)  # later commands without --data-dir find this counter
    if args.json:
        print_json(
            {
                "device_id": device.device_id,
                "agency_code": device.agency_code,
                "counter_number": device.counter_number,
                "data_dir": str(store.path.parent),
                "catalogue_version": catalogue.version,
                "procedures": procedures,
                "queue_services": [s["code"] for s in services],
            }
        )
        return 0
    print(f"Đã khởi tạo thiết bị {device.device_id}")
    print(f"Cơ quan: {device.agency_code}    Quầy: {device.counter_number}")
    print(f"Danh mục thủ tục: {procedures} thủ tục (phiên bản {catalogue.version})")
    print("Dịch vụ xếp hàng: " + ", ".join(f"{s['code']} ({s['prefix']})" for s in services))
    print(f"Thư mục dữ liệu: {store.path.parent}")
    return 0
