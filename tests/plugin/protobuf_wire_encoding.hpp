// Raw protobuf wire encoding, to build messages with fields our .proto files
// do not declare, or in a process that must not link the generated classes
// (plugin_abi_test.cpp). Header only, no dependencies.
#pragma once

#include <cstdint>
#include <string>

namespace protobuf_wire {

inline std::string varint(uint64_t v) {
    std::string out;
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
    return out;
}
inline std::string field_varint(int number, uint64_t v) { return varint(static_cast<uint64_t>(number) << 3 | 0) + varint(v); }
inline std::string field_bytes(int number, const std::string &v) {
    return varint(static_cast<uint64_t>(number) << 3 | 2) + varint(v.size()) + v;
}
inline std::string field_fixed64(int number) { return varint(static_cast<uint64_t>(number) << 3 | 1) + std::string(8, '\x01'); }
inline std::string field_fixed32(int number) { return varint(static_cast<uint64_t>(number) << 3 | 5) + std::string(4, '\x02'); }

}  // namespace protobuf_wire
