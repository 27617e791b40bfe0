// The host side of vsink_emitter: turns the entities a plugin emits for one
// record into EntityRows resolved against the mapping, and counts what it
// reports as tolerated.
#pragma once

#include <vsink/plugin_abi.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "persistence/entity_row.hpp"

namespace vsink {

// Anomalies the plugin read leniently instead of refusing a record, counted
// per (topic, kind), e.g. {"ticketland.orders.events", "unknown_category"}.
using ToleratedCounts = std::map<std::pair<std::string, std::string>, uint64_t>;

// "topic kind=n kind=n; topic kind=n" (topics and kinds in order), for the
// progress line; empty when there is nothing to say.
std::string format_tolerated(const ToleratedCounts &counts);

class EntityCollector {
public:
    explicit EntityCollector(const Mapping &mapping) : mapping_(mapping) {}

    // Starts a record: rows emitted from now on carry this origin.
    void begin_record(const RecordOrigin &origin);
    const vsink_emitter &emitter() const { return emitter_; }
    // The rows of the current record, moved out.
    std::vector<EntityRow> take_rows();
    // Set when the plugin emitted an entity the mapping does not know (a
    // broken setup, not a bad record).
    const std::string &unknown_entity_error() const { return unknown_; }
    // Set when an entity of this record lacks a key value (a bad record).
    const std::string &record_error() const { return record_error_; }
    // What the plugin reported as tolerated since the last take, whatever
    // became of the records (one refused after a tolerated field counts).
    ToleratedCounts take_tolerated() { return std::move(tolerated_); }

private:
    static int emit_cb(void *ctx, const vsink_entity *e);
    static void tolerated_cb(void *ctx, vsink_bytes kind, vsink_bytes field);
    int emit(const vsink_entity &e);
    void tolerated(std::string_view kind, std::string_view field);

    // Per entity: the columns each field name feeds (EntityDef::fields),
    // built on the entity's first row instead of comparing every emitted
    // field with every column's field (host CPU per record, issue 9).
    // A plugin emits an entity's fields in the same order every time: the
    // columns of the field at each position are remembered (`order`), and a
    // field whose name matches the remembered one at its position needs no
    // hashing; another name falls back to the map and updates `order`.
    struct FieldColumns {
        std::unordered_map<std::string_view, std::vector<size_t>> columns;  // views into EntityDef::fields
        struct Slot {
            std::string name;                       // the field emitted at this position last time
            const std::vector<size_t> *cols = nullptr;  // its columns (nullptr: none)
        };
        std::vector<Slot> order;
    };
    struct Seen {
        std::string type;
        const EntityDef *def;
        FieldColumns *fc;
    };
    const Seen *entity(std::string_view type);
    const std::vector<size_t> *columns_of(FieldColumns &fc, size_t position, std::string_view name);

    const Mapping &mapping_;
    std::vector<Seen> entities_;  // types seen: few
    std::unordered_map<const EntityDef *, FieldColumns> field_columns_;  // node-based: stable addresses
    RecordOrigin origin_;
    std::vector<EntityRow> rows_;
    std::string unknown_;
    std::string record_error_;
    ToleratedCounts tolerated_;
    vsink_emitter emitter_{this, &EntityCollector::emit_cb, &EntityCollector::tolerated_cb};
};

}  // namespace vsink
