// Protobuf messages decoded into a per-thread arena, emptied before each
// parse: the message, its sub-messages and repeated fields take no
// allocation of their own (only strings longer than their inline buffer
// still do). A message is valid until the next parse with the same Tag on
// the same thread. Reset() returns every block but the first, so an
// unusually large record does not stay resident.
#pragma once

#include <climits>
#include <cstddef>
#include <memory>
#include <string_view>

#include <google/protobuf/arena.h>

#include "domain.hpp"

namespace vibe::pb_arena {

struct ArenaHolder {
    static google::protobuf::ArenaOptions options(char *block, size_t size) {
        google::protobuf::ArenaOptions o;
        o.initial_block = block;
        o.initial_block_size = size;
        return o;
    }
    static constexpr size_t kBlock = 64 * 1024;
    std::unique_ptr<char[]> block{new char[kBlock]};
    google::protobuf::Arena arena{options(block.get(), kBlock)};
};

// One arena per Tag (a decoder) and thread. Throws DecodeError ("malformed").
template <class Tag, class Msg>
const Msg &parse(std::string_view bytes) {
    static thread_local ArenaHolder holder;
    google::protobuf::Arena &arena = holder.arena;
    arena.Reset();
    Msg *msg = google::protobuf::Arena::CreateMessage<Msg>(&arena);
    if (bytes.size() > static_cast<size_t>(INT_MAX) ||
        !msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        throw DecodeError("protobuf: cannot parse " + Msg::descriptor()->full_name(), "malformed");
    }
    return *msg;
}

}  // namespace vibe::pb_arena
