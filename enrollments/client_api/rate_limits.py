"""Rate limits of the clients' API: a token bucket per key in Redis, one Lua script so that concurrent requests
of one key (several web processes) share it atomically; Redis's own clock, so the web servers' clocks do not count."""

import logging
import math
from dataclasses import dataclass

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

# KEYS[1] the bucket; ARGV: burst, tokens per second. Returns {allowed, seconds to wait for a token}.
_TOKEN_BUCKET = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return {allowed, tostring(wait)}
"""

_clients: dict[str, redis.Redis] = {}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def _client() -> redis.Redis:
    url = settings.API_RATE_REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    return _clients[url]


def rate_limit_take(*, key_id: str) -> Verdict:
    """Take one request from the key's bucket; when it is empty, say how many whole seconds until the next.

    Redis unreachable: the request goes through (logged), since the limit protects the service and an outage of
    Redis alone should not stop the clients' HR systems.
    """
    burst = max(1, int(settings.API_RATE_BURST))
    per_second = max(1, int(settings.API_RATE_PER_MINUTE)) / 60
    try:
        allowed, wait = _client().eval(_TOKEN_BUCKET, 1, f"api_rate:{key_id}", burst, per_second)
    except redis.RedisError:
        logger.warning("API rate limit not checked: Redis unreachable", exc_info=True)
        return Verdict(allowed=True)
    if allowed:
        return Verdict(allowed=True)
    return Verdict(allowed=False, retry_after=max(1, math.ceil(float(wait))))
