"""An async Python client for frontdesk, on trio-websocket (see ``docs/client.md``)."""

from adapters.client.base import ClientBase as ClientBase
from adapters.client.errors import RefusedError as RefusedError
from adapters.client.errors import UpgradeRefusedError as UpgradeRefusedError
from adapters.client.http import ClientError as ClientError
from adapters.client.http import HttpResponse as HttpResponse
from adapters.client.http import LoginFailedError as LoginFailedError
from adapters.client.http import get_json as get_json
from adapters.client.http import http_request as http_request
from adapters.client.http import login as login
from adapters.client.options import ClientOptions as ClientOptions
from adapters.client.reconnect import Backoff as Backoff
from adapters.client.roles import ManagerClient as ManagerClient
from adapters.client.roles import OperatorClient as OperatorClient
from adapters.client.roles import VisitorClient as VisitorClient

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
