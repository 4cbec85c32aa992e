"""Public outputs rendered once per registry version, with ETags and conditional GET.

A public page, feed or export depends only on the registry's data (its version: the
newest audit record id, ``store.last_change_id()``), on the day (deadlines open and
close), on the address links are built on, and for the HTML page on the period its
form tokens stay valid. Those make the cache key; the ETag is a digest of it, so a
client that sends ``If-None-Match`` gets 304 without anything being rendered, and
anyone else gets the body rendered by the first request of that version.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, current_app, request

from .. import clock
from ..db import get_store
from ..settings import DEFAULTS

SIZE = 128  # rendered bodies kept per app
EXTENSION = "registry.public.cache"
KEPT_HEADERS = ("Content-Disposition", "Access-Control-Allow-Origin")


class RenderCache:
    """A small thread-safe LRU of rendered responses: key -> (body, status, mimetype, headers)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key, item) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _cache() -> RenderCache:
    return current_app.extensions.setdefault(EXTENSION, RenderCache())


def _token_period() -> int:
    """Which half of a form token's lifetime it is: a page is re-rendered at least that often,
    so that the tokens in a cached page are always still valid for half their life."""
    half = max(int(current_app.config.get("PUBLIC_FORM_TOKEN_MAX_AGE", DEFAULTS["PUBLIC_FORM_TOKEN_MAX_AGE"])) // 2, 1)
    return int(clock.now().timestamp()) // half


def cache_key(org: str, with_forms: bool) -> tuple:
    """What a public output of ``org`` for this request depends on."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return (request.endpoint, org, get_store().last_change_id(), clock.today_iso(), base,
            _token_period() if with_forms else None)


def etag_of(key: tuple) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def rendered_once(with_forms: bool = False) -> Callable:
    """Decorator for a GET view taking ``org``: serve 304 or the cached body of this version."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(org, **kwargs):
            key = cache_key(org, with_forms)
            etag = etag_of(key)
            if request.if_none_match.contains(etag):
                return _finish(Response(status=304), etag)
            item = _cache().get(key)
            if item is None:
                response = current_app.make_response(view(org, **kwargs))
                if response.status_code != 200:
                    return response
                item = (response.get_data(), response.status_code, response.mimetype,
                        {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers})
                _cache().put(key, item)
            body, status, mimetype, headers = item
            return _finish(Response(body, status=status, mimetype=mimetype, headers=headers), etag)
        return wrapped
    return decorator


def _finish(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"  # may be stored, but revalidated with the ETag
    return response
