"""The API's routers, mounted under /v1 by the app factory. Each module adds its router here."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
