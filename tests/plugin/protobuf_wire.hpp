// Helpers for the Protobuf decoder tests: raw wire encoding (to add fields our
// .proto files do not declare), a message's bytes, and a DecodeError's text.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "domain.hpp"
#include "protobuf_wire_encoding.hpp"

namespace protobuf_wire {

template <class Msg>
std::string bytes_of(const Msg &m) {
    std::string s;
    REQUIRE(m.SerializeToString(&s));
    return s;
}

// The message of the DecodeError f throws ("" if it throws nothing).
template <class F>
std::string error_of(F &&f) {
    try {
        f();
    } catch (const vibe::DecodeError &e) {
        return e.what();
    }
    return "";
}

}  // namespace protobuf_wire
