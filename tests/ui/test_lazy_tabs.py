"""The window builds only the tab it opens on before it shows; the others are built once the
year's figures are shown, one per turn of the event loop, or at once when the user switches
to one - each then as it would have been built at start (its buttons, its data)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPushButton

from chibo4tot_desktop.ui.main_window import TAB_KEY, TABS, MainWindow


def buttons(tab) -> list[str]:
    return [button.text() for button in tab.findChildren(QPushButton)]


def test_only_the_tab_it_opens_on_is_built_then_the_others_at_idle_time(qtbot, demo_office,
                                                                         boxes):
    window = MainWindow(demo_office)
    qtbot.addWidget(window)
    assert window._current_name() == "overview_tab"
    assert not window.tabs_built() and set(window._built) == {"overview_tab"}
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        kind.title for kind in TABS]
    window.show()
    qtbot.waitUntil(window.tabs_built, timeout=20000)
    # Each in its place, none shown meanwhile: the window stays on Tổng quan.
    assert [type(window.tabs.widget(i)) for i in range(window.tabs.count())] == [
        kind.load() for kind in TABS]
    assert window.tabs.currentWidget() is window.overview_tab
    assert "Xuất Excel" in buttons(window.cells_tab)
    assert buttons(window.registrations_tab)[-2:] == ["In bản đăng ký…", "Tệp đính kèm…"]


def test_a_switch_to_a_tab_not_built_builds_it_at_once_with_its_data(qtbot, demo_office,
                                                                     boxes):
    window = MainWindow(demo_office)
    qtbot.addWidget(window)
    window.set_year(2024)
    index = [kind.name for kind in TABS].index("scoring_tab")
    assert "scoring_tab" not in window._built
    window.tabs.setCurrentIndex(index)              # as a click on the tab does
    tab = window.tabs.currentWidget()
    assert tab is window.scoring_tab and not tab.stale
    assert window.save_action.isEnabled() and not window.add_action.isEnabled()
    assert "Lưu phiếu chấm (Ctrl+S)" in buttons(tab) and "In phiếu chấm…" in buttons(tab)
    # Ctrl+P prints this tab's paper, set when it was built.
    assert getattr(tab, "print_paper", None) is not None


def test_the_same_buttons_in_the_same_order_as_when_every_tab_was_built_at_once(
        qtbot, demo_office, boxes):
    lazy = MainWindow(demo_office)
    qtbot.addWidget(lazy)
    eager = MainWindow(demo_office)
    qtbot.addWidget(eager)
    for kind in TABS:
        eager.tab(kind.name)                        # every one built now
    for kind in TABS:
        assert buttons(lazy.tab(kind.name)) == buttons(eager.tab(kind.name)), kind.name


def test_the_window_reopens_on_its_tab_building_that_one(qtbot, demo_office, boxes):
    QSettings().setValue(TAB_KEY, "AwardsTab")
    window = MainWindow(demo_office)
    qtbot.addWidget(window)
    assert window.tabs.currentWidget() is window._built["awards_tab"]
    assert set(window._built) == {"awards_tab"}
    window.close()
    assert QSettings().value(TAB_KEY) == "AwardsTab"


def test_a_data_change_before_a_tab_is_built_shows_in_it(qtbot, demo_office, boxes):
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.cells import update_cell

    window = MainWindow(demo_office)
    qtbot.addWidget(window)
    window.set_year(2024)
    cell = queries.cells(demo_office)[0]
    update_cell(demo_office, cell.id, name=cell.name + " mới")
    qtbot.wait(1)
    window.show_tab(window.cells_tab)
    qtbot.waitUntil(lambda: not window.cells_tab.stale, timeout=10000)
    model = window.cells_tab.view.model()
    texts = {model.index(row, column).data() for row in range(model.rowCount())
             for column in range(model.columnCount())}
    assert cell.name + " mới" in texts


def test_a_click_on_a_tab_not_built(qtbot, demo_office, boxes):
    from PySide6.QtCore import Qt

    window = MainWindow(demo_office)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    bar = window.tabs.tabBar()
    index = [kind.name for kind in TABS].index("awards_tab")
    assert "awards_tab" not in window._built
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentIndex() == index
    assert window.tabs.currentWidget() is window.awards_tab and window.awards_tab.isVisible()
    qtbot.waitUntil(lambda: not window.awards_tab.stale, timeout=10000)
    # Back and forth: the same tabs, nothing built twice.
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentWidget() is window.awards_tab
    assert window.tabs.count() == len(TABS)


def test_a_window_gone_before_its_tabs_are_built_leaves_no_timer_behind(qtbot, demo_office,
                                                                       boxes):
    window = MainWindow(demo_office)
    window.show()
    assert window._idle_build and not window.tabs_built()
    from shiboken6 import Shiboken

    window.close()
    Shiboken.delete(window)
    qtbot.wait(600)          # past the idle build's time: nothing runs on a deleted window


def test_each_tab_shows_its_own_title_before_and_after_it_is_built(qtbot, demo_office, boxes):
    window = MainWindow(demo_office)
    qtbot.addWidget(window)
    before = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    for kind in TABS:
        window.tab(kind.name)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == before


def test_the_window_module_imports_no_tab_before_it_is_built():
    """The main window's module loads none of the tabs' modules: each is imported when its
    tab is first built (the others after the year's figures are shown)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys\n"
        "from chibo4tot_desktop.ui import main_window\n"
        "print(','.join(m for m in sys.modules if m.startswith('chibo4tot_desktop.ui.tabs.')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(root)}).stdout.strip()
    assert not {f"chibo4tot_desktop.ui.tabs.{kind.name}" for kind in TABS} & set(out.split(","))
