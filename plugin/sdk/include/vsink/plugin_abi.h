/*
 * vibe-sink plugin ABI: the only thing that crosses the .so boundary.
 *
 * Plain C, standard includes only. No C++ types or exceptions cross it.
 * Buffers travel as {ptr, len} and are borrowed: they stay valid only for the
 * duration of the call that passes them, unless stated otherwise.
 *
 * A plugin exports exactly one symbol, VSINK_PLUGIN_ENTRY_SYMBOL, of type
 * vsink_plugin_entry_fn. The host calls it with the ABI version it was built
 * with; the plugin returns its descriptor (or NULL if it cannot serve that
 * version). The host then compares descriptor->abi_version with its own and
 * refuses the plugin on any mismatch.
 *
 * Evolution: fields are only ever appended to the structs below, and
 * struct_size tells the host how many it may read. Any incompatible change
 * bumps VSINK_ABI_VERSION.
 */
#ifndef VSINK_PLUGIN_ABI_H
#define VSINK_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VSINK_ABI_VERSION 3u
#define VSINK_PLUGIN_ENTRY_SYMBOL "vsink_plugin_entry"

/* A borrowed byte span. Not NUL-terminated unless stated. */
typedef struct vsink_bytes {
    const char *ptr;
    size_t len;
} vsink_bytes;

typedef struct vsink_header {
    vsink_bytes key;
    vsink_bytes value; /* value.ptr == NULL: the header has a null value */
} vsink_header;

/* One Kafka record, as the host hands it to the plugin. All borrowed for the
 * duration of convert(). */
typedef struct vsink_record {
    vsink_bytes topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms; /* -1 when the broker gave none */
    vsink_bytes key;      /* key.ptr == NULL: null key */
    vsink_bytes value;    /* value.ptr == NULL: tombstone */
    const vsink_header *headers;
    size_t header_count;
} vsink_record;

typedef enum vsink_value_kind {
    VSINK_NULL = 0,
    VSINK_INT64 = 1,
    VSINK_DOUBLE = 2,
    VSINK_STRING = 3,
    VSINK_BOOL = 4,
    VSINK_TIMESTAMP_MS = 5 /* i64 holds milliseconds since the Unix epoch, UTC */
} vsink_value_kind;

typedef struct vsink_value {
    int32_t kind; /* vsink_value_kind */
    int64_t i64;  /* INT64, BOOL (0/1), TIMESTAMP_MS */
    double f64;   /* DOUBLE */
    vsink_bytes str; /* STRING */
} vsink_value;

typedef struct vsink_field {
    vsink_bytes name;
    vsink_value value;
} vsink_field;

/* One entity the plugin derives from a record, e.g. "order" or "ticket".
 * The mapping YAML says which table and columns each entity type fills. */
typedef struct vsink_entity {
    vsink_bytes type;
    const vsink_field *fields;
    size_t field_count;
} vsink_entity;

/* Host-provided sink for entities. emit() copies everything it is given
 * before returning; the plugin may reuse its buffers right after. Entities of
 * one record are applied in the order they are emitted (subject to the
 * mapping's parent ordering). Returns 0 on success, non-zero when the host
 * refuses the entity (the plugin should then stop and return an error).
 *
 * tolerated() (ABI 2) reports that the current record held something the
 * plugin read leniently instead of refusing the record: a field stored as
 * NULL (or mapped to a catch-all value) because of its type or range, a
 * channel never seen before, ... `kind` is a short token naming what
 * ("unknown_category", "wrong_type", "out_of_range", "unknown_value",
 * "new_channel", ...), `field` the field's path in the message (e.g.
 * "event.venue.lat"). Neither may hold personal data or field values. The
 * host counts them per topic and kind. May be NULL: then nothing is counted. */
typedef struct vsink_emitter {
    void *host_ctx;
    int (*emit)(void *host_ctx, const vsink_entity *entity);
    void (*tolerated)(void *host_ctx, vsink_bytes kind, vsink_bytes field);
} vsink_emitter;

/* Outcome of convert(). */
typedef enum vsink_status {
    VSINK_OK = 0,
    VSINK_ERR_RECORD = 1,  /* this record cannot be decoded (malformed, a required id missing): DLQ it */
    VSINK_ERR_FATAL = 2,   /* the plugin cannot go on (broken setup): stop the worker */
    VSINK_ERR_REFUSED = 3  /* (ABI 3) well-formed, but a configured rule refuses it (schema major,
                              channel allow-list): DLQ it at stage "validate" */
} vsink_status;

/* Error text written by the plugin into a host-owned buffer (NUL-terminated,
 * truncated to cap). Must never contain personal data.
 * (ABI 3) class_buf receives a short token classifying the error for the
 * dead-letter queue's vsink.error.class header, e.g. "malformed",
 * "missing_field", "channel_refused"; the host passes class_buf = NULL when
 * it does not want one. */
typedef struct vsink_error {
    char *buf;
    size_t cap;
    char *class_buf;
    size_t class_cap;
} vsink_error;

/* Topic settings the host read from the mapping and hands to the plugin:
 * the topic name and the raw YAML text of that topic's entry, which the
 * plugin parses and validates itself. */
typedef struct vsink_topic_config {
    vsink_bytes topic;
    vsink_bytes yaml;        /* the topic's mapping entry, as YAML text */
    vsink_bytes source_file; /* the mapping file it came from, for messages */
    int32_t source_line;     /* 1-based line of the entry in that file */
} vsink_topic_config;

typedef struct vsink_plugin_config {
    const vsink_topic_config *topics;
    size_t topic_count;
} vsink_plugin_config;

typedef struct vsink_plugin {
    uint32_t abi_version; /* must equal the host's VSINK_ABI_VERSION */
    uint32_t struct_size; /* sizeof(vsink_plugin) as the plugin was built */
    const char *name;     /* static, NUL-terminated */
    const char *version;  /* static, NUL-terminated */

    /* Create an instance for the given topics. On failure returns non-zero
     * and writes the reason to err. *instance is owned by the plugin until
     * destroy(). */
    int (*create)(const vsink_plugin_config *config, void **instance, vsink_error *err);

    /* Convert one record into entities through out->emit. Must be callable
     * from one thread at a time per instance. */
    int32_t (*convert)(void *instance, const vsink_record *record, const vsink_emitter *out,
                       vsink_error *err);

    void (*destroy)(void *instance);
} vsink_plugin;

typedef const vsink_plugin *(*vsink_plugin_entry_fn)(uint32_t host_abi_version);

#ifdef __cplusplus
}
#endif

#endif /* VSINK_PLUGIN_ABI_H */
