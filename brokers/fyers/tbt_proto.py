"""The schema of Fyers' TBT socket (`msg.proto`: proto3, no package, wrapper types from
`google/protobuf/wrappers.proto`), built with `descriptor_pb2` in a private descriptor pool — no
protoc, no generated module, no clash with another plugin's messages."""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, wrappers_pb2

F = descriptor_pb2.FieldDescriptorProto
PACKAGE = "algogate.fyers.tbt"  # ours: the wire format does not carry message names
_WRAPPERS = {"Int64": ".google.protobuf.Int64Value", "UInt32": ".google.protobuf.UInt32Value",
             "UInt64": ".google.protobuf.UInt64Value"}
_SCALARS = {"string": F.TYPE_STRING, "uint64": F.TYPE_UINT64, "bool": F.TYPE_BOOL}

# message → [(number, name, type, repeated)]; type: a wrapper, a scalar, a message or `enum:Name`.
_MESSAGES: dict[str, list[tuple[int, str, str, bool]]] = {
    "MarketLevel": [(1, "price", "Int64", False), (2, "qty", "UInt32", False), (3, "nord", "UInt32", False),
                    (4, "num", "UInt32", False)],
    "Depth": [(1, "tbq", "UInt64", False), (2, "tsq", "UInt64", False), (3, "asks", "MarketLevel", True),
              (4, "bids", "MarketLevel", True)],
    "Quote": [(1, "ltp", "Int64", False), (2, "ltt", "UInt32", False), (3, "ltq", "UInt32", False),
              (4, "vtt", "UInt64", False), (5, "vtt_diff", "UInt64", False), (6, "oi", "UInt64", False),
              (7, "ltpc", "Int64", False)],
    "ExtendedQuote": [(1, "atp", "Int64", False), (2, "cp", "Int64", False), (3, "lc", "UInt32", False),
                      (4, "uc", "UInt32", False), (5, "yh", "Int64", False), (6, "yl", "Int64", False),
                      (7, "poi", "UInt64", False), (8, "oich", "Int64", False), (9, "pc", "UInt32", False)],
    "DailyQuote": [(1, "do", "Int64", False), (2, "dh", "Int64", False), (3, "dl", "Int64", False),
                   (4, "dc", "Int64", False), (5, "dhoi", "UInt64", False), (6, "dloi", "UInt64", False)],
    "OHLCV": [(1, "open", "Int64", False), (2, "high", "Int64", False), (3, "low", "Int64", False),
              (4, "close", "Int64", False), (5, "volume", "UInt32", False), (6, "epoch", "UInt32", False)],
    "SymDetail": [(1, "ticksize", "string", False)],
    "MarketFeed": [(1, "quote", "Quote", False), (2, "eq", "ExtendedQuote", False), (3, "dq", "DailyQuote", False),
                   (4, "ohlcv", "OHLCV", False), (5, "depth", "Depth", False), (6, "feed_time", "UInt64", False),
                   (7, "send_time", "UInt64", False), (8, "token", "string", False),
                   (9, "sequence_no", "uint64", False), (10, "snapshot", "bool", False),
                   (11, "ticker", "string", False), (12, "symdetail", "SymDetail", False)],
}
MESSAGE_TYPES = ["ping", "quote", "extended_quote", "daily_quote", "market_level", "ohlcv", "depth", "all",
                 "response"]


def _field(message: descriptor_pb2.DescriptorProto, number: int, name: str, kind: str, repeated: bool) -> None:
    field = message.field.add(name=name, number=number, label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
    if kind in _SCALARS:
        field.type = _SCALARS[kind]
    elif kind in _WRAPPERS:
        field.type, field.type_name = F.TYPE_MESSAGE, _WRAPPERS[kind]
    elif kind.startswith("enum:"):
        field.type, field.type_name = F.TYPE_ENUM, f".{PACKAGE}.{kind[5:]}"
    else:
        field.type, field.type_name = F.TYPE_MESSAGE, f".{PACKAGE}.{kind}"


def _file() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(name="algogate_fyers_tbt.proto", package=PACKAGE, syntax="proto3",
                                               dependency=["google/protobuf/wrappers.proto"])
    kinds = proto.enum_type.add(name="MessageType")
    for number, name in enumerate(MESSAGE_TYPES):
        kinds.value.add(name=name, number=number)
    for name, fields in _MESSAGES.items():
        message = proto.message_type.add(name=name)
        for number, field_name, kind, repeated in fields:
            _field(message, number, field_name, kind, repeated)
    socket = proto.message_type.add(name="SocketMessage")
    entry = socket.nested_type.add(name="FeedsEntry")
    entry.options.map_entry = True
    _field(entry, 1, "key", "string", False)
    _field(entry, 2, "value", "MarketFeed", False)
    _field(socket, 1, "type", "enum:MessageType", False)
    feeds = socket.field.add(name="feeds", number=2, label=F.LABEL_REPEATED, type=F.TYPE_MESSAGE)
    feeds.type_name = f".{PACKAGE}.SocketMessage.FeedsEntry"
    _field(socket, 3, "snapshot", "bool", False)
    _field(socket, 4, "msg", "string", False)
    _field(socket, 5, "error", "bool", False)
    return proto


_POOL = descriptor_pool.DescriptorPool()
_POOL.AddSerializedFile(wrappers_pb2.DESCRIPTOR.serialized_pb)
_POOL.Add(_file())
SocketMessage = message_factory.GetMessageClass(_POOL.FindMessageTypeByName(f"{PACKAGE}.SocketMessage"))
