import unicodedata

from counterapp.domain.text import clean, nfc, search_key


def test_nfc_composes_decomposed_vietnamese():
    # GIVEN text typed by an input method that emits combining marks (NFD)
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Tuyến")
    assert decomposed != "Nguyễn Thị Tuyến"
    # THEN the boundary stores the composed form
    assert nfc(decomposed) == "Nguyễn Thị Tuyến"


def test_clean_folds_all_whitespace_and_trims():
    assert clean("  Trần\u00a0 Văn\t\nBình  ") == "Trần Văn Bình"


def test_search_key_drops_every_tone_and_letter_mark():
    # all five tones, plus đ/Đ, ư/ơ, â/ê/ô/ă
    assert search_key("Nguyễn Thị Tuyến") == "nguyen thi tuyen"
    assert search_key("Đặng Hữu Phước") == "dang huu phuoc"
    assert search_key("Lê Ánh Hằng Ỷ Ọ") == "le anh hang y o"
    assert search_key("ĐƯỜNG Ơ Â Ê Ô Ă") == "duong o a e o a"


def test_search_key_is_the_same_for_nfd_input():
    assert search_key(unicodedata.normalize("NFD", "Phạm Thị Hồng")) == "pham thi hong"
