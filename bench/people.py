"""Applicants with Vietnamese names as common as they are in life, for the bulk loaders.

Family names with their approximate shares of the population (Nguyễn about 38 %, Trần 11 %, Lê 9.5 %…),
a middle name (Văn and Thị most often) and a given name, so that a search for "nguyen van an" meets
thousands of namesakes in 2,000,000 dossiers, as it would in a province. Drawn from a generator of
its own, so the loaders' other random draws (and the reports' figures) stay as they were.
"""
import random

from onestop.core.folding import fold

FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 1.5), ("Phan", 4.5),
          ("Vũ", 3.9), ("Võ", 1.5), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
          ("Dương", 1), ("Lý", 0.5), ("Đinh", 0.5), ("Trịnh", 0.4), ("Mai", 0.4), ("Lương", 0.3), ("Tạ", 0.2),
          ("Quách", 0.1), ("Khúc", 0.05), ("Ưng", 0.02)]
MIDDLE_MEN = [("Văn", 40), ("Hữu", 8), ("Đức", 8), ("Minh", 8), ("Quang", 6), ("Thanh", 5), ("Xuân", 4),
              ("Công", 4), ("Ngọc", 3), ("Tiến", 3), ("Trọng", 3), ("Anh", 2), ("Hoàng", 2), ("Gia", 2)]
MIDDLE_WOMEN = [("Thị", 55), ("Ngọc", 8), ("Thu", 6), ("Thanh", 5), ("Minh", 4), ("Hồng", 4), ("Kim", 3),
                ("Phương", 3), ("Bích", 2), ("Mai", 2), ("Lan", 2), ("Diệu", 1)]
GIVEN_MEN = ["An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đông", "Giang", "Hải", "Hiếu", "Hòa",
             "Hoàng", "Hùng", "Huy", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lợi", "Mạnh", "Minh", "Nam", "Nghĩa",
             "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thịnh", "Toàn", "Trung",
             "Tú", "Tuấn", "Việt", "Vinh", "Vũ"]
GIVEN_WOMEN = ["An", "Anh", "Châu", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa",
               "Hồng", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc",
               "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân",
               "Xuân", "Yến"]


class People:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.family, self.family_w = zip(*FAMILY, strict=True)
        self.men, self.men_w = zip(*MIDDLE_MEN, strict=True)
        self.women, self.women_w = zip(*MIDDLE_WOMEN, strict=True)

    def next(self) -> tuple[str, str, str, str]:
        """(name, folded name, 12-digit ID number, 10-digit phone)."""
        rng = self.rng
        family = rng.choices(self.family, self.family_w)[0]
        if rng.random() < 0.5:
            middle, given = rng.choices(self.men, self.men_w)[0], rng.choice(GIVEN_MEN)
        else:
            middle, given = rng.choices(self.women, self.women_w)[0], rng.choice(GIVEN_WOMEN)
        name = f"{family} {middle} {given}"
        id_number = f"0{rng.randrange(1, 96):02d}{rng.randrange(0, 4)}{rng.randrange(40, 99):02d}{rng.randrange(0, 10**6):06d}"
        phone = f"0{rng.choice('3579')}{rng.randrange(0, 10**8):08d}"
        return name, fold(name), id_number, phone
