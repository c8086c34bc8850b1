"""Thermal receipts and ticket slips: the ESC/POS bytes decode back to exactly the rendered images, and
the layout never runs off the paper."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageOps

from counterapp.domain.errors import ValidationFailed
from counterapp.printing.escpos_env import dummy_printer, escpos_module
from counterapp.printing.fonts import Weight
from counterapp.printing.model import COPIES, ReceiptData
from counterapp.printing.profiles import PROFILES, PrinterProfile, profile
from counterapp.printing.raster import Cell, Sheet, Style, qr_image, stack, text_width, wrap
from counterapp.printing.samples import HARD_NAMES, TWELVE_DOCUMENTS, sample_receipt, sample_ticket
from counterapp.printing.thermal import (
    SIZES_80MM,
    raster_command,
    receipt_escpos,
    receipt_images,
    ticket_escpos,
    ticket_images,
)
from tests.printing.gsv0 import raster_images, segments, without_rasters

FULL_CUT, PART_CUT = b"\x1dV\x00", b"\x1dV\x01"
QR_COMMAND = b"\x1d(k"
WIDTHS = {"80mm": 576, "58mm": 384, "80mm-noqr": 576}


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


def ink(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> bool:
    """Whether any black pixel lies in the box (default: the whole image)."""
    region = image.convert("L") if box is None else image.convert("L").crop(box)
    return ImageOps.invert(region).getbbox() is not None


def edges_clear(image: Image.Image, columns: int = 2) -> bool:
    return not ink(image, (0, 0, columns, image.height)) and not ink(
        image, (image.width - columns, 0, image.width, image.height)
    )


def find(haystack: Image.Image, needle: Image.Image) -> tuple[int, int] | None:
    """Where ``needle`` appears pixel for pixel inside ``haystack``, if it does."""
    big, small = haystack.convert("L"), needle.convert("L")
    rows, first = big.tobytes(), small.tobytes()[: small.width]
    for y in range(big.height - small.height + 1):
        row = rows[y * big.width : (y + 1) * big.width]
        x = row.find(first)
        while x != -1:
            if same(big.crop((x, y, x + small.width, y + small.height)), small):
                return x, y
            x = row.find(first, x + 1)
    return None


def nfd(value: Any) -> Any:
    """The same data with every string decomposed (NFD), as some keyboards and databases deliver it."""
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, tuple):
        return tuple(nfd(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: nfd(getattr(value, f.name)) for f in dataclasses.fields(value)})
    return value


def jobs(data: bytes, cut: bytes = FULL_CUT) -> tuple[list[list[Image.Image]], list[Image.Image]]:
    """The decoded images grouped per cut, and the images left after the last cut."""
    done: list[list[Image.Image]] = []
    current: list[Image.Image] = []
    for part in segments(data):
        if isinstance(part, Image.Image):
            current.append(part)
            continue
        for _ in range(part.count(cut)):
            done.append(current)
            current = []
    return done, current


# --- bytes ↔ images ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HARD_NAMES)
@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_receipt_bytes_decode_to_the_rendered_images(paper: str, name: str, capsys: pytest.CaptureFixture[str]):
    # GIVEN a receipt with a hard Vietnamese name
    data, printer = sample_receipt(name), PROFILES[paper]
    # WHEN its first copy is turned into ESC/POS bytes
    decoded = raster_images(receipt_escpos(data, printer, copy=COPIES[0]))
    # THEN the printer receives exactly the images the layout drew, on paper-wide strips
    expected = receipt_images(data, printer, COPIES[0])
    assert len(decoded) == len(expected) >= 2
    assert all(same(got, want) for got, want in zip(decoded, expected, strict=True))
    assert {image.width for image in decoded} == {WIDTHS[paper]}
    assert all(image.height <= 960 for image in decoded)
    assert all(edges_clear(image) for image in decoded)
    assert capsys.readouterr().out == ""  # python-escpos' chatter is swallowed


def test_the_name_reaches_the_image():
    first, second = (stack(receipt_images(sample_receipt(n), PROFILES["80mm"])) for n in HARD_NAMES[:2])
    assert not same(first, second)


@pytest.mark.parametrize("paper", ["80mm", "58mm", "80mm-noqr"])
def test_ticket_bytes_decode_to_the_rendered_images(paper: str):
    data, printer = sample_ticket(), PROFILES[paper]
    decoded = raster_images(ticket_escpos(data, printer))
    expected = ticket_images(data, printer)
    assert len(decoded) == len(expected) >= 1
    assert all(same(got, want) for got, want in zip(decoded, expected, strict=True))
    assert {image.width for image in decoded} == {WIDTHS[paper]}
    assert all(edges_clear(image) for image in decoded)


def test_the_fast_raster_command_is_what_python_escpos_sends():
    images = [*receipt_images(sample_receipt(), PROFILES["80mm"]), *ticket_images(sample_ticket(), PROFILES["58mm"])]
    for image in images:
        printer = dummy_printer("TM-T20II")
        printer.image(image, impl="bitImageRaster")
        assert raster_command(image) == printer.output
    with pytest.raises(ValueError, match="divisible by 8"):
        raster_command(Image.new("1", (13, 4), 1))


def test_the_ticket_number_is_huge_and_bold():
    image = stack(ticket_images(sample_ticket(), PROFILES["80mm"]))
    inked = [ink(image, (0, y, image.width, y + 1)) for y in range(image.height)]
    tallest = run = 0
    for row in inked:
        run = run + 1 if row else 0
        tallest = max(tallest, run)
    assert tallest >= 120  # the ink of "A015": no other line comes near it


# --- QR code and cut -----------------------------------------------------------------------------------------


def test_80mm_sends_the_qr_code_natively_and_cuts():
    data = sample_receipt()
    out = receipt_escpos(data, PROFILES["80mm"], copy=COPIES[0])
    commands = without_rasters(out)
    payload = data.qr_payload.encode()
    store = QR_COMMAND + (len(payload) + 3).to_bytes(2, "little") + b"1P0" + payload
    assert store in commands
    assert QR_COMMAND + b"\x03\x001Q0" in commands  # print the stored symbol
    assert commands.count(FULL_CUT) == 1
    assert out.startswith(b"\x1b@")
    # the QR code is not also drawn into the images
    assert find(stack(raster_images(out)), qr_image(data.qr_payload, SIZES_80MM.qr_module)) is None


@pytest.mark.parametrize(("make", "payload"), [(sample_receipt, "qr_payload"), (sample_ticket, "qr_payload")])
def test_without_native_qr_the_code_is_drawn_into_the_image(make: Any, payload: str):
    data = make()
    printer = PROFILES["80mm-noqr"]
    out = receipt_escpos(data, printer) if isinstance(data, ReceiptData) else ticket_escpos(data, printer)
    assert QR_COMMAND not in without_rasters(out)
    where = find(stack(raster_images(out)), qr_image(getattr(data, payload), SIZES_80MM.qr_module))
    assert where is not None
    assert where[0] == (576 - qr_image(getattr(data, payload), SIZES_80MM.qr_module).width) // 2  # centred


def test_each_copy_ends_with_a_cut():
    data = sample_receipt()
    out = receipt_escpos(data, PROFILES["80mm"])
    printed, leftover = jobs(out)
    assert len(printed) == len(COPIES) == 2
    assert leftover == []
    assert out.endswith(FULL_CUT)
    for label, images in zip(COPIES, printed, strict=True):
        expected = receipt_images(data, PROFILES["80mm"], label)
        assert all(same(got, want) for got, want in zip(images, expected, strict=True))
    assert not same(stack(printed[0]), stack(printed[1]))  # "Liên 1" and "Liên 2" differ


def test_copies_come_from_the_data_and_a_partial_cut_is_honoured():
    data = dataclasses.replace(sample_receipt(), copies=("Liên 1", "Liên 2", "Liên 3"))
    printer = PrinterProfile("test", "TM-T20II", 576, native_qr=True, partial_cut=True)
    out = receipt_escpos(data, printer)
    printed, leftover = jobs(out, PART_CUT)
    assert len(printed) == 3 and leftover == []
    assert FULL_CUT not in without_rasters(out)


def test_a_printer_without_cutter_feeds_instead():
    out = receipt_escpos(sample_receipt(), PROFILES["58mm"])
    commands = without_rasters(out)
    assert b"\x1dV" not in commands
    assert commands.count(b"\x1bd\x04") == 2  # ESC d 4: feed to the tear bar after each copy
    assert out.endswith(b"\x1bd\x04")


# --- text ------------------------------------------------------------------------------------------------------


def test_nfd_input_renders_exactly_like_nfc():
    receipt, ticket = sample_receipt(HARD_NAMES[3]), sample_ticket()
    assert nfd(receipt) != receipt and nfd(ticket) != ticket
    for paper in ("80mm", "58mm"):
        assert same(
            stack(receipt_images(nfd(receipt), PROFILES[paper])), stack(receipt_images(receipt, PROFILES[paper]))
        )
        assert same(stack(ticket_images(nfd(ticket), PROFILES[paper])), stack(ticket_images(ticket, PROFILES[paper])))


UNBREAKABLE = "https://dichvucong.example.vn/tra-cuu?ma=" + "000.00.01.H26-250314-0012" * 8


@pytest.mark.parametrize("width", [576, 384])
def test_a_word_longer_than_the_paper_is_broken_and_nothing_is_lost(width: int):
    style = Style(24)
    lines = wrap([("Địa chỉ:", style.bold), (f" {UNBREAKABLE} Hà Nội", style)], width - 16)
    assert len(lines) >= 4
    assert all(line.width <= width - 16 for line in lines)
    assert "".join(run.text for line in lines for run in line.runs) == f"Địachỉ:{UNBREAKABLE}HàNội"  # words only


def test_a_word_slightly_too_long_is_drawn_smaller_instead():
    style = Style(24, Weight.BOLD)
    word = "NGHIÊNGNGẢNGHIÊNGNGẢNGHIÊNGNGẢ"
    width = text_width(word, style) * 0.8
    (line,) = wrap([(word, style)], width)
    (run,) = line.runs
    assert run.text == word and 14 <= run.style.size < 24
    assert line.width <= width


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_hostile_receipt_stays_on_the_paper(paper: str):
    data = dataclasses.replace(
        sample_receipt(),
        address=UNBREAKABLE,
        applicant_name="Nguyễn" * 20,
        code="000.00.01.H26-250314-0012-" * 3,
        email=UNBREAKABLE,
    )
    images = receipt_images(data, PROFILES[paper])
    assert {image.width for image in images} == {WIDTHS[paper]}
    assert all(edges_clear(image, 4) for image in images)
    assert sum(image.height for image in images) > sum(
        i.height for i in receipt_images(sample_receipt(), PROFILES[paper])
    )


@pytest.mark.parametrize("width", [576, 384])
def test_the_twelve_document_table_keeps_every_word_in_its_column(width: int):
    sheet = Sheet(width)
    small = Style(20)
    widths = [40, sheet.inner - 40 - 3 * 60, 60, 60, 60]
    rows = [
        [Cell.of(str(i), small), Cell.of(d.name, small), *(Cell.of(str(d.originals), small) for _ in range(3))]
        for i, d in enumerate(TWELVE_DOCUMENTS, 1)
    ]
    sheet.table([Cell.of(h, small.bold) for h in ("TT", "Tên giấy tờ", "BC", "BSCT", "BP")], rows, widths, padding=3)
    columns, left = [], sheet.margin
    for w in widths:
        columns.append((left + 3, left + w - 3))
        left += w
    placed = sheet.placements()
    for x, _, word, style in placed:
        assert any(lo <= x and x + text_width(word, style) <= hi for lo, hi in columns), word
    names = {word for d in TWELVE_DOCUMENTS for word in d.name.split()}
    assert names <= {word for _, _, word, _ in placed}
    assert edges_clear(sheet.render())


def test_two_column_label_value():
    sheet = Sheet(576)
    body = Style(24)
    sheet.label_value("Thời gian nhận hồ sơ:", "15 giờ 30 phút, ngày 14 tháng 03 năm 2025", body, label_width=200)
    label_words = {"Thời", "gian", "nhận", "hồ", "sơ:"}
    for x, _, word, style in sheet.placements():
        if style.weight is Weight.BOLD:
            assert word in label_words and x + text_width(word, style) <= sheet.margin + 200
        else:
            assert x >= sheet.margin + 200 and x + text_width(word, style) <= sheet.width - sheet.margin


# --- profiles and the escpos environment --------------------------------------------------------------------


def test_profiles_agree_with_the_escpos_printer_database():
    capabilities = escpos_module("escpos.capabilities")
    for printer in PROFILES.values():
        data = capabilities.get_profile(printer.escpos_profile)
        assert data.profile_data["media"]["width"]["pixels"] == printer.width_px
        assert not printer.native_qr or data.supports("qrCode")
        assert printer.cut == (data.supports("paperFullCut") or data.supports("paperPartCut"))
    assert profile("58mm").width_px == 384
    with pytest.raises(ValidationFailed) as raised:
        profile("76mm")
    assert raised.value.fields == ("printer.profile",)
    assert raised.value.errors[0].code == "printer.profile_unknown"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_CACHE_HOME is how the test moves the cache")
def test_importing_escpos_leaves_no_temporary_folders(tmp_path: Path):
    temp, cache = tmp_path / "tmp", tmp_path / "cache"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env.update(TMPDIR=str(temp), XDG_CACHE_HOME=str(cache))

    def run(code: str) -> None:
        subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=Path(__file__).parents[2])

    # GIVEN / WHEN escpos is imported twice, in two processes, through counterapp
    for _ in range(2):
        run("from counterapp.printing.escpos_env import escpos_printer; escpos_printer().Dummy()")
    # THEN no temporary folder is left behind and the database pickle sits in the cache
    assert list(temp.iterdir()) == []
    assert list((cache / "counterapp" / "escpos").glob("*.capabilities.pickle"))
    # (control: a bare import does leak one, so the check above can see a leak)
    run("import escpos.printer")
    assert len(list(temp.iterdir())) == 1


def test_warm_up_does_not_change_what_prints():
    from counterapp.printing.profiles import PROFILES
    from counterapp.printing.samples import HARD_NAMES, sample_receipt
    from counterapp.printing.thermal import receipt_images, warm_up

    data = sample_receipt(HARD_NAMES[2])
    before = [im.tobytes() for im in receipt_images(data, PROFILES["58mm"])]
    warm_up(PROFILES["58mm"])
    assert [im.tobytes() for im in receipt_images(data, PROFILES["58mm"])] == before
