<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../counterapp/gui/about.py" line="0"/>
        <source>%1 (this version: %2)</source>
        <translation>%1 (phiên bản này: %2)</translation>
    </message>
    <message numerus="yes">
        <location line="0"/>
        <source>%n change(s) to send</source>
        <translation>
            <numerusform>Chờ gửi: %n</numerusform>
        </translation>
    </message>
    <message>
        <location line="0"/>
        <source>About counterapp</source>
        <translation>Giới thiệu counterapp</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Create support bundle…</source>
        <translation>Tạo gói hỗ trợ…</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Data directory</source>
        <translation>Thư mục dữ liệu</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Data schema</source>
        <translation>Lược đồ dữ liệu</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Operating system</source>
        <translation>Hệ điều hành</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Qt</source>
        <translation>Qt</translation>
    </message>
    <message>
        <location line="0"/>
        <source>SQLite</source>
        <translation>SQLite</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Server</source>
        <translation>Máy chủ</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Sync</source>
        <translation>Đồng bộ</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Version</source>
        <translation>Phiên bản</translation>
    </message>
    <message>
        <location line="0"/>
        <source>counterapp %1 — one-stop counter software</source>
        <translation>counterapp %1 — phần mềm quầy một cửa</translation>
    </message>
    <message>
        <location line="0"/>
        <source>not enrolled (standalone)</source>
        <translation>chưa đăng ký với máy chủ (chạy độc lập)</translation>
    </message>
    <message>
        <location line="0"/>
        <source>offline</source>
        <translation>ngoại tuyến</translation>
    </message>
    <message>
        <location line="0"/>
        <source>online</source>
        <translation>trực tuyến</translation>
    </message>
</context>
<context>
    <name>ApplicantForm</name>
    <message>
        <location filename="../../counterapp/gui/applicant_form.py" line="+215"/>
        <source>CCCD / &amp;ID number</source>
        <translation>Số &amp;CCCD / định danh</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date of &amp;birth</source>
        <translation>Ngày &amp;sinh</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Se&amp;x</source>
        <translation>&amp;Giới tính</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Phone</source>
        <translation>Điện th&amp;oại</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;E-mail</source>
        <translation>&amp;Email</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Address</source>
        <translation>Đị&amp;a chỉ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Owner&apos;s name</source>
        <translation>Tên chủ hồ sơ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Owner&apos;s ID number</source>
        <translation>Số định danh của chủ hồ sơ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Owner&apos;s address</source>
        <translation>Địa chỉ chủ hồ sơ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Return</source>
        <translation>Nhận kết quả</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Postal address</source>
        <translation>Địa chỉ nhận qua bưu chính</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sets</source>
        <translation>Số bộ hồ sơ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Click here, then scan the card</source>
        <translation>Bấm vào đây rồi quét thẻ CCCD</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Send the result by post</source>
        <translation>Trả kết quả qua bưu chính công ích</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Empty: the applicant&apos;s address</source>
        <translation>Để trống: dùng địa chỉ người nộp</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>Scan CCC&amp;D QR</source>
        <translation>Quét mã QR CCC&amp;D</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Full name</source>
        <translation>Họ &amp;và tên</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Dossier owner differs from the applicant</source>
        <translation>Chủ hồ sơ khác người nộp</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Male</source>
        <translation>Nam</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Female</source>
        <translation>Nữ</translation>
    </message>
</context>
<context>
    <name>CallSpecificDialog</name>
    <message>
        <location filename="../../counterapp/gui/queue_dialogs.py" line="+124"/>
        <source>Call a ticket</source>
        <translation>Gọi số</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket number:</source>
        <translation>Số thứ tự:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. A012</source>
        <translation>VD: A012</translation>
    </message>
</context>
<context>
    <name>CounterApp</name>
    <message>
        <location filename="../../counterapp/gui/app.py" line="+103"/>
        <source>Counter %1 — %2</source>
        <translation>Quầy %1 — %2</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/app.py" line="0"/>
        <source>This data directory was written by a newer counterapp (schema %1); install that version again.</source>
        <translation>Thư mục dữ liệu này do phiên bản counterapp mới hơn ghi (lược đồ %1); hãy cài lại phiên bản đó.</translation>
    </message>
    <message>
        <location line="0"/>
        <source>This data directory was written by a newer counterapp (schema %1); install version %2 or later.</source>
        <translation>Thư mục dữ liệu này do phiên bản counterapp mới hơn ghi (lược đồ %1); hãy cài phiên bản %2 trở lên.</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location line="-37"/>
        <source>Unexpected error</source>
        <translation>Lỗi không mong muốn</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong in counterapp. Your saved work is safe; the error was written to the log. If it happens again, call IT.</source>
        <translation>counterapp gặp sự cố. Dữ liệu đã lưu vẫn an toàn; lỗi đã được ghi vào nhật ký. Nếu lỗi lặp lại, hãy gọi bộ phận CNTT.</translation>
    </message>
</context>
<context>
    <name>DocumentChecklist</name>
    <message>
        <location filename="../../counterapp/gui/checklist.py" line="+88"/>
        <source>Document</source>
        <translation>Tên giấy tờ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Originals</source>
        <translation>Bản chính</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Certified copies</source>
        <translation>Bản sao chứng thực</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Photocopies</source>
        <translation>Bản photo</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose a procedure to see its documents.</source>
        <translation>Chọn thủ tục để xem thành phần hồ sơ.</translation>
    </message>
</context>
<context>
    <name>DossierDetail</name>
    <message>
        <location filename="../../counterapp/gui/dossier_detail.py" line="+99"/>
        <source>Procedure:</source>
        <translation>Thủ tục:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applicant:</source>
        <translation>Người nộp:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID number:</source>
        <translation>Số định danh:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone:</source>
        <translation>Điện thoại:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Address:</source>
        <translation>Địa chỉ:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dossier owner:</source>
        <translation>Chủ hồ sơ:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received:</source>
        <translation>Ngày nhận:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due:</source>
        <translation>Ngày hẹn trả:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status:</source>
        <translation>Trạng thái:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returned:</source>
        <translation>Ngày trả:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Select a dossier to see its details.</source>
        <translation>Chọn một hồ sơ để xem chi tiết.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents received</source>
        <translation>Thành phần hồ sơ đã nhận</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Document</source>
        <translation>Tên giấy tờ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Originals</source>
        <translation>Bản chính</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Certified copies</source>
        <translation>Bản sao chứng thực</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Photocopies</source>
        <translation>Bản photo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Status history</source>
        <translation>Lịch sử trạng thái</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>By</source>
        <translation>Người thực hiện</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 — overdue</source>
        <translation>%1 — quá hạn</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(personal data removed after the retention period)</source>
        <translation>(dữ liệu cá nhân đã được xóa sau thời hạn lưu giữ)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 to %2</source>
        <translation>%1 — người nhận: %2</translation>
    </message>
</context>
<context>
    <name>DossierSearchModel</name>
    <message>
        <location filename="../../counterapp/gui/dossier_models.py" line="+135"/>
        <source>Past the due date and not yet finished</source>
        <translation>Đã quá ngày hẹn trả mà chưa giải quyết xong</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Code</source>
        <translation>Mã hồ sơ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applicant</source>
        <translation>Người nộp</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Procedure</source>
        <translation>Thủ tục</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received</source>
        <translation>Ngày nhận</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due</source>
        <translation>Ngày hẹn trả</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <location line="-21"/>
        <source>overdue</source>
        <translation>quá hạn</translation>
    </message>
</context>
<context>
    <name>DossierTexts</name>
    <message>
        <location line="-97"/>
        <source>Received</source>
        <translation>Mới tiếp nhận</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Processing</source>
        <translation>Đang xử lý</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Awaiting supplement</source>
        <translation>Chờ bổ sung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result ready</source>
        <translation>Có kết quả</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result returned</source>
        <translation>Đã trả kết quả</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Withdrawn</source>
        <translation>Đã rút hồ sơ</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No dossier with this code on this counter.</source>
        <translation>Không có hồ sơ nào mang mã này tại quầy.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The result of this dossier has already been handed over.</source>
        <translation>Kết quả của hồ sơ này đã được trả.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This cannot be done in the dossier&apos;s current status.</source>
        <translation>Không thể thực hiện thao tác này với trạng thái hiện tại của hồ sơ.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Enter the name of the person collecting the result.</source>
        <translation>Nhập họ tên người nhận kết quả.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The name is too long.</source>
        <translation>Họ tên quá dài.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The name may contain only letters, spaces and simple punctuation.</source>
        <translation>Họ tên chỉ được gồm chữ cái, dấu cách và dấu câu đơn giản.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This is not a valid dossier code.</source>
        <translation>Mã hồ sơ không hợp lệ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The date in this dossier code is not valid.</source>
        <translation>Ngày trong mã hồ sơ không hợp lệ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The number in this dossier code is not valid.</source>
        <translation>Số thứ tự trong mã hồ sơ không hợp lệ.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>The search could not be run. Try again.</source>
        <translation>Không thực hiện được việc tìm kiếm. Vui lòng thử lại.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This counter has not been set up yet.</source>
        <translation>Quầy này chưa được thiết lập.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The request was refused (%1).</source>
        <translation>Yêu cầu bị từ chối (%1).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong; the details were written to the log.</source>
        <translation>Đã xảy ra lỗi; chi tiết đã được ghi vào nhật ký.</translation>
    </message>
</context>
<context>
    <name>DossiersPanel</name>
    <message>
        <location filename="../../counterapp/gui/dossiers_panel.py" line="+143"/>
        <source>&amp;Find:</source>
        <translation>Tì&amp;m:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dossier code, ID number, phone, or name (accents optional)</source>
        <translation>Mã hồ sơ, số định danh, điện thoại hoặc họ tên (gõ có dấu hoặc không dấu)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Return &amp;result…</source>
        <translation>Trả &amp;kết quả…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Void…</source>
        <translation>Hủy hồ sơ…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received by mistake today: withdraw this dossier</source>
        <translation>Tiếp nhận nhầm trong hôm nay: rút hồ sơ này</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dossiers</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Day&apos;s register</source>
        <translation>Sổ theo dõi hồ sơ trong ngày</translation>
    </message>
    <message numerus="yes">
        <location line="+56"/>
        <source>%n dossier(s) found</source>
        <translation>
            <numerusform>Tìm thấy %n hồ sơ</numerusform>
        </translation>
    </message>
    <message>
        <location line="+136"/>
        <source>Result of dossier %1 returned.</source>
        <translation>Đã trả kết quả hồ sơ %1.</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Searching…</source>
        <translation>Đang tìm…</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>First %n shown; refine the search</source>
        <translation>
            <numerusform>Đang hiển thị %n hồ sơ đầu tiên; hãy thu hẹp điều kiện tìm kiếm</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EnrollTexts</name>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="15"/>
        <source>Type the server&apos;s full address, starting with http:// or https://, for example https://hcc.example or http://192.168.1.10:8765.</source>
        <translation>Nhập đầy đủ địa chỉ máy chủ, bắt đầu bằng http:// hoặc https://, ví dụ https://hcc.example hoặc http://192.168.1.10:8765.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="17"/>
        <source>The server&apos;s name is not known on this network (DNS). Check the address, or type the server&apos;s IP address instead.</source>
        <translation>Mạng này không tìm thấy tên máy chủ (DNS). Kiểm tra lại địa chỉ, hoặc nhập địa chỉ IP của máy chủ.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="19"/>
        <source>The server&apos;s computer answered, but nothing listens on that port. Check the port in the address and that the counterapp server is running.</source>
        <translation>Máy chủ có trả lời nhưng không có dịch vụ nào ở cổng đó. Kiểm tra số cổng trong địa chỉ và xem máy chủ counterapp đã chạy chưa.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="22"/>
        <source>There is no route to the server. Check the network cable or Wi-Fi, the VPN, and that this PC is on the centre&apos;s network.</source>
        <translation>Không có đường tới máy chủ. Kiểm tra cáp mạng hoặc Wi-Fi, VPN, và máy này có nằm trong mạng của trung tâm không.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="24"/>
        <source>The server did not answer in time. A firewall may block the port, or the server is overloaded. Try again.</source>
        <translation>Máy chủ không trả lời kịp. Có thể tường lửa đang chặn cổng, hoặc máy chủ đang quá tải. Hãy thử lại.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="26"/>
        <source>The secure connection failed: this PC does not trust the server&apos;s certificate, or it does not match the address (or the address says https:// for a server without TLS). Install the centre&apos;s certificate on this PC, or check the address.</source>
        <translation>Kết nối bảo mật thất bại: máy này không tin chứng chỉ của máy chủ, hoặc chứng chỉ không khớp với địa chỉ (hoặc địa chỉ ghi https:// cho máy chủ không dùng TLS). Hãy cài chứng chỉ của trung tâm lên máy này, hoặc kiểm tra lại địa chỉ.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="30"/>
        <source>The connection to the server failed. Check the address and the network.</source>
        <translation>Không kết nối được tới máy chủ. Kiểm tra địa chỉ và mạng.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="32"/>
        <source>Something answers at this address, but it is not the counterapp server. Check the port and the path.</source>
        <translation>Có dịch vụ trả lời ở địa chỉ này nhưng không phải máy chủ counterapp. Kiểm tra số cổng và đường dẫn.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="34"/>
        <source>The server answers, but its database does not. Ask the server&apos;s administrator.</source>
        <translation>Máy chủ có trả lời nhưng cơ sở dữ liệu của máy chủ thì không. Hãy báo người quản trị máy chủ.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="36"/>
        <source>This code is wrong. Check it against the code the administrator gave (letters and digits, like K7QX-M2PD-9HTC).</source>
        <translation>Mã này không đúng. Hãy đối chiếu với mã người quản trị đã cấp (chữ và số, dạng K7QX-M2PD-9HTC).</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="39"/>
        <source>This code has expired. Ask the administrator for a new code for this counter.</source>
        <translation>Mã này đã hết hạn. Hãy xin người quản trị cấp mã mới cho quầy này.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="41"/>
        <source>This code was already used: a code enrolls one PC, once. Ask the administrator for a new code.</source>
        <translation>Mã này đã được dùng: mỗi mã chỉ đăng ký một máy, một lần. Hãy xin người quản trị cấp mã mới.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="43"/>
        <source>Too many wrong codes from this PC. Try again in %1 seconds.</source>
        <translation>Máy này đã nhập sai mã quá nhiều lần. Hãy thử lại sau %1 giây.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="45"/>
        <source>The counter this code was made for has been removed on the server. Ask the administrator for a new code.</source>
        <translation>Quầy được cấp mã này đã bị gỡ khỏi máy chủ. Hãy xin người quản trị cấp mã mới.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="47"/>
        <source>This code is for a display screen or a kiosk, not a counter. Ask the administrator for a counter&apos;s code.</source>
        <translation>Mã này dành cho màn hình hiển thị hoặc ki-ốt, không phải cho quầy. Hãy xin người quản trị mã của một quầy.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="49"/>
        <source>This PC&apos;s data directory is enrolled already.</source>
        <translation>Thư mục dữ liệu của máy này đã được đăng ký rồi.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="50"/>
        <source>The data on this PC belong to another centre. Call IT before enrolling it here.</source>
        <translation>Dữ liệu trên máy này thuộc trung tâm khác. Hãy gọi bộ phận CNTT trước khi đăng ký máy ở đây.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="55"/>
        <source>The server is older than this app and cannot sync with it. Update the server; until then this counter works offline.</source>
        <translation>Máy chủ cũ hơn ứng dụng này nên không đồng bộ được. Hãy cập nhật máy chủ; trong lúc chờ, quầy này làm việc ngoại tuyến.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="58"/>
        <source>The server is newer than this app and cannot sync with it. Install the app&apos;s new version on this PC; until then this counter works offline.</source>
        <translation>Máy chủ mới hơn ứng dụng này nên không đồng bộ được. Hãy cài phiên bản mới của ứng dụng lên máy này; trong lúc chờ, quầy này làm việc ngoại tuyến.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="61"/>
        <source>The server did not answer after the enrollment; the first sync will check the connection again.</source>
        <translation>Máy chủ không trả lời sau khi đăng ký; lần đồng bộ đầu tiên sẽ kiểm tra lại kết nối.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="63"/>
        <source>The installer&apos;s settings name counter %1, but the code made this PC counter %2. Check with the administrator which one is right.</source>
        <translation>Thiết lập của bộ cài ghi quầy %1, nhưng mã đã đăng ký máy này là quầy %2. Hãy hỏi người quản trị quầy nào mới đúng.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="73"/>
        <source>The enrollment failed (%1).</source>
        <translation>Đăng ký không thành công (%1).</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_texts.py" line="90"/>
        <source>The installer’s settings file %1 has a wrong value for “%2”. Type the values here, and ask IT to fix the file.</source>
        <translation>Tệp thiết lập của bộ cài %1 có giá trị sai ở “%2”. Hãy nhập các giá trị tại đây, và nhờ bộ phận CNTT sửa tệp.</translation>
    </message>
</context>
<context>
    <name>EnrollWizard</name>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="226"/>
        <source>First start — counterapp</source>
        <translation>Khởi động lần đầu — counterapp</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="229"/>
        <source>Connect this counter to the server</source>
        <translation>Kết nối quầy với máy chủ</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="229"/>
        <source>This PC is enrolled</source>
        <translation>Máy đã được đăng ký</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="230"/>
        <source>Printers of this counter</source>
        <translation>Máy in của quầy</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="235"/>
        <source>Enrolling with the server and code from the installer&apos;s settings (%1)…</source>
        <translation>Đang đăng ký với máy chủ và mã trong thiết lập của bộ cài (%1)…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="242"/>
        <source>This PC is not connected to the centre&apos;s server yet. Type the server&apos;s address and the one-time code the administrator created for this counter.</source>
        <translation>Máy này chưa được kết nối với máy chủ của trung tâm. Nhập địa chỉ máy chủ và mã dùng một lần mà người quản trị đã tạo cho quầy này.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="246"/>
        <source>Server address</source>
        <translation>Địa chỉ máy chủ</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="247"/>
        <source>One-time code</source>
        <translation>Mã dùng một lần</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="248"/>
        <source>Testing…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="248"/>
        <source>Test connection</source>
        <translation>Kiểm tra kết nối</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="249"/>
        <source>Centre</source>
        <translation>Trung tâm</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="250"/>
        <source>Counter</source>
        <translation>Quầy</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="251"/>
        <source>Server</source>
        <translation>Máy chủ</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="252"/>
        <source>Next: choose the printers and print a test page on each.</source>
        <translation>Tiếp theo: chọn máy in và in thử một trang trên mỗi máy.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="255"/>
        <source>Choose where receipts and queue tickets are printed, and print a test page on each. They can be changed later with “counterapp printer”.</source>
        <translation>Chọn nơi in giấy tiếp nhận và phiếu số thứ tự, rồi in thử một trang trên mỗi máy. Có thể đổi sau bằng lệnh “counterapp printer”.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="260"/>
        <source>Quit</source>
        <translation>Thoát</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="261"/>
        <source>&lt; Back</source>
        <translation>&lt; Quay lại</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="264"/>
        <source>Enrolling…</source>
        <translation>Đang đăng ký…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="264"/>
        <source>Enroll</source>
        <translation>Đăng ký</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="266"/>
        <source>Next &gt;</source>
        <translation>Tiếp &gt;</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="268"/>
        <source>Saving…</source>
        <translation>Đang lưu…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="268"/>
        <source>Finish and sign in</source>
        <translation>Xong, đăng nhập</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="331"/>
        <source>The server answers. Type the one-time code and press “Enroll”.</source>
        <translation>Máy chủ đã trả lời. Nhập mã dùng một lần rồi bấm “Đăng ký”.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="342"/>
        <source>Type the one-time code the administrator gave for this counter.</source>
        <translation>Nhập mã dùng một lần người quản trị đã cấp cho quầy này.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="367"/>
        <source>This PC is now counter %1.</source>
        <translation>Máy này giờ là quầy %1.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/enroll_wizard.py" line="420"/>
        <source>The printers were not saved: %1</source>
        <translation>Chưa lưu được máy in: %1</translation>
    </message>
</context>
<context>
    <name>HeldList</name>
    <message numerus="yes">
        <location filename="../../counterapp/gui/held_list.py" line="+53"/>
        <location line="+9"/>
        <source>On hold: %n</source>
        <translation>
            <numerusform>Đang tạm hoãn: %n</numerusform>
        </translation>
    </message>
    <message>
        <location line="-8"/>
        <source>Call back</source>
        <translation>Gọi lại số này</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call the selected held ticket back to the counter (double-click, Enter)</source>
        <translation>Gọi số đang tạm hoãn đã chọn trở lại quầy (bấm đúp hoặc Enter)</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>%1 min</source>
        <translation>%1 phút</translation>
    </message>
</context>
<context>
    <name>HelpMenu</name>
    <message>
        <location filename="../../counterapp/gui/about.py" line="0"/>
        <source>&amp;Help</source>
        <translation>T&amp;rợ giúp</translation>
    </message>
    <message>
        <location line="0"/>
        <source>About counterapp</source>
        <translation>Giới thiệu</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Create support bundle…</source>
        <translation>Tạo gói hỗ trợ…</translation>
    </message>
</context>
<context>
    <name>IntakeErrors</name>
    <message>
        <location filename="../../counterapp/gui/applicant_form.py" line="-200"/>
        <source>Enter the full name.</source>
        <translation>Nhập họ và tên.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The name is too long.</source>
        <translation>Họ tên quá dài.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A name may only contain letters, spaces, &apos; - and .</source>
        <translation>Họ tên chỉ được gồm chữ cái, dấu cách và các dấu &apos; - .</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the 12-digit ID number.</source>
        <translation>Nhập số định danh cá nhân gồm 12 chữ số.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID number may only contain digits.</source>
        <translation>Số định danh chỉ được gồm chữ số.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID number must have 12 digits.</source>
        <translation>Số định danh phải có đủ 12 chữ số.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The first three digits are not a known province code.</source>
        <translation>Ba chữ số đầu không phải mã tỉnh hợp lệ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The 4th digit (sex and century) is not possible.</source>
        <translation>Chữ số thứ 4 (giới tính và thế kỷ) không hợp lệ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID number does not match the year of birth.</source>
        <translation>Số định danh không khớp với năm sinh.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID number does not match the sex.</source>
        <translation>Số định danh không khớp với giới tính.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An old ID card number has 9 digits.</source>
        <translation>Số CMND cũ gồm 9 chữ số.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write the date as dd/mm/yyyy.</source>
        <translation>Nhập ngày theo dạng dd/mm/yyyy.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The date of birth is in the future.</source>
        <translation>Ngày sinh sau ngày hiện tại.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The date of birth is before 1900.</source>
        <translation>Ngày sinh trước năm 1900.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the address.</source>
        <translation>Nhập địa chỉ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The address is too long.</source>
        <translation>Địa chỉ quá dài.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a phone number.</source>
        <translation>Nhập số điện thoại.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The phone number may only contain digits.</source>
        <translation>Số điện thoại chỉ được gồm chữ số.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is not a Vietnamese phone number.</source>
        <translation>Không phải số điện thoại Việt Nam.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The phone number has the wrong number of digits.</source>
        <translation>Số điện thoại không đúng số chữ số.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No network uses this prefix.</source>
        <translation>Đầu số này không thuộc nhà mạng nào.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only Vietnamese numbers are accepted.</source>
        <translation>Chỉ chấp nhận số điện thoại Việt Nam.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is not an e-mail address.</source>
        <translation>Địa chỉ email không hợp lệ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The number of sets must be from 1 to 99.</source>
        <translation>Số bộ hồ sơ phải từ 1 đến 99.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This procedure does not return results by post.</source>
        <translation>Thủ tục này không trả kết quả qua bưu chính.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The note is too long.</source>
        <translation>Ghi chú quá dài.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This document is required.</source>
        <translation>Giấy tờ này là bắt buộc.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Counts must be from 0 to 99.</source>
        <translation>Số lượng phải từ 0 đến 99.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a procedure.</source>
        <translation>Chọn thủ tục hành chính.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This procedure is not in the catalogue.</source>
        <translation>Thủ tục này không có trong danh mục.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This procedure is not in force today.</source>
        <translation>Thủ tục này không còn hiệu lực (hoặc chưa có hiệu lực) vào hôm nay.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the reason.</source>
        <translation>Nhập lý do.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reason is too long.</source>
        <translation>Lý do quá dài.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tick at least one document.</source>
        <translation>Đánh dấu ít nhất một giấy tờ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The scanned code is not a CCCD QR code.</source>
        <translation>Mã vừa quét không phải mã QR trên thẻ CCCD.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This computer&apos;s clock is wrong: fix the date and time, then sync.</source>
        <translation>Đồng hồ máy tính bị sai: hãy chỉnh lại ngày giờ rồi đồng bộ.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No dossier numbers for today: connect to the server to get some.</source>
        <translation>Chưa có số hồ sơ cho hôm nay: hãy kết nối máy chủ để nhận.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The dossier numbers held are for another day: connect to the server.</source>
        <translation>Số hồ sơ đang giữ thuộc ngày khác: hãy kết nối máy chủ.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Today&apos;s dossier numbers are used up: connect to the server.</source>
        <translation>Đã dùng hết số hồ sơ của hôm nay: hãy kết nối máy chủ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer did not take the job; it stays queued.</source>
        <translation>Máy in chưa nhận lệnh in; lệnh vẫn nằm trong hàng đợi.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The queue ticket is not known at this counter today.</source>
        <translation>Quầy không có số thứ tự này trong hôm nay.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server no longer accepts this computer: nothing was saved. Call IT.</source>
        <translation>Máy chủ không còn chấp nhận máy tính này: chưa lưu gì. Hãy gọi bộ phận CNTT.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your account may not take in dossiers: nothing was saved.</source>
        <translation>Tài khoản của bạn không được tiếp nhận hồ sơ: chưa lưu gì.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Invalid value ({code}).</source>
        <translation>Giá trị không hợp lệ ({code}).</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not done: {reason}</source>
        <translation>Chưa thực hiện được: {reason}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unexpected error: {reason}</source>
        <translation>Lỗi không mong muốn: {reason}</translation>
    </message>
</context>
<context>
    <name>IntakePanel</name>
    <message>
        <location filename="../../counterapp/gui/intake_panel.py" line="+180"/>
        <source>Procedure</source>
        <translation>Thủ tục hành chính</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents received</source>
        <translation>Thành phần hồ sơ nhận</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applicant</source>
        <translation>Người nộp hồ sơ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Save and print receipt</source>
        <translation>&amp;Lưu và in giấy tiếp nhận</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New form</source>
        <translation>Hồ sơ &amp;mới</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Reprint</source>
        <translation>&amp;In lại</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Pre&amp;view</source>
        <translation>&amp;Xem trước</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open the receipt as a PDF</source>
        <translation>Mở giấy tiếp nhận dạng PDF</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Supplement (form 02)…</source>
        <translation>Bổ sung (Mẫu 02)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask for missing documents: form 02, printed for the applicant</source>
        <translation>Yêu cầu bổ sung giấy tờ còn thiếu: Mẫu 02, in cho người nộp</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refuse (form 03)…</source>
        <translation>Từ chối (Mẫu 03)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Refuse the dossier with a reason: form 03</source>
        <translation>Từ chối tiếp nhận hồ sơ, nêu rõ lý do: Mẫu 03</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Void…</source>
        <translation>Hủy hồ sơ…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received by mistake (e.g. the wrong procedure): withdraw this dossier</source>
        <translation>Tiếp nhận nhầm (ví dụ chọn sai thủ tục): rút hồ sơ này</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Received at: –</source>
        <translation>Thời gian nhận: –</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appointment: –</source>
        <translation>Ngày hẹn trả: –</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Received at: {when}</source>
        <translation>Thời gian nhận: {when}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Appointment: {when}</source>
        <translation>Ngày hẹn trả: {when}</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>No queue ticket: the dossier is taken without one.</source>
        <translation>Không có số thứ tự: hồ sơ được tiếp nhận không gắn số.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ticket {number}: this dossier is linked to it.</source>
        <translation>Số {number}: hồ sơ này đã gắn với số thứ tự.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ticket {number}: the dossier will be linked to it.</source>
        <translation>Số {number}: hồ sơ sẽ được gắn với số thứ tự này.</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Saving…</source>
        <translation>Đang lưu…</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Dossier {code} received.</source>
        <translation>Đã tiếp nhận hồ sơ {code}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server did not answer in time: the code is from this counter&apos;s offline range.</source>
        <translation>Máy chủ không trả lời kịp: mã hồ sơ lấy từ dải số dự phòng ngoại tuyến của quầy.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Check the highlighted fields.</source>
        <translation>Kiểm tra lại các ô được đánh dấu.</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>New form</source>
        <translation>Hồ sơ mới</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This form has not been saved. Start a new one and discard what was typed?</source>
        <translation>Hồ sơ này chưa được lưu. Bắt đầu hồ sơ mới và bỏ những gì đã nhập?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Discard and start a new form</source>
        <translation>Bỏ và bắt đầu hồ sơ mới</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep this form</source>
        <translation>Giữ hồ sơ đang nhập</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Recorded, but not queued for printing: {reason}</source>
        <translation>Đã lưu nhưng chưa đưa vào hàng đợi in: {reason}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The PDF is saved in {folder}</source>
        <translation>Tệp PDF đã được lưu tại {folder}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Printed on {printer}.</source>
        <translation>Đã in trên máy {printer}.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not printed on {printer} (the job stays queued): {reason}</source>
        <translation>Chưa in được trên máy {printer} (lệnh in vẫn trong hàng đợi): {reason}</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Preview: {path}</source>
        <translation>Xem trước: {path}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Preview receipt</source>
        <translation>Xem trước giấy tiếp nhận</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No program on this computer opens PDF files. The receipt is saved here:</source>
        <translation>Máy tính này không có chương trình mở tệp PDF. Giấy tiếp nhận được lưu tại:</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Supplement request recorded.</source>
        <translation>Đã lưu phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refusal recorded.</source>
        <translation>Đã lưu phiếu từ chối tiếp nhận.</translation>
    </message>
</context>
<context>
    <name>LeaveDialog</name>
    <message>
        <location filename="../../counterapp/gui/leave_guard.py" line="+57"/>
        <source>Close the counter window</source>
        <translation>Đóng cửa sổ quầy</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sign out</source>
        <translation>Đăng xuất</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ticket {number} is still at the counter. The next clerk would find it as theirs.</source>
        <translation>Số {number} vẫn đang ở quầy. Cán bộ sau sẽ nhận số này như của mình.</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n change(s) have not reached the server yet. They are kept on this computer and sent as soon as it is connected: do not reinstall or wipe it until then.</source>
        <translation>
            <numerusform>%n thay đổi chưa được gửi lên máy chủ. Dữ liệu vẫn được giữ trên máy này và sẽ tự gửi khi có kết nối: không cài lại hay xóa máy trước khi gửi xong.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close anyway</source>
        <translation>Vẫn đóng</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sign out anyway</source>
        <translation>Vẫn đăng xuất</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Finish {number} and leave</source>
        <translation>Hoàn thành số {number} rồi thoát</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hold {number} and leave</source>
        <translation>Tạm hoãn số {number} rồi thoát</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stay</source>
        <translation>Ở lại</translation>
    </message>
</context>
<context>
    <name>LockDialog</name>
    <message>
        <location filename="../../counterapp/gui/lock.py" line="+154"/>
        <source>Counter locked</source>
        <translation>Quầy đã khóa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The counter is locked</source>
        <translation>Quầy đang khóa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed in: %1 (%2)</source>
        <translation>Đang đăng nhập: %1 (%2)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ticket {number} is still at the counter.</source>
        <translation>Số {number} vẫn đang ở quầy.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter your password to continue</source>
        <translation>Nhập mật khẩu để tiếp tục</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlocking…</source>
        <translation>Đang mở khóa…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unlock</source>
        <translation>Mở khóa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out</source>
        <translation>Đăng xuất</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../counterapp/gui/login.py" line="+38"/>
        <source>Enter your username.</source>
        <translation>Nhập tên đăng nhập.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter your password.</source>
        <translation>Nhập mật khẩu.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong username or password.</source>
        <translation>Sai tên đăng nhập hoặc mật khẩu.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong password.</source>
        <translation>Sai mật khẩu.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This account is deactivated. Ask the centre&apos;s administrator.</source>
        <translation>Tài khoản này đã bị vô hiệu hóa. Liên hệ quản trị viên của Trung tâm.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This account belongs to another centre.</source>
        <translation>Tài khoản này thuộc trung tâm khác.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server cannot be reached, and this user has not signed in on this counter before. Sign in once while connected.</source>
        <translation>Không kết nối được máy chủ, và người dùng này chưa từng đăng nhập trên quầy này. Hãy đăng nhập một lần khi có kết nối.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The server cannot be reached, and the offline sign-in has expired.</source>
        <translation>Không kết nối được máy chủ, và phiên đăng nhập ngoại tuyến đã hết hạn.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server refused this computer. Call IT to enrol it again.</source>
        <translation>Máy chủ từ chối máy tính này. Hãy gọi bộ phận CNTT để đăng ký lại.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Too many wrong passwords. Try again in %1 seconds.</source>
        <translation>Nhập sai mật khẩu quá nhiều lần. Hãy thử lại sau %1 giây.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Sign-in failed (%1).</source>
        <translation>Đăng nhập không thành công (%1).</translation>
    </message>
    <message>
        <location line="+83"/>
        <source>Sign in — counterapp</source>
        <translation>Đăng nhập — counterapp</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in to the counter</source>
        <translation>Đăng nhập quầy</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Username</source>
        <translation>Tên đăng nhập</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>Mật khẩu</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signing in…</source>
        <translation>Đang đăng nhập…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sign in</source>
        <translation>Đăng nhập</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quit</source>
        <translation>Thoát</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../counterapp/gui/mainwindow.py" line="+61"/>
        <source>Counter</source>
        <translation>Quầy</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Intake</source>
        <translation>Tiếp nhận</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dossiers</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <location line="+177"/>
        <source>counterapp — one-stop counter</source>
        <translation>counterapp — quầy một cửa</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>(signed in offline)</source>
        <translation>(đăng nhập ngoại tuyến)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>“%1” is not available in this version yet.</source>
        <translation>Phiên bản này chưa có chức năng “%1”.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Counter</source>
        <translation>&amp;Quầy</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lock now</source>
        <translation>&amp;Khóa quầy ngay</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Sync now</source>
        <translation>Đồng &amp;bộ ngay</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign &amp;out</source>
        <translation>Đăng &amp;xuất</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Re-enroll this PC…</source>
        <translation>Đăng ký &amp;lại máy này…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Queue</source>
        <translation>&amp;Hàng đợi</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Undo no-show</source>
        <translation>Hoàn tác vắng mặt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Go to</source>
        <translation>Đi &amp;tới</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>New intake form</source>
        <translation>Hồ sơ tiếp nhận mới</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save intake and print receipt</source>
        <translation>Lưu hồ sơ và in giấy tiếp nhận</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Find a dossier</source>
        <translation>Tìm hồ sơ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language</source>
        <translation>&amp;Ngôn ngữ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The counter is locked.</source>
        <translation>Quầy đang khóa.</translation>
    </message>
    <message>
        <location line="+148"/>
        <source>Syncing now…</source>
        <translation>Đang đồng bộ…</translation>
    </message>
</context>
<context>
    <name>PauseDialog</name>
    <message>
        <location filename="../../counterapp/gui/queue_dialogs.py" line="+11"/>
        <source>Write a reason.</source>
        <translation>Hãy ghi lý do.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reason is too long: at most 200 characters.</source>
        <translation>Lý do quá dài: tối đa 200 ký tự.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The reason holds a character that cannot be sent.</source>
        <translation>Lý do có ký tự không gửi được.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No phone or ID numbers here: the shift lead&apos;s board shows the reason.</source>
        <translation>Không ghi số điện thoại hay số định danh: lý do hiện trên bảng của trưởng ca.</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Pause the counter</source>
        <translation>Tạm nghỉ quầy</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason:</source>
        <translation>Lý do:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Break</source>
        <translation>Nghỉ giải lao</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Meeting</source>
        <translation>Họp</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Processing dossiers</source>
        <translation>Xử lý hồ sơ</translation>
    </message>
</context>
<context>
    <name>PrinterChooser</name>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="40"/>
        <source>No printer</source>
        <translation>Không có máy in</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="41"/>
        <source>PDF files in a folder</source>
        <translation>Tệp PDF trong một thư mục</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="42"/>
        <source>Thermal printer on the network (port 9100)</source>
        <translation>Máy in nhiệt qua mạng (cổng 9100)</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="43"/>
        <source>Thermal printer installed in Windows</source>
        <translation>Máy in nhiệt đã cài trong Windows</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="44"/>
        <source>Thermal printer installed in CUPS</source>
        <translation>Máy in nhiệt đã cài trong CUPS</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="45"/>
        <source>Office printer (PDF through the system)</source>
        <translation>Máy in văn phòng (PDF qua hệ thống)</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="46"/>
        <source>Thermal printer on USB</source>
        <translation>Máy in nhiệt cổng USB</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="47"/>
        <source>Thermal printer on a serial port</source>
        <translation>Máy in nhiệt cổng nối tiếp (COM)</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="48"/>
        <source>Thermal printer device file</source>
        <translation>Máy in nhiệt qua tệp thiết bị</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="140"/>
        <source>Receipt printer (form 01 and the other forms)</source>
        <translation>Máy in giấy tiếp nhận (Mẫu 01 và các mẫu khác)</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="142"/>
        <source>Ticket printer (queue slips)</source>
        <translation>Máy in phiếu số thứ tự</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="146"/>
        <source>Printer</source>
        <translation>Máy in</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="148"/>
        <source>Folder</source>
        <translation>Thư mục</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="149"/>
        <source>Address (IP)</source>
        <translation>Địa chỉ (IP)</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="150"/>
        <source>Port</source>
        <translation>Cổng</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="151"/>
        <source>System printer</source>
        <translation>Máy in của hệ thống</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="152"/>
        <source>Device</source>
        <translation>Thiết bị</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="153"/>
        <source>USB vendor id</source>
        <translation>Mã hãng USB</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="154"/>
        <source>USB product id</source>
        <translation>Mã sản phẩm USB</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="155"/>
        <source>Paper roll</source>
        <translation>Khổ giấy cuộn</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="156"/>
        <source>Paper size</source>
        <translation>Khổ giấy</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="160"/>
        <source>Browse…</source>
        <translation>Chọn…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="161"/>
        <source>Printing…</source>
        <translation>Đang in…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="161"/>
        <source>Print a test page</source>
        <translation>In thử một trang</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="187"/>
        <source>Folder for the PDF files</source>
        <translation>Thư mục chứa tệp PDF</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="225"/>
        <source>Missing or not valid: %1.</source>
        <translation>Thiếu hoặc không hợp lệ: %1.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="263"/>
        <source>The test page was sent. Check that it came out of the printer.</source>
        <translation>Đã gửi trang in thử. Hãy xem trang đã ra khỏi máy in chưa.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="265"/>
        <source>The test page was saved as %1.</source>
        <translation>Đã lưu trang in thử thành %1.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/printer_chooser.py" line="271"/>
        <source>The printer did not print: %1</source>
        <translation>Máy in không in được: %1</translation>
    </message>
</context>
<context>
    <name>ProcedurePicker</name>
    <message>
        <location filename="../../counterapp/gui/procedure_picker.py" line="+55"/>
        <source>Type a procedure code or name (no accents needed)</source>
        <translation>Gõ mã hoặc tên thủ tục (không cần gõ dấu)</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <location filename="../../counterapp/gui/queue_panel.py" line="+207"/>
        <source>Dismiss</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Undo no-show</source>
        <translation>Hoàn tác vắng mặt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>At the counter</source>
        <translation>Đang tại quầy</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offline: Call next takes only tickets dealt to this counter and walk-ins.</source>
        <translation>Ngoại tuyến: “Gọi số tiếp theo” chỉ gọi các số đã phân cho quầy này và khách đến trực tiếp.</translation>
    </message>
    <message>
        <location line="+134"/>
        <source>Paused: {reason}</source>
        <translation>Tạm nghỉ: {reason}</translation>
    </message>
    <message>
        <location line="+148"/>
        <source>Counter paused.</source>
        <translation>Quầy đã tạm nghỉ.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Ticket {number} called again ({count}×).</source>
        <translation>Đã gọi lại số {number} (lần {count}).</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/queue_models.py" line="+218"/>
        <location filename="../../counterapp/gui/queue_panel.py" line="-178"/>
        <source>Waiting</source>
        <translation>Đang chờ</translation>
    </message>
    <message numerus="yes">
        <location filename="../../counterapp/gui/queue_panel.py" line="+5"/>
        <source>Waiting: %n ticket(s)</source>
        <translation>
            <numerusform>Đang chờ: %n số</numerusform>
        </translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Ticket {number} was marked as a no-show.</source>
        <translation>Số {number} đã ghi vắng mặt.</translation>
    </message>
    <message>
        <location line="+142"/>
        <source>Counter resumed.</source>
        <translation>Quầy đã làm việc trở lại.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Ticket {number}: {state}</source>
        <translation>Số {number}: {state}</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/queue_models.py" line="-74"/>
        <source>Call next</source>
        <translation>Gọi số tiếp theo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recall</source>
        <translation>Gọi lại</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start</source>
        <translation>Bắt đầu phục vụ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finish</source>
        <translation>Hoàn thành</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+74"/>
        <source>No-show</source>
        <translation>Vắng mặt</translation>
    </message>
    <message>
        <location line="-73"/>
        <source>Hold</source>
        <translation>Tạm hoãn</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transfer…</source>
        <translation>Chuyển số…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call number…</source>
        <translation>Gọi theo số…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pause…</source>
        <translation>Tạm nghỉ…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resume</source>
        <translation>Làm việc tiếp</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No one is waiting for your services right now.</source>
        <translation>Hiện không có ai chờ dịch vụ của quầy.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other counters were calling at the same moment. Please try again.</source>
        <translation>Quầy khác đang gọi số cùng lúc. Vui lòng thử lại.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>There is no such ticket today.</source>
        <translation>Hôm nay không có số này.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>That is not a ticket number. Type it as printed, e.g. A012.</source>
        <translation>Không phải số thứ tự. Nhập đúng như in trên phiếu, VD: A012.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+10"/>
        <source>This step is not possible for the ticket as it is now.</source>
        <translation>Không thể thực hiện bước này với số ở trạng thái hiện tại.</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>The ticket was recalled too often. Mark it as no-show.</source>
        <translation>Số này đã được gọi lại quá nhiều lần. Hãy đánh dấu vắng mặt.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a different service to transfer to.</source>
        <translation>Chọn dịch vụ khác để chuyển sang.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>This ticket is being served at another counter.</source>
        <translation>Số này đang được phục vụ tại quầy khác.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Another counter has already called this ticket.</source>
        <translation>Quầy khác đã gọi số này.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This ticket belongs to another counter&apos;s list.</source>
        <translation>Số này thuộc danh sách của quầy khác.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This counter does not serve that service.</source>
        <translation>Quầy này không phục vụ dịch vụ đó.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This counter is not set up yet. Ask the administrator.</source>
        <translation>Quầy này chưa được thiết lập. Liên hệ quản trị viên.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This counter has no ticket numbers for today. Connect to sync.</source>
        <translation>Quầy chưa có dải số thứ tự cho hôm nay. Hãy kết nối để đồng bộ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The shift lead has closed this counter.</source>
        <translation>Trưởng ca đã đóng quầy này.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The no-show can no longer be undone: call the ticket by its number (F9).</source>
        <translation>Không hoàn tác được nữa: hãy gọi theo số (F9).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This counter has used all its ticket numbers. Connect to sync.</source>
        <translation>Quầy đã dùng hết dải số thứ tự. Hãy kết nối để đồng bộ.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No ticket at the counter</source>
        <translation>Chưa có số nào tại quầy</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The step was refused ({code}).</source>
        <translation>Thao tác bị từ chối ({code}).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong and the step was not done. Details are in the log.</source>
        <translation>Đã xảy ra lỗi, thao tác chưa được thực hiện. Chi tiết đã ghi vào nhật ký.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Ticket {number}: another counter called it first.</source>
        <translation>Số {number}: quầy khác đã gọi trước.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket {number}: it was in another counter&apos;s list.</source>
        <translation>Số {number}: số này thuộc danh sách của quầy khác.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket {number}: the server had it at another counter.</source>
        <translation>Số {number}: máy chủ ghi nhận số này ở quầy khác.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket {number}: this counter does not serve its service.</source>
        <translation>Số {number}: quầy này không phục vụ dịch vụ của số này.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{number}: the server did not accept a step ({code}).</source>
        <translation>{number}: máy chủ không chấp nhận một thao tác ({code}).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Called, waiting for the citizen</source>
        <translation>Đã gọi, đang chờ công dân</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Serving</source>
        <translation>Đang phục vụ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done</source>
        <translation>Đã xong</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>On hold</source>
        <translation>Đang tạm hoãn</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>The counter is paused: press F12 to resume first.</source>
        <translation>Quầy đang tạm nghỉ: bấm F12 để tiếp tục trước.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No ticket at the counter: press F2 to call the next one.</source>
        <translation>Chưa có số nào tại quầy: bấm F2 để gọi số tiếp theo.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ticket {number} is still at the counter: finish it (F5), mark a no-show (F6) or hold it (F7) first.</source>
        <translation>Số {number} vẫn đang ở quầy: hãy hoàn thành (F5), ghi vắng mặt (F6) hoặc tạm hoãn (F7) trước.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ticket {number} has not been started: press F4 when the citizen sits down.</source>
        <translation>Số {number} chưa bắt đầu phục vụ: bấm F4 khi công dân đến quầy.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{step} is not possible for ticket {number} now ({state}).</source>
        <translation>Không thể {step} với số {number} lúc này ({state}).</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>called again (%1×)</source>
        <translation>đã gọi lại %1 lần</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Waited %1 min before the call</source>
        <translation>Đã chờ %1 phút trước khi được gọi</translation>
    </message>
</context>
<context>
    <name>ReenrollDialog</name>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="108"/>
        <source>Re-enroll this PC</source>
        <translation>Đăng ký lại máy này</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="110"/>
        <source>Use this when this PC replaces another counter&apos;s PC or moves to another counter. Ask the administrator for a new device code (counterapp-server admin create-device --kind counter --counter N). The unsent work is sent first, or exported to a file; nothing on this PC is deleted: the current data stay in %1.</source>
        <translation>Dùng khi máy này thay cho máy của một quầy khác hoặc chuyển sang quầy khác. Hãy xin người quản trị mã của một thiết bị mới (counterapp-server admin create-device --kind counter --counter N). Công việc chưa gửi sẽ được gửi trước, hoặc xuất ra tệp; không có gì trên máy này bị xóa: dữ liệu hiện tại vẫn nằm ở %1.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="115"/>
        <source>Sending…</source>
        <translation>Đang gửi…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="115"/>
        <source>Send unsent work now</source>
        <translation>Gửi ngay công việc chưa gửi</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="116"/>
        <source>Export unsent work to a file…</source>
        <translation>Xuất công việc chưa gửi ra tệp…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="117"/>
        <source>Server address</source>
        <translation>Địa chỉ máy chủ</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="118"/>
        <source>New one-time code</source>
        <translation>Mã dùng một lần mới</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="119"/>
        <source>Enrolling…</source>
        <translation>Đang đăng ký…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="119"/>
        <source>Re-enroll</source>
        <translation>Đăng ký lại</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="137"/>
        <source>Sending the unsent work to the server…</source>
        <translation>Đang gửi công việc chưa gửi lên máy chủ…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="139"/>
        <source>Counting the unsent work…</source>
        <translation>Đang đếm công việc chưa gửi…</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="141"/>
        <source>All the work of this counter is on the server.</source>
        <translation>Toàn bộ công việc của quầy này đã có trên máy chủ.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="143"/>
        <source>%1 unsent changes were exported to %2. Import that file on the server (counterapp-server import) before removing this PC&apos;s old data.</source>
        <translation>Đã xuất %1 thay đổi chưa gửi ra %2. Hãy nhập tệp đó vào máy chủ (counterapp-server import) trước khi xóa dữ liệu cũ của máy này.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="147"/>
        <source>%1 changes could not be sent to the server. Export them to a file; it will be imported on the server.</source>
        <translation>%1 thay đổi không gửi được lên máy chủ. Hãy xuất chúng ra tệp; tệp sẽ được nhập vào máy chủ.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="150"/>
        <source>%1 changes are not on the server yet.</source>
        <translation>%1 thay đổi chưa có trên máy chủ.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="215"/>
        <source>Export unsent work</source>
        <translation>Xuất công việc chưa gửi</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="216"/>
        <source>counterapp export (*.json)</source>
        <translation>Tệp xuất counterapp (*.json)</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="241"/>
        <source>The export failed: %1</source>
        <translation>Xuất tệp không thành công: %1</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="252"/>
        <source>Type the new one-time code.</source>
        <translation>Nhập mã dùng một lần mới.</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/reenroll_dialog.py" line="273"/>
        <source>%1 changes are neither sent nor exported.</source>
        <translation>%1 thay đổi chưa được gửi cũng chưa được xuất.</translation>
    </message>
</context>
<context>
    <name>RefusalDialog</name>
    <message>
        <location filename="../../counterapp/gui/intake_dialogs.py" line="+142"/>
        <source>Refuse the dossier (form 03)</source>
        <translation>Từ chối tiếp nhận hồ sơ (Mẫu 03)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Procedure: {name}</source>
        <translation>Thủ tục: {name}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Reason for refusal</source>
        <translation>&amp;Lý do từ chối</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Legal basis</source>
        <translation>&amp;Căn cứ pháp lý</translation>
    </message>
</context>
<context>
    <name>RegisterModel</name>
    <message>
        <location filename="../../counterapp/gui/dossier_models.py" line="+129"/>
        <source>No.</source>
        <translation>STT</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Code</source>
        <translation>Mã hồ sơ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applicant / owner</source>
        <translation>Chủ hồ sơ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Procedure</source>
        <translation>Thủ tục</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sets</source>
        <translation>Số bộ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received</source>
        <translation>Giờ nhận</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due</source>
        <translation>Ngày hẹn trả</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Returned</source>
        <translation>Đã trả (người nhận)</translation>
    </message>
</context>
<context>
    <name>RegisterView</name>
    <message>
        <location filename="../../counterapp/gui/register_view.py" line="+96"/>
        <source>&amp;Date:</source>
        <translation>Ngà&amp;y:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Làm mới</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Print register</source>
        <translation>&amp;In sổ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The day&apos;s register on A4 landscape, opened as a PDF to print</source>
        <translation>Sổ theo dõi hồ sơ trong ngày, khổ A4 ngang, mở dạng PDF để in</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E&amp;xport to Excel…</source>
        <translation>&amp;Xuất Excel…</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>The register could not be read: %1</source>
        <translation>Không đọc được sổ theo dõi hồ sơ: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+16"/>
        <source>%n dossier(s) received on %1</source>
        <translation>
            <numerusform>%n hồ sơ tiếp nhận ngày %1</numerusform>
        </translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The register is saved as %1</source>
        <translation>Sổ theo dõi đã lưu tại %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No program on this computer opens PDF files. The register is saved here:</source>
        <translation>Máy tính này không có chương trình mở tệp PDF. Sổ theo dõi được lưu tại:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export the register</source>
        <translation>Xuất sổ theo dõi</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Tệp Excel (*.xlsx)</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>The register is exported to %1</source>
        <translation>Đã xuất sổ theo dõi ra %1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The register could not be written: %1</source>
        <translation>Không ghi được sổ theo dõi: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Day&apos;s register</source>
        <translation>Sổ theo dõi hồ sơ trong ngày</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <location filename="../../counterapp/gui/return_dialog.py" line="+58"/>
        <location line="+5"/>
        <source>Return result</source>
        <translation>Trả kết quả</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Hand over the result of dossier %1.</source>
        <translation>Trả kết quả hồ sơ %1.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Collected by:</source>
        <translation>&amp;Người nhận:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Note:</source>
        <translation>&amp;Ghi chú:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. collected on behalf, with a letter of authorisation</source>
        <translation>VD: nhận thay, có giấy ủy quyền</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../counterapp/gui/statusbar.py" line="+170"/>
        <source>Lost connection to the server — keep working as usual, data will sync later</source>
        <translation>Mất kết nối máy chủ — vẫn làm việc bình thường, dữ liệu sẽ đồng bộ sau</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Connecting…</source>
        <translation>Đang kết nối…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Online</source>
        <translation>Trực tuyến</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Last sync: %1</source>
        <translation>Đồng bộ lần cuối: %1</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>Not synced yet</source>
        <translation>Chưa đồng bộ</translation>
    </message>
    <message>
        <location line="-164"/>
        <source>the printer does not answer</source>
        <translation>máy in không phản hồi</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the PDF folder cannot be written</source>
        <translation>không ghi được vào thư mục PDF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>this connection is not supported here</source>
        <translation>kiểu kết nối này không dùng được trên máy</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>wrong printer for this document</source>
        <translation>sai loại máy in cho giấy tờ này</translation>
    </message>
    <message>
        <location line="+113"/>
        <source>Printer %1: not printed</source>
        <translation>Máy in %1: chưa in được</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Printer %1: ready</source>
        <translation>Máy in %1: sẵn sàng</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Offline, retrying</source>
        <translation>Mất kết nối, đang thử lại</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+R: try now</source>
        <translation>Ctrl+R: thử ngay</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Synced %1</source>
        <translation>Đồng bộ %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Numbers left for offline work:</source>
        <translation>Số còn lại để làm việc ngoại tuyến:</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Sync stopped (%1): call IT</source>
        <translation>Đồng bộ bị dừng (%1): hãy gọi bộ phận CNTT</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing to send</source>
        <translation>Đã gửi hết</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n change(s) to send</source>
        <translation>
            <numerusform>Chờ gửi: %n</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(oldest %1)</source>
        <translation>(cũ nhất %1)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Left: %1 codes · %2 tickets</source>
        <translation>Còn: %1 mã HS · %2 số</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This computer&apos;s clock is %1 s off the server&apos;s: dossier codes and receipts are blocked until the clock is corrected</source>
        <translation>Đồng hồ máy tính lệch %1 giây so với máy chủ: tạm khóa cấp mã hồ sơ và giấy tiếp nhận cho đến khi chỉnh lại đồng hồ</translation>
    </message>
    <message>
        <location filename="../../counterapp/gui/statusbar.py" line="0"/>
        <source>The counter software is newer than the server — keep working as usual, call IT to update the server; data will sync after the update</source>
        <translation>Phần mềm quầy mới hơn máy chủ — vẫn làm việc bình thường, gọi bộ phận CNTT để cập nhật máy chủ; dữ liệu sẽ đồng bộ sau khi cập nhật</translation>
    </message>
    <message>
        <location line="0"/>
        <source>The server needs a newer version of the counter software — keep working as usual, call IT to update this computer; data will sync after the update</source>
        <translation>Máy chủ cần phiên bản mới hơn của phần mềm quầy — vẫn làm việc bình thường, gọi bộ phận CNTT để cập nhật máy này; dữ liệu sẽ đồng bộ sau khi cập nhật</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Update needed</source>
        <translation>Cần cập nhật</translation>
    </message>
    <message>
        <location line="-50"/>
        <source>Keys in a file</source>
        <translation>Khóa ở tệp</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No OS keystore runs on this PC: the key of the local data and this counter&apos;s credential are kept in files of its data directory, readable by this account only. Tell IT.</source>
        <translation>Máy này không có kho khóa của hệ điều hành: khóa của dữ liệu trên máy và thông tin xác thực của quầy được lưu trong tệp của thư mục dữ liệu, chỉ tài khoản này đọc được. Hãy báo bộ phận CNTT.</translation>
    </message>
</context>
<context>
    <name>SupplementDialog</name>
    <message>
        <location filename="../../counterapp/gui/intake_dialogs.py" line="-42"/>
        <source>Request a supplement (form 02)</source>
        <translation>Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tick every document the applicant must bring or complete:</source>
        <translation>Đánh dấu mọi giấy tờ người nộp cần bổ sung hoặc hoàn thiện:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Reason / guidance</source>
        <translation>&amp;Lý do / hướng dẫn</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Tick at least one document.</source>
        <translation>Đánh dấu ít nhất một giấy tờ.</translation>
    </message>
</context>
<context>
    <name>SupportBundler</name>
    <message>
        <location filename="../../counterapp/gui/about.py" line="0"/>
        <source>Save the support bundle</source>
        <translation>Lưu gói hỗ trợ</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Support bundle saved: %1 — send this file to IT</source>
        <translation>Đã lưu gói hỗ trợ: %1 — gửi tệp này cho bộ phận CNTT</translation>
    </message>
    <message>
        <location line="0"/>
        <source>The support bundle could not be written: %1</source>
        <translation>Không ghi được gói hỗ trợ: %1</translation>
    </message>
    <message>
        <location line="0"/>
        <source>Zip files (*.zip)</source>
        <translation>Tệp zip (*.zip)</translation>
    </message>
</context>
<context>
    <name>TicketStrip</name>
    <message>
        <location filename="../../counterapp/gui/ticket_strip.py" line="+43"/>
        <source>The counter is paused.</source>
        <translation>Quầy đang tạm nghỉ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>F12 resume</source>
        <translation>F12 tiếp tục</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>No ticket at the counter · %n waiting</source>
        <translation>
            <numerusform>Chưa có số tại quầy · %n số đang chờ</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>F2 call next · Ctrl+1 queue</source>
        <translation>F2 gọi số tiếp · Ctrl+1 hàng đợi</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>At the counter: {number} · {service} · {state}</source>
        <translation>Tại quầy: {number} · {service} · {state}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>F5 finish · F7 hold · F8 transfer</source>
        <translation>F5 hoàn thành · F7 tạm hoãn · F8 chuyển</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>F4 start · F3 recall · F6 no-show</source>
        <translation>F4 bắt đầu · F3 gọi lại · F6 vắng mặt</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../counterapp/gui/queue_dialogs.py" line="-96"/>
        <source>Transfer ticket</source>
        <translation>Chuyển số</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move the ticket to this service (it keeps its number):</source>
        <translation>Chuyển số sang dịch vụ này (giữ nguyên số thứ tự):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason (optional, no personal data):</source>
        <translation>Lý do (không bắt buộc, không ghi dữ liệu cá nhân):</translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <location filename="../../counterapp/gui/void_dossier.py" line="+30"/>
        <source>Write why the dossier is voided.</source>
        <translation>Hãy ghi lý do hủy hồ sơ.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The reason is too long: at most 500 characters.</source>
        <translation>Lý do quá dài: tối đa 500 ký tự.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This dossier is already withdrawn.</source>
        <translation>Hồ sơ này đã được rút.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only a dossier still waiting to be processed can be voided here.</source>
        <translation>Chỉ hủy được hồ sơ chưa chuyển xử lý.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only a dossier received today can be voided here; ask the back office.</source>
        <translation>Chỉ hủy được hồ sơ tiếp nhận trong hôm nay; hãy liên hệ bộ phận xử lý.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only the counter that received the dossier can void it.</source>
        <translation>Chỉ quầy đã tiếp nhận hồ sơ mới hủy được.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>There is no such dossier on this counter.</source>
        <translation>Quầy không có hồ sơ này.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The dossier was not voided ({code}).</source>
        <translation>Chưa hủy được hồ sơ ({code}).</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Void a dossier received by mistake</source>
        <translation>Hủy hồ sơ tiếp nhận nhầm</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dossier {code} will be withdrawn. Its code is never given again and the register keeps the line as withdrawn. Take the dossier in again under the right procedure.</source>
        <translation>Hồ sơ {code} sẽ được rút. Mã hồ sơ không cấp lại cho hồ sơ khác và sổ theo dõi ghi dòng này là đã rút. Hãy tiếp nhận lại hồ sơ theo đúng thủ tục.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Reason</source>
        <translation>&amp;Lý do</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>e.g. wrong procedure chosen</source>
        <translation>ví dụ: chọn sai thủ tục</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Void the dossier</source>
        <translation>Hủy hồ sơ</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Dossier {code} is voided (withdrawn); its code is not reused.</source>
        <translation>Đã hủy hồ sơ {code} (đã rút); mã không dùng lại.</translation>
    </message>
</context>
<context>
    <name>WaitingTicketsModel</name>
    <message>
        <location filename="../../counterapp/gui/queue_models.py" line="-193"/>
        <source>Number</source>
        <translation>Số</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Service</source>
        <translation>Dịch vụ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Priority</source>
        <translation>Ưu tiên</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Waited (min)</source>
        <translation>Đã chờ (phút)</translation>
    </message>
</context>
<context>
    <name>_ReasonDialog</name>
    <message>
        <location filename="../../counterapp/gui/intake_dialogs.py" line="-47"/>
        <source>Enter the reason.</source>
        <translation>Nhập lý do.</translation>
    </message>
</context>
</TS>
