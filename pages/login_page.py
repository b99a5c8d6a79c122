"""数据管理 for a visitor who is not signed in: says 请先登录 and offers the login form (no write action)."""

from __future__ import annotations

import streamlit as st

from app import auth


def main() -> None:
    st.title("数据管理")
    st.warning(
        "请先登录：上传报告、更正数据和确认报告信息只对分析员开放。登录后这一页会直接打开。",
        icon=":material/lock:",
    )
    if not auth.configured_analysts():
        st.caption("尚未配置分析员账号：见 `.streamlit/secrets.example.toml` 与 README。")
        return
    with st.form("lg_login", clear_on_submit=True):
        user = st.text_input("用户名", key="lg_user", autocomplete="username")
        password = st.text_input("密码", type="password", key="lg_password", autocomplete="current-password")
        submitted = st.form_submit_button("登录", icon=":material/login:", type="primary", key="lg_submit")
    if submitted:
        problem = auth.login(user, password)
        if problem is None:
            st.rerun()
        st.error(problem, icon=":material/lock:")


main()
