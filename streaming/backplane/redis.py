"""The Redis backplane: many workers, one upstream subscription per symbol across the cluster.

Per upstream key (feed account, exchange, symbol):
- every instance that has clients for it records its wanted mode in the hash `demand:<key>`
  (field = instance id; value "mode", or "mode:levels" for books deeper than 5 levels) and
  listens to its feed account's tick channel `ticks:<account>`;
- one of them owns it through the lease `owner:<key>` (SET NX PX, renewed every third of the TTL
  while the owner is alive). The owner subscribes at the broker at the highest mode in the demand
  hash (entries of dead instances, whose `alive:<id>` key expired, are ignored), delivers ticks to
  its own clients directly and publishes them for the others, batched: one PUBLISH carries every
  tick the owner received since its previous one (measured: redis-py reads ~10k pub/sub messages/s
  on this machine, so one message per tick would be the bottleneck);
- demand changes are announced on `ctl`, so the owner re-evaluates the mode at once and, when the
  owner leaves, another instance takes the lease; a crashed owner's lease expires after the TTL
  and the next instance with demand takes over.
User events (order updates, Socket.IO events) go through one `events` channel, in order.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict, deque
from typing import Any

import orjson
import redis.asyncio as redis

from brokers.contract import FeedMode, Instrument, Tick
from streaming.backplane import Backplane, BackplaneHost
from streaming.index import Demand, UpstreamKey
from streaming.messages import tick_from_wire, tick_to_wire

log = logging.getLogger("algogate.streaming.redis")

_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def key_text(key: UpstreamKey) -> str:
    return "|".join(key)


def demand_text(demand: Demand) -> str:
    if demand.depth_levels == Demand(demand.mode).depth_levels:
        return str(int(demand.mode))  # the plain form, as before deep depth existed
    return f"{int(demand.mode)}:{demand.depth_levels}"


def parse_demand(value: bytes | str) -> Demand:
    text = value.decode() if isinstance(value, bytes) else value
    mode, _, levels = text.partition(":")
    return Demand(FeedMode(int(mode)), int(levels)) if levels else Demand(FeedMode(int(mode)))


class RedisBackplane(Backplane):
    name = "redis"

    def __init__(self, url: str, prefix: str = "algogate:stream:", lease_ttl_seconds: float = 10.0) -> None:
        self.instance_id = uuid.uuid4().hex[:12]
        self._url = url
        self._prefix = prefix
        self._ttl_ms = int(lease_ttl_seconds * 1000)
        self._host: BackplaneHost | None = None
        self._redis: redis.Redis | None = None
        self._pubsub = None
        self._demand: dict[UpstreamKey, tuple[Instrument, Demand]] = {}
        self._owned: dict[UpstreamKey, Demand | None] = {}
        self._account_keys: dict[str, int] = {}  # feed account → wanted keys (channel refcount)
        self._channel_accounts: dict[bytes, str] = {}
        self._locks: defaultdict[UpstreamKey, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._outbox: deque[tuple[UpstreamKey, dict]] = deque()
        self._outbox_ready = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self.published = 0
        self.received = 0

    # --- names ----------------------------------------------------------------------------------

    def _k(self, kind: str, key: UpstreamKey) -> str:
        return f"{self._prefix}{kind}:{key_text(key)}"

    @property
    def _ctl(self) -> str:
        return f"{self._prefix}ctl"

    @property
    def _events(self) -> str:
        return f"{self._prefix}events"

    def _ticks(self, account: str) -> str:
        return f"{self._prefix}ticks:{account}"

    def _alive(self, instance: str) -> str:
        return f"{self._prefix}alive:{instance}"

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self, host: BackplaneHost) -> None:
        self._host = host
        # Subscribing many symbols at once issues many commands concurrently: wait for a pooled
        # connection instead of failing when all are busy.
        pool = redis.BlockingConnectionPool.from_url(self._url, max_connections=32, timeout=30)
        self._redis = redis.Redis.from_pool(pool)  # owns the pool: aclose() closes it
        await self._redis.set(self._alive(self.instance_id), 1, px=self._ttl_ms)
        self._pubsub = self._redis.pubsub()
        await self._pubsub.subscribe(self._ctl, self._events)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._listen(), name="redis-listen"),
                       loop.create_task(self._publish_loop(), name="redis-publish"),
                       loop.create_task(self._maintain(), name="redis-leases")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        if self._redis is not None:
            try:
                for key in list(self._owned):
                    await self._redis.eval(_RELEASE, 1, self._k("owner", key), self.instance_id)
                for key in list(self._demand):
                    await self._redis.hdel(self._k("demand", key), self.instance_id)
                    await self._redis.publish(self._ctl, key_text(key))
                await self._redis.delete(self._alive(self.instance_id))
                await self._pubsub.aclose()
            finally:
                await self._redis.aclose()
        self._owned.clear()
        self._demand.clear()

    # --- demand and ownership ---------------------------------------------------------------------

    async def set_demand(self, key: UpstreamKey, instrument: Instrument, demand: Demand | None) -> None:
        account = key[0]
        async with self._locks[key]:
            if demand is not None:
                first = key not in self._demand
                self._demand[key] = (instrument, demand)
                await self._redis.hset(self._k("demand", key), self.instance_id, demand_text(demand))
                if first:
                    self._account_keys[account] = self._account_keys.get(account, 0) + 1
                    if self._account_keys[account] == 1:
                        self._channel_accounts[self._ticks(account).encode()] = account
                        await self._pubsub.subscribe(self._ticks(account))
                await self._redis.publish(self._ctl, key_text(key))
                await self._claim(key, raise_errors=True)
                return
            if self._demand.pop(key, None) is not None:
                self._account_keys[account] -= 1
                if not self._account_keys[account]:
                    del self._account_keys[account]
                    self._channel_accounts.pop(self._ticks(account).encode(), None)
                    await self._pubsub.unsubscribe(self._ticks(account))
            await self._redis.hdel(self._k("demand", key), self.instance_id)
            if key in self._owned:
                await self._give_up(key)
            await self._redis.publish(self._ctl, key_text(key))

    async def _claim(self, key: UpstreamKey, raise_errors: bool = False) -> None:
        """Take the lease if it is free, then (as owner) subscribe at the cluster's highest mode."""
        if key not in self._demand:
            return
        if key not in self._owned:
            won = await self._redis.set(self._k("owner", key), self.instance_id, nx=True, px=self._ttl_ms)
            if not won:
                return
            self._owned[key] = None  # owned, nothing subscribed yet
        target = await self._cluster_mode(key)
        if target is None or target == self._owned[key]:
            return
        try:
            await self._host.own_upstream(key, self._demand[key][0], target)
        except Exception:
            if self._owned[key] is None:  # never subscribed: let somebody else try
                await self._give_up(key, unsubscribe=False)
            if raise_errors:
                raise
            log.exception("subscribing %s upstream failed", key)
            return
        self._owned[key] = target

    async def _cluster_mode(self, key: UpstreamKey) -> Demand | None:
        wanted = await self._redis.hgetall(self._k("demand", key))
        if not wanted:
            return None
        instances = [field.decode() for field in wanted]
        alive = await self._redis.mget([self._alive(i) for i in instances])
        demands = [parse_demand(wanted[field]) for field, up in zip(wanted, alive, strict=True)
                   if up is not None or field.decode() == self.instance_id]
        return max(demands) if demands else None

    async def _give_up(self, key: UpstreamKey, unsubscribe: bool = True) -> None:
        self._owned.pop(key, None)
        if unsubscribe:
            try:
                await self._host.disown_upstream(key)
            except Exception:
                log.exception("unsubscribing %s upstream failed", key)
        await self._redis.eval(_RELEASE, 1, self._k("owner", key), self.instance_id)

    async def _maintain(self) -> None:
        """Renew our leases and liveness, adopt orphaned keys, follow demand of vanished instances.
        Pipelined: a handful of round trips per period however many keys there are."""
        period = self._ttl_ms / 3000
        while True:
            await asyncio.sleep(period)
            try:
                await self._maintain_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("lease maintenance failed")

    async def _maintain_once(self) -> None:
        owned = list(self._owned)
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(self._alive(self.instance_id), 1, px=self._ttl_ms)
        for key in owned:
            pipe.eval(_RENEW, 1, self._k("owner", key), self.instance_id, self._ttl_ms)
        renewed = (await pipe.execute())[1:]
        for key, ok in zip(owned, renewed, strict=True):
            if not ok and key in self._owned:
                log.warning("lost the lease of %s; unsubscribing here", key)
                async with self._locks[key]:
                    if self._owned.pop(key, None) is not None:
                        await self._host.disown_upstream(key)
        orphans = [key for key in self._demand if key not in self._owned]
        if orphans:
            pipe = self._redis.pipeline(transaction=False)
            for key in orphans:
                pipe.exists(self._k("owner", key))
            held = await pipe.execute()
            for key, exists in zip(orphans, held, strict=True):
                if not exists:
                    async with self._locks[key]:
                        await self._claim(key)
        owned = [key for key in self._owned if key in self._demand]
        if owned:  # the cluster's mode may have dropped when an instance died
            pipe = self._redis.pipeline(transaction=False)
            for key in owned:
                pipe.hgetall(self._k("demand", key))
            demands = await pipe.execute()
            instances = sorted({field.decode() for wanted in demands for field in wanted})
            alive = dict(zip(instances, await self._redis.mget([self._alive(i) for i in instances]),
                             strict=True)) if instances else {}
            for key, wanted in zip(owned, demands, strict=True):
                demands = [parse_demand(value) for field, value in wanted.items()
                           if alive.get(field.decode()) is not None or field.decode() == self.instance_id]
                target = max(demands) if demands else None
                if target is not None and target != self._owned.get(key):
                    async with self._locks[key]:
                        await self._claim(key)

    # --- ticks and events -------------------------------------------------------------------------

    def publish_tick(self, key: UpstreamKey, tick: Tick) -> None:
        self._host.deliver_tick(key, tick)
        self._outbox.append((key, tick_to_wire(tick)))
        self._outbox_ready.set()

    async def publish_user_event(self, user_id: str, event: str, payload: Any) -> None:
        await self._redis.publish(self._events, orjson.dumps({"u": user_id, "e": event, "p": payload}))

    async def _publish_loop(self) -> None:
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self._outbox:
                batches: dict[str, list] = {}
                for _ in range(min(len(self._outbox), 5000)):
                    key, wire = self._outbox.popleft()
                    batches.setdefault(key[0], []).append((key[1], key[2], wire))
                pipe = self._redis.pipeline(transaction=False)
                for account, ticks in batches.items():
                    pipe.publish(self._ticks(account), orjson.dumps({"o": self.instance_id, "t": ticks}))
                try:
                    await pipe.execute()
                    self.published += sum(len(ticks) for ticks in batches.values())
                except Exception:
                    log.exception("publishing ticks failed")

    async def _listen(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis pub/sub read failed")
                await asyncio.sleep(1)
                continue
            if message is None:
                continue
            channel, data = message["channel"], message["data"]
            try:
                account = self._channel_accounts.get(channel)
                if account is not None:
                    body = orjson.loads(data)
                    if body["o"] != self.instance_id:
                        for exchange, symbol, wire in body["t"]:
                            key = (account, exchange, symbol)
                            if key in self._demand:
                                self.received += 1
                                self._host.deliver_tick(key, tick_from_wire(wire))
                elif channel == self._events.encode():
                    body = orjson.loads(data)
                    self._host.deliver_user_event(body["u"], body["e"], body["p"])
                elif channel == self._ctl.encode():
                    key = tuple(data.decode().split("|", 2))
                    if key in self._demand:
                        asyncio.get_running_loop().create_task(self._claim_locked(key))
            except Exception:
                log.exception("bad backplane message on %r", channel)

    async def _claim_locked(self, key: UpstreamKey) -> None:
        async with self._locks[key]:
            await self._claim(key)

    def health(self) -> dict[str, object]:
        return {"backplane": self.name, "instance": self.instance_id, "owned_keys": len(self._owned),
                "wanted_keys": len(self._demand), "ticks_published": self.published,
                "ticks_received": self.received}
