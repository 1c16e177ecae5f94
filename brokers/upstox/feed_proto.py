"""MarketDataFeedV3's protobuf schema, built in Python with `descriptor_pb2` (no protoc, no
generated module) in a private descriptor pool so it never clashes with another plugin's."""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PACKAGE = "com.upstox.marketdatafeederv3udapi.rpc.proto"
F = descriptor_pb2.FieldDescriptorProto

_SCALARS = {"double": F.TYPE_DOUBLE, "int64": F.TYPE_INT64, "string": F.TYPE_STRING}

# message → [(field number, name, type, repeated, oneof)] where type is a scalar name, a message
# name or `enum:Name`.
_MESSAGES: dict[str, list[tuple[int, str, str, bool, str | None]]] = {
    "LTPC": [(1, "ltp", "double", False, None), (2, "ltt", "int64", False, None),
             (3, "ltq", "int64", False, None), (4, "cp", "double", False, None)],
    "Quote": [(1, "bidQ", "int64", False, None), (2, "bidP", "double", False, None),
              (3, "askQ", "int64", False, None), (4, "askP", "double", False, None)],
    "MarketLevel": [(1, "bidAskQuote", "Quote", True, None)],
    "OptionGreeks": [(1, "delta", "double", False, None), (2, "theta", "double", False, None),
                     (3, "gamma", "double", False, None), (4, "vega", "double", False, None),
                     (5, "rho", "double", False, None)],
    "OHLC": [(1, "interval", "string", False, None), (2, "open", "double", False, None),
             (3, "high", "double", False, None), (4, "low", "double", False, None),
             (5, "close", "double", False, None), (6, "vol", "int64", False, None),
             (7, "ts", "int64", False, None)],
    "MarketOHLC": [(1, "ohlc", "OHLC", True, None)],
    "MarketFullFeed": [(1, "ltpc", "LTPC", False, None), (2, "marketLevel", "MarketLevel", False, None),
                       (3, "optionGreeks", "OptionGreeks", False, None),
                       (4, "marketOHLC", "MarketOHLC", False, None), (5, "atp", "double", False, None),
                       (6, "vtt", "int64", False, None), (7, "oi", "double", False, None),
                       (8, "iv", "double", False, None), (9, "tbq", "double", False, None),
                       (10, "tsq", "double", False, None)],
    "IndexFullFeed": [(1, "ltpc", "LTPC", False, None), (2, "marketOHLC", "MarketOHLC", False, None)],
    "FullFeed": [(1, "marketFF", "MarketFullFeed", False, "FullFeedUnion"),
                 (2, "indexFF", "IndexFullFeed", False, "FullFeedUnion")],
    "FirstLevelWithGreeks": [(1, "ltpc", "LTPC", False, None), (2, "firstDepth", "Quote", False, None),
                             (3, "optionGreeks", "OptionGreeks", False, None), (4, "vtt", "int64", False, None),
                             (5, "oi", "double", False, None), (6, "iv", "double", False, None)],
    "Feed": [(1, "ltpc", "LTPC", False, "FeedUnion"), (2, "fullFeed", "FullFeed", False, "FeedUnion"),
             (3, "firstLevelWithGreeks", "FirstLevelWithGreeks", False, "FeedUnion"),
             (4, "requestMode", "enum:RequestMode", False, None)],
}
_ENUMS = {
    "Type": ["initial_feed", "live_feed", "market_info"],
    "RequestMode": ["ltpc", "full_d5", "option_greeks", "full_d30"],
    "MarketStatus": ["PRE_OPEN_START", "PRE_OPEN_END", "NORMAL_OPEN", "NORMAL_CLOSE", "CLOSING_START",
                     "CLOSING_END"],
}


def _add_field(message: descriptor_pb2.DescriptorProto, number: int, name: str, kind: str, repeated: bool,
               oneof_index: int | None = None) -> None:
    field = message.field.add(name=name, number=number,
                              label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
    if kind in _SCALARS:
        field.type = _SCALARS[kind]
    elif kind.startswith("enum:"):
        field.type = F.TYPE_ENUM
        field.type_name = f".{PACKAGE}.{kind[5:]}"
    else:
        field.type = F.TYPE_MESSAGE
        field.type_name = f".{PACKAGE}.{kind}"
    if oneof_index is not None:
        field.oneof_index = oneof_index


def _map_field(message: descriptor_pb2.DescriptorProto, number: int, name: str, entry: str, value: str) -> None:
    nested = message.nested_type.add(name=entry)
    nested.options.map_entry = True
    _add_field(nested, 1, "key", "string", False)
    _add_field(nested, 2, "value", value, False)
    field = message.field.add(name=name, number=number, label=F.LABEL_REPEATED, type=F.TYPE_MESSAGE)
    field.type_name = f".{PACKAGE}.{message.name}.{entry}"


def _file() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(name="algogate_upstox_MarketDataFeedV3.proto", package=PACKAGE,
                                               syntax="proto3")
    for name, values in _ENUMS.items():
        enum = proto.enum_type.add(name=name)
        for number, value in enumerate(values):
            enum.value.add(name=value, number=number)
    for name, fields in _MESSAGES.items():
        message = proto.message_type.add(name=name)
        oneofs: dict[str, int] = {}
        for number, field_name, kind, repeated, oneof in fields:
            index = None
            if oneof is not None:
                if oneof not in oneofs:
                    oneofs[oneof] = len(message.oneof_decl)
                    message.oneof_decl.add(name=oneof)
                index = oneofs[oneof]
            _add_field(message, number, field_name, kind, repeated, index)
    info = proto.message_type.add(name="MarketInfo")
    _map_field(info, 1, "segmentStatus", "SegmentStatusEntry", "enum:MarketStatus")
    response = proto.message_type.add(name="FeedResponse")
    _add_field(response, 1, "type", "enum:Type", False)
    _map_field(response, 2, "feeds", "FeedsEntry", "Feed")
    _add_field(response, 3, "currentTs", "int64", False)
    _add_field(response, 4, "marketInfo", "MarketInfo", False)
    return proto


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_file())
FeedResponse = message_factory.GetMessageClass(_POOL.FindMessageTypeByName(f"{PACKAGE}.FeedResponse"))

TYPE_INITIAL_FEED, TYPE_LIVE_FEED, TYPE_MARKET_INFO = 0, 1, 2
