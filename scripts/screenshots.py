"""Render every page of the app on a fresh demo day into docs/screenshots/*.png (offscreen).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--lang zh|en] [--size 1366x768]

The file names follow the navigation: NN-<page>.png, with -en for English and -1366x768 for another window size;
callscreen.png is the waiting hall's call screen at 1920×1080 (made when no --size is given).

Look at the images after each UI change: Chinese renders, nothing cut off, the day readable at a glance.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Build a demo day, open the main window offscreen, save each page."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--size", default="", help="window size WxH, e.g. 1366x768 (default 1360x860)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from reception_desk.db.engine import Database
    from reception_desk.db.migrate import upgrade_to_head
    from reception_desk.db.models import Batch
    from reception_desk.domain.roles import Role
    from reception_desk.services.authz import Actor
    from reception_desk.services.demo import create_demo_day
    from reception_desk.services.demo_users import add_demo_users
    from reception_desk.ui.call_screen import CallScreen
    from reception_desk.ui.context import AppContext
    from reception_desk.ui.dialogs.reveal_dialog import RevealReasonDialog
    from reception_desk.ui.fonts import register_fonts
    from reception_desk.ui.i18n import install_translator
    from reception_desk.ui.main_window import PAGES, MainWindow

    page_files = [module.removesuffix("_page") for module, _cls, _title in PAGES]

    tmp = Path(tempfile.mkdtemp())
    db = Database(f"sqlite:///{tmp / 'screens.sqlite3'}")
    upgrade_to_head(db.engine)
    info = create_demo_day(db, seed=2006)
    add_demo_users(db)  # as `reception-desk demo`: one user per role; the pages are shown as the admin sees them
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    register_fonts(app)
    translator = install_translator(app, args.lang)
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("room_host/room_id", 4)  # the room host page shows room 4 with a batch in session
    ctx = AppContext(db, info.id, "admin", settings)
    ctx.user = Actor("admin", Role.ADMIN)
    window = MainWindow(ctx)
    width, height = (int(n) for n in args.size.split("x")) if args.size else (1360, 860)
    window.resize(width, height)
    window.show()
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = ("" if args.lang == "zh" else f"-{args.lang}") + (f"-{args.size}" if args.size else "")

    async def shoot() -> list[Path]:
        await window.start()
        saved = []
        for index, name in enumerate(page_files[: len(window.pages)]):
            window.show_page(index)
            for _ in range(5):
                app.processEvents()
                await asyncio.sleep(0)
            await window.pages[index].reload()  # the page shows its data, not a half-loaded state
            for _ in range(5):
                app.processEvents()
                await asyncio.sleep(0)
            path = args.out / f"{index + 1:02d}-{name}{suffix}.png"
            window.grab().save(str(path))
            saved.append(path)
        # 设置 → 数据保留 (issue #10): the retention policy and how many people are due
        settings_index = page_files.index("settings")
        window.show_page(settings_index)
        page = window.pages[settings_index]
        tabs = page.tabs  # type: ignore[attr-defined]
        for i in range(tabs.count()):
            if tabs.tabText(i) in ("数据保留", "Data retention", "Retention"):
                tabs.setCurrentIndex(i)
        await page.load_retention()  # type: ignore[attr-defined]  # the policy and the count of people due
        for _ in range(5):
            app.processEvents()
            await asyncio.sleep(0)
        path = args.out / f"{settings_index + 1:02d}-settings-retention{suffix}.png"
        window.grab().save(str(path))
        saved.append(path)
        # 显示完整号码: the reason asked before a whole ID is shown (and logged)
        dialog = RevealReasonDialog("王学德", "id_number", window)
        dialog.reason_box.setEditText(dialog.tr("核对来访人身份证件"))
        dialog.show()
        for _ in range(5):
            app.processEvents()
            await asyncio.sleep(0)
        path = args.out / f"reveal-reason{suffix}.png"
        dialog.grab().save(str(path))
        dialog.close()
        saved.append(path)
        # 签到 with a batch open and its lead's whole ID shown after a reason (显示完整号码, logged)
        checkin_index = page_files.index("checkin")
        window.show_page(checkin_index)
        desk = window.pages[checkin_index]
        with db.read() as session:
            batch = session.scalars(
                select(Batch).where(Batch.day_id == info.id, Batch.status == "registered").order_by(Batch.reg_no)
            ).first()
        if batch is not None:
            await desk.open_batch(batch.reg_no, batch.id)  # type: ignore[attr-defined]
            member = desk.card_frame.current_member()  # type: ignore[attr-defined]
            if member is not None:
                await desk.reveal_flow.reveal(  # type: ignore[attr-defined]
                    member.visitor_id,
                    "id_number",
                    "核对来访人身份证件",
                    show=lambda value: desk.card_frame.show_full_id(member.id, value),  # type: ignore[attr-defined]
                    hide=desk.card_frame.mask_again,  # type: ignore[attr-defined]
                )
            for _ in range(5):
                app.processEvents()
                await asyncio.sleep(0)
            path = args.out / f"{checkin_index + 1:02d}-checkin-revealed{suffix}.png"
            window.grab().save(str(path))
            saved.append(path)
            desk.reveal_flow.hide_now()  # type: ignore[attr-defined]
        if not args.size:  # the waiting hall's call screen, at a TV's 1920×1080
            screen = CallScreen(ctx)
            screen.resize(1920, 1080)
            screen.show()
            await screen.reload()
            for _ in range(5):
                app.processEvents()
                await asyncio.sleep(0)
            path = args.out / f"callscreen{suffix}.png"
            screen.grab().save(str(path))
            screen.stop()
            saved.append(path)
        return saved

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        saved = loop.run_until_complete(shoot())
    ctx.runner.shutdown()
    db.dispose()
    del translator
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
