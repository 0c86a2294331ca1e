"""frontdesk: a live-chat engine. The repository keeps the product's folders at its top level
(``engine/``, ``adapters/``, ``web/``, ``config/``); the distribution installs them as
``frontdesk.engine``, ``frontdesk.adapters``, ``frontdesk.web`` and ``frontdesk.config``
(this folder links to them), so no generic top-level name lands in a user's site-packages."""
