"""Whatever name a browser sends with a file, what is shown and offered for download is one plain
file name: no folders, no control characters, at most 200 characters, its extension kept."""
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from onestop.core.storage import display_name


@given(st.text(max_size=400))
def test_a_display_name_is_one_plain_file_name(name):
    shown = display_name(name)
    assert shown and len(shown) <= 200
    assert "/" not in shown and "\\" not in shown
    assert not any(unicodedata.category(ch)[0] == "C" for ch in shown)
    assert shown == unicodedata.normalize("NFC", shown)
    assert shown not in (".", "..")


@given(st.text(alphabet=st.characters(categories=("L", "N")), min_size=190, max_size=300))
def test_a_long_name_keeps_its_extension(stem):
    assert display_name(stem + ".pdf").endswith(".pdf")


def test_vietnamese_names_stay_as_typed():
    decomposed = unicodedata.normalize("NFD", "Giấy chứng nhận quyền sử dụng đất.pdf")
    assert display_name("C:/Scans/" + decomposed) == "Giấy chứng nhận quyền sử dụng đất.pdf"
