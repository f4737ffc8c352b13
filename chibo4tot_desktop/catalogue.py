"""The default criteria catalogue, taken word for word from the seed document (section 1).

Points: the ward's own scoring appendix is not public, so the split follows the one
published split we know (Phú Riềng district, 2023): group 1 = 30 points, group 2 = 20 points,
groups 3 and 4 share the remaining 50 (25 each). Inside a group the points are spread evenly
over the seed's items, in whole points, the first items taking the remainder:
group 1 has 5 items (6 each), group 2 has 2 (10 each), group 3 has 5 (5 each), group 4 has
4 (7, 6, 6, 6). Total 100.

Group thresholds ("ngưỡng") default to three quarters of the group's maximum, rounded up to a
whole point (23, 15, 19, 19). They are stored with the phase and edited in the settings;
nothing here is read at run time except when a new phase is created. The overall threshold
and the classification bands are rules of each year (``rules.default_rules``).

The organisation's own catalogue ("Đảng bộ cơ sở 4 tốt") starts as the same items (the seed
lists one set of criteria for both), with "chi bộ" read as "đảng bộ" where the item speaks of
the organisation's own working rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GROUP_POINTS = (30, 20, 25, 25)
GROUP_PASS_SHARE = 0.75


@dataclass(frozen=True)
class DefaultGroup:
    position: int
    title: str
    items: tuple[str, ...]


CELL_GROUPS: tuple[DefaultGroup, ...] = (
    DefaultGroup(1, "Lãnh đạo hoàn thành tốt nhiệm vụ chính trị", (
        "Việc cụ thể hóa, xây dựng và tổ chức thực hiện các chương trình, kế hoạch công tác năm "
        "để thực hiện nhiệm vụ được giao.",
        "Kết quả lãnh đạo thực hiện đầy đủ các chỉ tiêu, nhiệm vụ phát triển kinh tế - xã hội, "
        "quốc phòng - an ninh đạt và vượt chỉ tiêu được giao.",
        "Kết quả lãnh đạo, chỉ đạo việc đấu tranh ngăn chặn, đẩy lùi những biểu hiện suy thoái "
        "về tư tưởng, chính trị, đạo đức, lối sống, “tự diễn biến”, “tự chuyển hóa” trong nội "
        "bộ, gắn với đẩy mạnh học tập, làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh và "
        "công tác đấu tranh phòng, chống tham nhũng, tiêu cực.",
        "Kết quả lãnh đạo, chỉ đạo công tác kiểm tra, giám sát và kỷ luật của Đảng; kịp thời "
        "xem xét, giải quyết những vấn đề bức xúc, nảy sinh ở địa phương (nếu có).",
        "Kết nạp đảng viên đạt số lượng, chất lượng và vượt chỉ tiêu được giao.",
    )),
    DefaultGroup(2, "Chất lượng sinh hoạt tốt", (
        "Thực hiện đầy đủ các nội dung Kết luận 18-KL/TW ngày 22/9/2017 của Ban Bí thư về tiếp "
        "tục đẩy mạnh thực hiện Chỉ thị số 10-CT/TW ngày 30/3/2007 của Ban Bí thư khóa X về nâng "
        "cao chất lượng sinh hoạt chi bộ trong tình hình mới; tập trung vào nội dung cốt lõi, "
        "quan điểm, mục tiêu, nhiệm vụ và giải pháp thực hiện các nghị quyết Hội nghị lần thứ 5 "
        "Ban Chấp hành Trung ương (khóa XIII).",
        "Kết hợp học tập, quán triệt các nghị quyết với thảo luận chương trình, kế hoạch thực "
        "hiện; dành thời gian thảo luận và thông qua chương trình hành động. Chương trình hành "
        "động cần được chuẩn bị chu đáo, chất lượng, bám Hướng dẫn số 12-HD/BTCTW ngày 06/7/2018 "
        "của Ban Tổ chức Trung ương về một số vấn đề nâng cao chất lượng sinh hoạt chi bộ; Quy "
        "định số 1193-QĐ/TU ngày 05/12/2019 của Ban Thường vụ Tỉnh ủy về việc đánh giá chất "
        "lượng sinh hoạt chi bộ; Chỉ thị số 25-CT/Th.U ngày 21/10/2021 của Ban Thường vụ Thành "
        "ủy về tiếp tục đổi mới và nâng cao chất lượng sinh hoạt chi bộ.",
    )),
    DefaultGroup(3, "Xây dựng Chi bộ, Đảng bộ đoàn kết, kỷ luật tốt", (
        "Xây dựng, tổ chức thực hiện theo đúng quy chế làm việc của chi bộ.",
        "Thực hiện đầy đủ nguyên tắc tổ chức và sinh hoạt đảng, nhất là nguyên tắc tập trung "
        "dân chủ, làm tốt việc mở rộng dân chủ để tất cả các cán bộ, đảng viên bày tỏ ý kiến "
        "của mình.",
        "Không có đảng viên vi phạm quy định về những điều đảng viên không được làm.",
        "Thực hiện tốt kỷ luật, kỷ cương hành chính, thường xuyên kiểm tra, đôn đốc, tạo chuyển "
        "biến mạnh mẽ trong thực thi công vụ, nâng cao đạo đức, văn hóa, tính chuyên nghiệp của "
        "cán bộ, đảng viên.",
        "Lãnh đạo việc xây dựng các tổ chức chính trị - xã hội vững mạnh; phát huy hiệu lực, "
        "hiệu quả quản lý; xem xét, giải quyết kịp thời các vấn đề phát sinh tại tổ dân phố; "
        "kết quả phối hợp công tác; phát huy sức mạnh tổng hợp, xây dựng khối đại đoàn kết toàn "
        "dân; nâng cao chất lượng giám sát, phản biện xã hội.",
    )),
    DefaultGroup(4, "Xây dựng Cán bộ, Đảng viên tốt", (
        "Đạo đức, lối sống, phòng, chống các biểu hiện suy thoái về tư tưởng chính trị, đạo "
        "đức, lối sống, “tự diễn biến”, “tự chuyển hóa”.",
        "Nói đi đôi với làm; phát huy ý chí, khát vọng vươn lên, đổi mới, sáng tạo, dám nghĩ, "
        "dám làm, dám chịu trách nhiệm.",
        "Thực hiện chức năng, nhiệm vụ được giao, tích cực học tập, nghiên cứu ứng dụng vào "
        "thực tiễn công tác, hoàn thành đúng tiến độ, yêu cầu đề ra và chất lượng.",
        "Chấp hành kỷ luật, kỷ cương, tự phê bình và phê bình, đoàn kết, gắn bó với Nhân dân, "
        "thương yêu đồng chí, kính trọng Nhân dân, sống có nghĩa, có tình; làm tốt công tác "
        "phát triển đảng viên.",
    )),
)


def _organisation_groups() -> tuple[DefaultGroup, ...]:
    groups = []
    for group in CELL_GROUPS:
        items = tuple(
            item.replace("quy chế làm việc của chi bộ", "quy chế làm việc của đảng bộ")
            for item in group.items
        )
        groups.append(DefaultGroup(group.position, group.title, items))
    return tuple(groups)


ORGANISATION_GROUPS = _organisation_groups()


def split_points(total: int, count: int) -> list[int]:
    """Spread ``total`` whole points over ``count`` items, the first items taking the rest."""
    base, remainder = divmod(total, count)
    return [base + (1 if index < remainder else 0) for index in range(count)]


def group_pass_points(max_points: float) -> float:
    return float(math.ceil(max_points * GROUP_PASS_SHARE - 1e-9))


def default_catalogue(groups: tuple[DefaultGroup, ...] = CELL_GROUPS):
    """Yield (position, title, pass_points, [(text, max_points), ...]) for each group."""
    for group, points in zip(groups, GROUP_POINTS, strict=True):
        item_points = split_points(points, len(group.items))
        yield (group.position, group.title, group_pass_points(points),
               list(zip(group.items, item_points, strict=True)))
