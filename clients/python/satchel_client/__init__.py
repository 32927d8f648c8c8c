"""Python SDK for the Satchel HTTP API: `Client` (sync) and `AsyncClient` (asyncio).

from satchel_client import Client

with Client("http://127.0.0.1:8080", token="sat_…") as client:
    uploaded = client.assets.upload("photo.jpg", tags=["raw"])
    for asset in client.assets.list(kind="image"):
        print(asset.id, asset.filename)
"""

from satchel_client._async_client import AsyncClient
from satchel_client._client import Client
from satchel_client._errors import (
    ApiError,
    BadRequest,
    Conflict,
    ConnectionFailed,
    Forbidden,
    Invalid,
    JobFailed,
    NotFound,
    RateLimited,
    SatchelError,
    ServerError,
    TooLarge,
    Unauthorized,
    Unavailable,
    UnexpectedResponse,
    UploadUnavailable,
)
from satchel_client._models import (
    Account,
    ApiKey,
    Asset,
    Job,
    JobEvent,
    Login,
    Page,
    Reprocessed,
    Session,
    SignedUrl,
    Space,
    Tool,
    ToolResult,
    Uploaded,
    Usage,
    Webhook,
    WebhookDelivery,
)
from satchel_client._upload import FileResumeStore, ResumeStore

__version__ = "0.1.0"

__all__ = [
    "Account",
    "ApiError",
    "ApiKey",
    "Asset",
    "AsyncClient",
    "BadRequest",
    "Client",
    "Conflict",
    "ConnectionFailed",
    "FileResumeStore",
    "Forbidden",
    "Invalid",
    "Job",
    "JobEvent",
    "JobFailed",
    "Login",
    "NotFound",
    "Page",
    "RateLimited",
    "Reprocessed",
    "ResumeStore",
    "SatchelError",
    "ServerError",
    "Session",
    "SignedUrl",
    "Space",
    "TooLarge",
    "Tool",
    "ToolResult",
    "Unauthorized",
    "Unavailable",
    "UnexpectedResponse",
    "UploadUnavailable",
    "Uploaded",
    "Usage",
    "Webhook",
    "WebhookDelivery",
    "__version__",
]
