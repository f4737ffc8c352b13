"""How quickly the core sorts names in Vietnamese order (prints figures).

    PYTHONPATH=. python benchmarks/collation_bench.py [names]

Sorts N names (default 10,000) shaped like the office's cell names ("Chi bộ Tổ dân phố 12",
"Chi bộ - Khối cơ quan", "Chi bộ Trường THCS Đồng Xuân"...) with ``text.sort_key``, the key
the command line, Excel, PDF and the window all use: keys from cold (first time the program
meets the names) and the sort itself. Best of five runs.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = ("Tổ dân phố", "Khối cơ quan", "Trường THCS", "Trường Tiểu học", "Đồng Xuân", "Hồng Lĩnh",
         "Quân sự", "Công an", "Y tế", "Mầm non", "Bắc Hà", "Nam Hà", "Dương Liễu", "Ưng Hòa",
         "Cựu chiến binh", "Hưu trí", "Thôn", "Xóm", "Ấp", "Đảng", "Ủy ban", "(cũ)", "số")


def names(count: int) -> list[str]:
    rng = random.Random(2024)
    out = []
    for _ in range(count):
        parts = ["Chi bộ"] + rng.sample(WORDS, rng.randint(1, 3))
        if rng.random() < 0.6:
            parts.append(str(rng.randint(1, 120)))
        if rng.random() < 0.1:
            parts.insert(1, rng.choice(("-", "–", "“Khu A”", "/")))
        out.append(" ".join(parts))
    return out


def best(action, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main(count: int) -> None:
    from chibo4tot_desktop import text

    values = names(count)

    def keys_cold():
        for table in getattr(text, "_LEVELS", ()):   # the per-character tables start empty
            table.clear()
        [text.sort_key(value) for value in values]

    print(f"{count} names")
    print(f"{'keys (cold per-character cache)':<40} {best(keys_cold):8.1f} ms")
    print(f"{'sorted(names, key=sort_key)':<40} {best(lambda: sorted(values, key=text.sort_key)):8.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
