"""Every message id in templates, scripts and admin pages has a zh-CN translation."""

from __future__ import annotations

from hotline.web.i18n import Catalogs, best_language
from hotline.web.messages import all_message_ids, missing


def test_every_ui_message_has_a_chinese_translation() -> None:
    ids = all_message_ids()
    assert len(ids) > 80
    assert missing("zh-CN") == set()


def test_catalog_translates_with_parameters() -> None:
    catalogs = Catalogs()
    assert catalogs.gettext("zh-CN", "Log in") == "登录"
    assert catalogs.gettext("en", "Log in") == "Log in"
    assert catalogs.gettext("zh-CN", "Welcome, %(name)s", name="李娜") == "欢迎，李娜"


def test_best_language() -> None:
    assert best_language(None, "en-US") == "en"
    assert best_language("zh") == "zh-CN"
    assert best_language("fr", None) == "zh-CN"
