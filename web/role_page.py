"""The page a logged-in user gets for a page of a role they lack (403).

Sending them to the login page would loop: they are logged in, and logging in again gives
the same account. The page says which role the page needs and which roles the account
holds, and links to the account's own page and to the login page (to change account).
"""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

from frontdesk.web import auth

_PAGE_NAMES = {"/console": "the operator console", "/manager": "the manager view"}


def wrong_role_page(user: auth.User, role: str, path: str, home: str) -> HTMLResponse:
    held = " and ".join(auth.roles(user))
    own = _PAGE_NAMES.get(home, home)
    body = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <title>Not your role — frontdesk</title>
  <link rel="stylesheet" href="/static/css/base.css">
</head>
<body>
  <header class="topbar"><a class="brand" href="/">frontdesk</a></header>
  <main class="center-page card" data-testid="wrong-role">
    <h1>This page is for {escape(role)}s</h1>
    <p data-testid="wrong-role-text">{escape(_PAGE_NAMES.get(path, path)).capitalize()} needs
      the {escape(role)} role; your account {escape(user.login)} is {escape(held)}.</p>
    <p><a href="{escape(home)}" data-testid="wrong-role-home">Go to {escape(own)}</a>
      · <a href="/login?next={escape(path)}">log in as someone else</a></p>
  </main>
</body>
</html>
"""
    return HTMLResponse(body, status_code=403, headers={"Cache-Control": "no-cache"})
