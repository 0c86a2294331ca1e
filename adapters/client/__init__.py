"""An async Python client for frontdesk, on trio-websocket (see ``docs/client.md``)."""

from frontdesk.adapters.client.base import ClientBase as ClientBase
from frontdesk.adapters.client.errors import RefusedError as RefusedError
from frontdesk.adapters.client.errors import UpgradeRefusedError as UpgradeRefusedError
from frontdesk.adapters.client.http import ClientError as ClientError
from frontdesk.adapters.client.http import HttpResponse as HttpResponse
from frontdesk.adapters.client.http import LoginFailedError as LoginFailedError
from frontdesk.adapters.client.http import get_json as get_json
from frontdesk.adapters.client.http import http_request as http_request
from frontdesk.adapters.client.http import login as login
from frontdesk.adapters.client.options import ClientOptions as ClientOptions
from frontdesk.adapters.client.reconnect import Backoff as Backoff
from frontdesk.adapters.client.roles import ManagerClient as ManagerClient
from frontdesk.adapters.client.roles import OperatorClient as OperatorClient
from frontdesk.adapters.client.roles import VisitorClient as VisitorClient

__all__ = [
    "Backoff",
    "ClientBase",
    "ClientError",
    "ClientOptions",
    "HttpResponse",
    "LoginFailedError",
    "ManagerClient",
    "OperatorClient",
    "RefusedError",
    "UpgradeRefusedError",
    "VisitorClient",
    "get_json",
    "http_request",
    "login",
]
