"""Who may write: analysts sign in with a password checked against bcrypt hashes in Streamlit secrets.

Viewing needs no login.  Uploading reports and recording corrections need an analyst: the
``[analysts]`` table of ``.streamlit/secrets.toml`` maps each user name to a bcrypt hash (make one with
``python -m app.auth hash``).  A successful login puts the user name and a fingerprint of its hash in
this session's server-side state; nothing the browser sends (URL, cookies) can set it.  Every write
action calls ``require_analyst()`` again just before it calls the library, and a session ends when
the analyst is removed from the secrets, gets a new password hash, logs out, or after SESSION_HOURS.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import hashlib
import json
import logging
import sys
import threading
import time
from dataclasses import dataclass

import bcrypt
import streamlit as st

from app.highlight import escape_md

SECTION = "analysts"
SESSION_KEY = "_analyst_session"
SESSION_HOURS = 8.0
MAX_FAILURES = 5  # wrong passwords for one user name, or from one address, before logins there wait
LOCKOUT_SECONDS = 60.0  # the first wait; each further failure doubles it …
MAX_LOCKOUT_SECONDS = 3600.0  # … up to an hour
FORGET_SECONDS = 24 * 3600.0  # failures older than this no longer count
MAX_TRACKED = 10_000  # names and addresses remembered at most (the oldest are forgotten first)
DEFAULT_ROUNDS = 12
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72  # bcrypt's limit

log = logging.getLogger("dashboard.auth")


class NotAuthorizedError(Exception):
    """A write was attempted without an analyst session; the message says what to do."""


@dataclass(frozen=True)
class Analyst:
    user: str


# --- configuration -----------------------------------------------------------------------------------


def configured_analysts() -> dict[str, str]:
    """User name → bcrypt hash from st.secrets["analysts"] ({} when there is no secrets file or table)."""
    try:
        section = st.secrets[SECTION]
    except (FileNotFoundError, KeyError):  # no secrets.toml at all, or no [analysts] table in it
        return {}
    except Exception:  # noqa: BLE001 - a broken secrets.toml must not take the viewer pages down
        log.exception("cannot read the [%s] table of the Streamlit secrets", SECTION)
        return {}
    out = {}
    for name, value in dict(section).items():
        if isinstance(value, str) and value.startswith("$2") and str(name).strip():
            out[str(name).strip()] = value
        else:
            log.warning("analyst %r in secrets has no bcrypt hash: ignored", name)
    return out


def _fingerprint(hashed: str) -> str:
    return hashlib.sha256(hashed.encode("utf-8")).hexdigest()[:16]


@functools.cache
def _dummy_hash() -> bytes:
    """Checked for unknown user names, so a wrong name takes as long as a wrong password."""
    return bcrypt.hashpw(b"not a password", bcrypt.gensalt(DEFAULT_ROUNDS))


def verify(user: str, password: str, analysts: dict[str, str] | None = None) -> bool:
    """True when ``password`` matches the bcrypt hash configured for ``user``."""
    analysts = configured_analysts() if analysts is None else analysts
    hashed = analysts.get((user or "").strip())
    pw = (password or "").encode("utf-8")
    if len(pw) > MAX_PASSWORD_BYTES:  # bcrypt reads no further; `hash` refuses to make such a password
        return False
    if hashed is None or not pw:
        bcrypt.checkpw(pw or b"x", _dummy_hash())
        return False
    try:
        return bcrypt.checkpw(pw, hashed.encode("utf-8"))
    except ValueError:  # a malformed hash in secrets.toml
        log.warning("the password hash of analyst %r is not a valid bcrypt hash", user)
        return False


# --- failed logins, counted for the whole process ---------------------------------------------------------


class LoginThrottle:
    """Failed logins per user name and per client address across every session of this server process.

    A lockout kept in a session's state ends with a new tab or F5; this one does not.  After
    MAX_FAILURES failures for a key, logins for it wait LOCKOUT_SECONDS, doubling with each further
    failure up to MAX_LOCKOUT_SECONDS.  Keys are hashes: what was typed into the user field is never kept.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fails: dict[str, tuple[int, float]] = {}  # key → (failures, time of the last one)

    @staticmethod
    def keys(user: str, address: str | None) -> list[str]:
        name = hashlib.sha256((user or "").strip().casefold().encode("utf-8")).hexdigest()[:24]
        return [f"user:{name}", f"addr:{address or '?'}"]

    @staticmethod
    def delay(failures: int) -> float:
        if failures < MAX_FAILURES:
            return 0.0
        return min(LOCKOUT_SECONDS * 2 ** (failures - MAX_FAILURES), MAX_LOCKOUT_SECONDS)

    def wait(self, keys: list[str], now: float | None = None) -> float:
        """Seconds until a login for these keys may be tried (0: now)."""
        now = time.time() if now is None else now
        with self._lock:
            waits = [last + self.delay(n) - now for n, last in (self._fails.get(k, (0, 0.0)) for k in keys)]
        return max([0.0, *waits])

    def failed(self, keys: list[str], now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            for k in keys:
                n, last = self._fails.pop(k, (0, now))
                self._fails[k] = (1 if now - last > FORGET_SECONDS else n + 1, now)  # newest last
            while len(self._fails) > MAX_TRACKED:
                del self._fails[next(iter(self._fails))]

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for k in keys:
                self._fails.pop(k, None)

    def reset(self) -> None:
        with self._lock:
            self._fails.clear()


THROTTLE = LoginThrottle()


def client_address() -> str | None:
    """The browser's address as this server sees it (the first X-Forwarded-For hop behind a proxy)."""
    try:
        forwarded, ip = st.context.headers.get("X-Forwarded-For"), st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (bare mode)
        return None
    forwarded = forwarded.split(",")[0].strip() if isinstance(forwarded, str) else ""
    return forwarded or (ip if isinstance(ip, str) and ip else None)  # AppTest gives a mock: no address


def _user_tag(user: str, analysts: dict[str, str]) -> str:
    """How a login attempt's user name appears in the log: an analyst's name, else only a short hash
    (a password typed into the user field must never reach the log)."""
    name = (user or "").strip()
    if name in analysts:
        return repr(name)
    return f"an unknown name (sha256 {hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]})"


# --- the session ---------------------------------------------------------------------------------------


def current_analyst() -> Analyst | None:
    """The analyst signed in to this session, checked against the secrets now (None for a viewer)."""
    sess = st.session_state.get(SESSION_KEY)
    if not isinstance(sess, dict):
        return None
    hashed = configured_analysts().get(sess.get("user", ""))
    expired = time.time() - float(sess.get("since", 0)) > SESSION_HOURS * 3600
    if hashed is None or _fingerprint(hashed) != sess.get("fingerprint") or expired:
        st.session_state.pop(SESSION_KEY, None)
        return None
    return Analyst(sess["user"])


def is_analyst() -> bool:
    return current_analyst() is not None


def require_analyst() -> str:
    """The signed-in analyst's user name; raises NotAuthorizedError for anyone else (call before writing)."""
    who = current_analyst()
    if who is None:
        raise NotAuthorizedError("只有登录的分析员可以上传报告或更正数据：请在左侧栏“分析员登录”中登录。")
    return who.user


def login(user: str, password: str) -> str | None:
    """Try to sign this session in; None on success, else the message to show."""
    analysts = configured_analysts()
    if not analysts:
        return "还没有配置分析员账号（见下方说明）。"
    keys = THROTTLE.keys(user, client_address())
    wait = THROTTLE.wait(keys)
    if wait > 0:
        return f"密码错误次数过多，请 {int(wait) + 1} 秒后再试。"
    if not verify(user, password, analysts):
        THROTTLE.failed(keys)
        log.warning("failed analyst login for %s from %s", _user_tag(user, analysts), keys[1][5:])
        return "用户名或密码错误。"
    name = user.strip()
    THROTTLE.succeeded(keys)
    st.session_state[SESSION_KEY] = {
        "user": name,
        "fingerprint": _fingerprint(analysts[name]),
        "since": time.time(),
    }
    log.info("analyst %s signed in", name)
    return None


def logout() -> None:
    st.session_state.pop(SESSION_KEY, None)


HOW_TO_ADD = """\
还没有配置分析员账号。管理员可以这样添加：

1. 生成密码哈希：`.venv/bin/python -m app.auth hash`（按提示输入两次密码，输出一行 bcrypt 哈希）；
2. 写进 `.streamlit/secrets.toml`（不要提交到 git，参考 `.streamlit/secrets.example.toml`）：

```toml
[analysts]
alice = "$2b$12$……"
```

3. 刷新页面，在左侧栏“分析员登录”中登录。
"""


def sidebar_login() -> None:
    """The sidebar's login form for viewers, or who is signed in and a logout button for analysts."""
    sb = st.sidebar
    who = current_analyst()
    if who is not None:
        sb.caption(f"已登录分析员：**{escape_md(who.user)}**")
        if sb.button("退出登录", key="auth_logout", icon=":material/logout:"):
            logout()
            st.rerun()
        return
    with sb.expander("分析员登录", icon=":material/lock:"):
        if not configured_analysts():
            st.caption("尚未配置分析员账号：见 `.streamlit/secrets.example.toml` 与 README。")
        with st.form("auth_login", clear_on_submit=True, border=False):
            user = st.text_input("用户名", key="auth_user", autocomplete="username")
            password = st.text_input(
                "密码", type="password", key="auth_password", autocomplete="current-password"
            )
            submitted = st.form_submit_button("登录", icon=":material/login:", key="auth_submit")
        if submitted:
            problem = login(user, password)
            if problem is None:
                st.rerun()
            st.error(problem, icon=":material/lock:")


# --- python -m app.auth hash ---------------------------------------------------------------------------


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def toml_line(user: str, hashed: str) -> str:
    """``"王分析" = "$2b$…"``: the key always quoted, since a bare TOML key allows only A-Z a-z 0-9 _ -
    (an unquoted 王分析 makes the whole secrets.toml unreadable, and with it every analyst's login)."""
    # A JSON string of this text is a valid TOML basic string (same quotes and escapes).
    return f"{json.dumps(user, ensure_ascii=False)} = {json.dumps(hashed)}"


def _read_password() -> str:
    if not sys.stdin.isatty():  # piped: one line, no prompt (for scripts)
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("新密码：")
    second = getpass.getpass("再输入一次：")
    if first != second:
        raise SystemExit("两次输入的密码不一致，没有生成哈希。")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.auth", description="Make a bcrypt hash for an analyst's password."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("hash", help="prompt for a password and print its bcrypt hash")
    h.add_argument("--user", help="also print the line for the [analysts] table of secrets.toml")
    h.add_argument(
        "--rounds", type=int, default=DEFAULT_ROUNDS, help=f"bcrypt cost (default {DEFAULT_ROUNDS})"
    )
    args = parser.parse_args(argv)
    password = _read_password()
    if len(password) < MIN_PASSWORD_CHARS:
        print(f"密码至少需要 {MIN_PASSWORD_CHARS} 个字符。", file=sys.stderr)
        return 2
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        print(f"密码不能超过 {MAX_PASSWORD_BYTES} 字节（bcrypt 的上限；约 24 个汉字）。", file=sys.stderr)
        return 2
    if not 4 <= args.rounds <= 16:
        print("--rounds 须在 4–16 之间。", file=sys.stderr)
        return 2
    hashed = hash_password(password, args.rounds)
    if args.user:
        print(toml_line(args.user, hashed))
    else:
        print(hashed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
