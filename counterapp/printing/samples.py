"""Sample documents with hard Vietnamese text: the printer test page, the tests and the benchmarks."""

from __future__ import annotations

from datetime import datetime

from counterapp.domain.duedate import Duration
from counterapp.printing.centre import CentreProfile
from counterapp.printing.model import (
    DocumentLine,
    ReceiptData,
    RefusalData,
    SupplementData,
    TicketSlipData,
    duration_text,
)

HARD_NAMES = ("Nguyễn Thị Tuyến", "Đặng Ngọc Ánh", "Trương Quỳnh Hương", "Lê Văn Ửng")
LONG_ADDRESS = (
    "Số 186 ngõ 92 đường Nguyễn Khánh Toàn, tổ dân phố số 14, phường Nghĩa Đô, "
    "thành phố Hà Nội (gần Trường Trung học cơ sở Nghĩa Tân, cổng phía Đông)"
)
TWELVE_DOCUMENTS = (
    DocumentLine("Đơn đề nghị cấp giấy phép xây dựng theo Mẫu số 01 Phụ lục II Nghị định 175/2024/NĐ-CP", 1),
    DocumentLine("Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", 0, 1),
    DocumentLine("Bản vẽ thiết kế xây dựng: mặt bằng công trình trên lô đất, tỷ lệ 1/50 – 1/500", 2),
    DocumentLine("Bản vẽ các mặt đứng, mặt cắt chủ yếu của công trình, tỷ lệ 1/50 – 1/200", 2),
    DocumentLine("Bản vẽ mặt bằng móng và mặt cắt móng kèm sơ đồ đấu nối hạ tầng kỹ thuật", 2),
    DocumentLine("Cam kết bảo đảm an toàn đối với công trình liền kề", 1),
    DocumentLine("Văn bản ủy quyền có chứng thực (trường hợp nộp thay)", 0, 1),
    DocumentLine("Căn cước công dân của chủ hộ (bản chụp)", 0, 0, 1),
    DocumentLine("Báo cáo kết quả thẩm định thiết kế của cơ quan chuyên môn về xây dựng", 1),
    DocumentLine("Văn bản chấp thuận về độ cao tĩnh không (trường hợp nằm trong khu vực hạn chế)", 0, 1),
    DocumentLine("Quyết định phê duyệt phương án phòng cháy, chữa cháy (nếu có)", 0, 1),
    DocumentLine("Hợp đồng thuê đất hoặc văn bản thỏa thuận sử dụng đất (trường hợp đất thuê)", 0, 1, 1),
)


def sample_centre() -> CentreProfile:
    return CentreProfile(
        governing_body="ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
        centre_name="TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        receiving_unit="Trung tâm Phục vụ hành chính công thành phố Hà Nội – Chi nhánh số 1",
        place_name="Hà Nội",
        branch_name="Chi nhánh số 1",
        hotline="024.1022",
        lookup_url="https://dichvucong.example.vn/tra-cuu",
        note="Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên.",
        footer="Khi đến nhận kết quả, đề nghị mang theo Giấy này (và giấy ủy quyền nếu nhận thay).",
    )


def sample_receipt(name: str = HARD_NAMES[0], *, documents: tuple[DocumentLine, ...] = TWELVE_DOCUMENTS) -> ReceiptData:
    centre = sample_centre()
    code = "000.00.01.H26-250314-0012"
    return ReceiptData(
        centre=centre,
        code=code,
        qr_payload=centre.lookup_link(code),
        applicant_name=name,
        address=LONG_ADDRESS,
        phone="0912345678",
        email="tuyen.nguyen@example.vn",
        id_number="001190012345",
        request="Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV và nhà ở riêng lẻ",
        owner_name="Trương Quỳnh Hương",
        owner_address="Số 7 phố Hàng Bạc, phường Hoàn Kiếm, thành phố Hà Nội",
        fee_text="Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ: 75.000 đồng/giấy phép",
        documents=documents,
        sets=1,
        duration_text=duration_text(Duration.of(15, "calendar_days")),
        received_at=datetime(2025, 3, 14, 15, 30),
        due_at=datetime(2025, 3, 31, 17, 0),
        return_place="Trung tâm Phục vụ hành chính công thành phố Hà Nội – Chi nhánh số 1, quầy số 5",
        register_book="2025-03-14",
        register_line=12,
        clerk_name="Đặng Ngọc Ánh",
    )


def sample_supplement() -> SupplementData:
    return SupplementData(
        centre=sample_centre(),
        reference="000.00.01.H26-250314-0012/HDHS",
        applicant_name=HARD_NAMES[3],
        address=LONG_ADDRESS,
        phone="0987654321",
        email="",
        request="Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV và nhà ở riêng lẻ",
        items=TWELVE_DOCUMENTS[2:5],
        reason="Bản vẽ thiết kế chưa có chữ ký của chủ nhiệm thiết kế; thiếu bản vẽ mặt cắt móng.",
        clerk_name="Trương Quỳnh Hương",
        created_at=datetime(2025, 3, 14, 10, 5),
    )


def sample_refusal() -> RefusalData:
    return RefusalData(
        centre=sample_centre(),
        applicant_name=HARD_NAMES[1],
        address=LONG_ADDRESS,
        phone="0326789012",
        request="Đăng ký kết hôn có yếu tố nước ngoài",
        reason="Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường.",
        legal_basis="Luật Hộ tịch 2014, Điều 37; Nghị định 123/2015/NĐ-CP",
        clerk_name="Lê Văn Ửng",
        created_at=datetime(2025, 3, 14, 9, 45),
    )


def sample_ticket() -> TicketSlipData:
    centre = sample_centre()
    return TicketSlipData(
        centre=centre,
        number="A015",
        service_name="Hộ tịch, chứng thực",
        issued_at=datetime(2025, 3, 14, 8, 42),
        people_ahead=7,
        qr_payload=centre.lookup_link("A015"),
        priority_label="Người cao tuổi",
    )
