// The host side of vsink_emitter: turns the entities a plugin emits for one
// record into EntityRows resolved against the mapping.
#pragma once

#include <vsink/plugin_abi.h>

#include <string>
#include <vector>

#include "persistence/entity_row.hpp"

namespace vsink {

class EntityCollector {
public:
    explicit EntityCollector(const Mapping &mapping) : mapping_(mapping) {}

    // Starts a record: rows emitted from now on carry this origin.
    void begin_record(RecordOrigin origin);
    const vsink_emitter &emitter() const { return emitter_; }
    // The rows of the current record, moved out.
    std::vector<EntityRow> take_rows();
    // Set when the plugin emitted an entity the mapping does not know (a
    // broken setup, not a bad record).
    const std::string &unknown_entity_error() const { return unknown_; }
    // Set when an entity of this record lacks a key value (a bad record).
    const std::string &record_error() const { return record_error_; }

private:
    static int emit_cb(void *ctx, const vsink_entity *e);
    int emit(const vsink_entity &e);

    const Mapping &mapping_;
    RecordOrigin origin_;
    std::vector<EntityRow> rows_;
    std::string unknown_;
    std::string record_error_;
    vsink_emitter emitter_{this, &EntityCollector::emit_cb};
};

}  // namespace vsink
