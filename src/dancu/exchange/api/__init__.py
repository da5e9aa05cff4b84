"""The gateway's HTTP API (X-Road REST, ``/r1/...``), assembled from one module per resource."""

from dancu.exchange.api import jobs, metadata, notifications, verification
from dancu.exchange.api.base import api
from dancu.exchange.catalogue import PROVIDER

api.add_router(PROVIDER.path, verification.router)
api.add_router(PROVIDER.path, notifications.router)
api.add_router(PROVIDER.path, jobs.router)
api.add_router(PROVIDER.path, metadata.router)
api.add_router("", metadata.root_router)

__all__ = ["api"]
