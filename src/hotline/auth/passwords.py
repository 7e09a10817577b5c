"""Passwords: the strength policy (zxcvbn, ADR 0110) and hashing with argon2id (argon2-cffi's
defaults follow RFC 9106's recommendations).

A password is refused when it is short, or when zxcvbn estimates it guessable: common
passwords, keyboard walks, dates, repeats, dictionary words with predictable substitutions, and
— passed as the user's own words — the user name, display name, tenant and product names and
the roots of common Chinese passwords (pinyin names, 5201314 …) that zxcvbn's English lists miss.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hotline.auth.errors import WeakPassword

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_strength",
    "configure_hashing",
    "configure_policy",
    "hash_password",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
# zxcvbn estimates up to 72 characters (its matchers are quadratic); beyond that the
# estimate of the first 72 stands for the whole.
_ESTIMATED_CHARS = 72
# Roots of the most common Chinese passwords and names, which zxcvbn's lists do not hold:
# ranked as the user's own words, a password built from them counts as guessable.
PRODUCT_WORDS = ("hotline", "callcenter", "hujiao", "kefu", "zhongxin", "admin", "root", "agent",
                 "supervisor", "demo", "password", "mima")  # fmt: skip
CHINESE_ROOTS = (
    "woaini", "5201314", "1314", "520", "521", "aini", "woaiwojia", "iloveyou", "qq", "qwe",
    "zhangwei", "wangwei", "wangfang", "liwei", "lina", "zhangmin", "lijing", "wangjing",
    "liuwei", "wangxiuying", "zhangli", "lixiuying", "wangli", "zhangjing", "zhangxiuying",
    "liqiang", "wangmin", "limin", "wanglei", "liuyang", "wangyan", "wangyong", "lijun",
    "zhangyong", "lijie", "zhangjie", "zhanglei", "wangqiang", "lijuan", "wangjun", "zhangyan",
    "zhangtao", "wangtao", "liyan", "wangchao", "liming", "liyong", "wangjuan", "liujie",
    "liumin", "lixia", "lili", "zhangjun", "wangjie", "zhangqiang", "wanggang", "wangping",
    "liufang", "zhangyan", "chenjing", "xiaoming", "baidu", "taobao", "weixin", "wechat",
    "zhongguo", "china", "beijing", "shanghai", "shenzhen", "guangzhou", "laopo", "laogong",
    "baobao", "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou",
    "xu", "sun", "ma", "zhu", "hu", "guo", "he", "lin", "gao", "luo", "zheng", "liang", "xie",
    "song", "tang", "han", "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong",
    "pan", "yuan", "cai", "jiang", "yu", "du", "ye", "cheng", "wei", "su", "lu", "ding",
    "ren", "fang", "min", "jing", "qiang", "lei", "jun", "yong", "yan", "jie", "tao", "ming",
    "chao", "hua", "ping", "gang", "hui", "ling", "xin", "hong", "ying", "bin", "hao",
    "ting", "yun", "fei", "long", "bo", "dan", "na",
)  # fmt: skip

_hasher = PasswordHasher()
_min_score = 3
# A fixed hash to verify against when the user does not exist, so a login for an unknown user
# costs the same time as one with a wrong password (no user enumeration by timing). Made on the
# first such login, not at import: a hash at the default cost takes half a second of every start.
_DUMMY: str | None = None


def configure_hashing(*, time_cost: int, memory_kib: int) -> None:
    """Change the cost of new hashes (existing hashes keep verifying with their own cost).
    Production keeps argon2-cffi's defaults; the test suite makes hashing cheap."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
    _DUMMY = None


def _dummy() -> str:
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = _hasher.hash("hotline-dummy-password")
    return _DUMMY


def configure_policy(*, min_score: int) -> None:
    """The zxcvbn score (0–4) a new password needs (`auth.password_min_score`, default 3:
    "safely unguessable" online, about 10^8 guesses)."""
    global _min_score
    _min_score = min_score


def _words(context: Iterable[str]) -> list[str]:
    words: list[str] = []
    for item in context:
        text = item.strip().lower()
        if text:
            words.append(text)
            words.extend(part for part in text.replace("@", " ").replace(".", " ").split() if part)
    # zxcvbn ranks these by position (first = most likely); keep each word's first place.
    return list(dict.fromkeys([*words, *PRODUCT_WORDS, *CHINESE_ROOTS]))


def _weak(field: str, reason: str, message: str, **details: Any) -> WeakPassword:
    return WeakPassword(
        f"{field}: {message}", details={"field": field, "reason": reason, **details}
    )


def check_strength(password: str, *, context: Iterable[str] = (), field: str = "password") -> None:
    """Raise `WeakPassword` (details: `reason` too_short | too_long | guessable, and zxcvbn's
    `warning`) unless the password is long enough and hard to guess. `context`: the user's own
    words (user name, display name, tenant), which a password must not be built from."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _weak(
            field,
            "too_short",
            f"password must have at least {MIN_PASSWORD_LENGTH} characters",
            min_length=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise _weak(
            field,
            "too_long",
            f"password must have at most {MAX_PASSWORD_LENGTH} characters",
            max_length=MAX_PASSWORD_LENGTH,
        )
    # Imported here: its frequency lists take a second to load, which every server start and
    # command would pay, and only a password change needs them.
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:_ESTIMATED_CHARS], user_inputs=_words(context))
    if int(result["score"]) < _min_score:
        warning = str(result["feedback"].get("warning") or "")
        raise _weak(
            field,
            "guessable",
            "password is too easy to guess"
            + (f": {warning.rstrip('.')}" if warning else "")
            + "; use a longer phrase of uncommon words",
            score=int(result["score"]),
            min_score=_min_score,
            warning=warning,
        )


def hash_password(password: str, *, context: Iterable[str] = ()) -> str:
    check_strength(password, context=context)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
