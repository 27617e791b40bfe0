#include "json_object.hpp"

#include <cmath>
#include <limits>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "normalize.hpp"

namespace vibe::json {

namespace {

[[noreturn]] void fail(const std::string &path, const std::string &what) {
    throw DecodeError(path + ": " + what, what == "missing" ? "missing_field" : "invalid_field");
}

[[noreturn]] void wrong_type(const std::string &path, const char *expected, const rapidjson::Value &got) {
    fail(path, std::string("expected ") + expected + ", got " + type_name(got));
}

// Doubles in [-2^63, 2^63) convert to int64 exactly when integral.
constexpr double kInt64Bound = 9223372036854775808.0;

bool fits_int64(double d) { return d >= -kInt64Bound && d < kInt64Bound; }

// 9999-12-31T23:59:59.999Z, the last instant a DATETIME(3) holds.
constexpr int64_t kMaxTimestampMs = 253402300799999LL;

// An id's text, or nullopt when v is neither a non-empty string nor an integer.
Opt id_text(const rapidjson::Value &v) {
    if (v.IsString()) {
        if (v.GetStringLength() == 0) return std::nullopt;
        return std::string(v.GetString(), v.GetStringLength());
    }
    if (v.IsInt64()) return std::to_string(v.GetInt64());
    if (v.IsUint64()) return std::to_string(v.GetUint64());
    return std::nullopt;
}

}  // namespace

const char *type_name(const rapidjson::Value &v) {
    switch (v.GetType()) {
        case rapidjson::kNullType: return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType: return "boolean";
        case rapidjson::kObjectType: return "object";
        case rapidjson::kArrayType: return "array";
        case rapidjson::kStringType: return "string";
        case rapidjson::kNumberType: return "number";
    }
    return "unknown";
}

std::string required_id_element(const rapidjson::Value &v, const std::string &path) {
    if (v.IsNull()) fail(path, "missing");
    if (Opt id = id_text(v)) return *id;
    if (v.IsString()) fail(path, "empty");
    wrong_type(path, "a string or an integer", v);
}

std::string raw_text(const rapidjson::Value &v, size_t max_len) {
    std::string out;
    if (v.IsString()) {
        out.assign(v.GetString(), v.GetStringLength());
    } else {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        v.Accept(w);
        out.assign(buf.GetString(), buf.GetSize());
    }
    if (out.size() > max_len) {
        size_t cut = max_len;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;  // not mid-character
        out.resize(cut);
    }
    return out;
}

Object::Object(const rapidjson::Value &v, std::string path, Anomalies &anomalies)
    : v_(&v), root_path_(std::move(path)), anomalies_(&anomalies) {
    if (!v.IsObject()) wrong_type(root_path_, "an object", v);
}

Object::Object(const rapidjson::Value &v, const Object &parent, const char *member, size_t index)
    : v_(&v), parent_(&parent), member_(member), index_(index), anomalies_(parent.anomalies_) {
    if (!v.IsObject()) wrong_type(path(), "an object", v);
}

Object::Object(const rapidjson::Value &v, const Object &parent, const char *member)
    : v_(&v), parent_(&parent), member_(member), anomalies_(parent.anomalies_) {
    if (!v.IsObject()) wrong_type(path(), "an object", v);
}

std::string Object::path() const {
    if (!parent_) return root_path_;
    std::string p = parent_->path(member_);
    if (index_ != kNoIndex) p += "[" + std::to_string(index_) + "]";
    return p;
}

const rapidjson::Value *Object::find(const char *member) const {
    auto it = v_->FindMember(member);
    if (it == v_->MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

std::string Object::required_id(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) fail(path(member), "missing");
    return required_id_element(*v, path(member));
}

Opt Object::id(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    Opt id = id_text(*v);
    if (!id && !(v->IsString())) note(anomaly::wrong_type, member);  // "" is simply no id
    return id;
}

Opt Object::string(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsString()) {
        note(anomaly::wrong_type, member);
        return std::nullopt;
    }
    return std::string(v->GetString(), v->GetStringLength());
}

Opt Object::label(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
    if (v->IsInt64()) return std::to_string(v->GetInt64());
    if (v->IsUint64()) return std::to_string(v->GetUint64());
    note(anomaly::wrong_type, member);
    return std::nullopt;
}

std::optional<int64_t> Object::integer(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsNumber()) {
        note(anomaly::wrong_type, member);
        return std::nullopt;
    }
    if (v->IsInt64()) return v->GetInt64();
    const double d = v->GetDouble();
    if (v->IsUint64() || !fits_int64(d) || std::trunc(d) != d) {  // too large, or fractional
        note(anomaly::out_of_range, member);
        return std::nullopt;
    }
    return static_cast<int64_t>(d);
}

std::optional<double> Object::number(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsNumber()) {
        note(anomaly::wrong_type, member);
        return std::nullopt;
    }
    return v->GetDouble();
}

std::optional<bool> Object::boolean(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsBool()) {
        note(anomaly::wrong_type, member);
        return std::nullopt;
    }
    return v->GetBool();
}

std::optional<int64_t> Object::timestamp_ms(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsNumber()) {
        note(anomaly::wrong_type, member);
        return std::nullopt;
    }
    std::optional<int64_t> ms;
    if (v->IsInt64()) {
        ms = epoch_to_ms(v->GetInt64());
    } else if (!v->IsUint64()) {
        double d = v->GetDouble();
        constexpr double kSecondsLimit = 1e11;  // the same unit rule as epoch_to_ms
        if (d > -kSecondsLimit && d < kSecondsLimit) d *= 1000.0;
        if (fits_int64(d)) ms = std::llround(d);
    }
    if (!ms || *ms < 0 || *ms > kMaxTimestampMs) {  // before 1970 or after 9999
        note(anomaly::out_of_range, member);
        return std::nullopt;
    }
    return ms;
}

std::optional<Object> Object::object(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsObject()) {
        note(anomaly::wrong_type, member);
        return std::nullopt;
    }
    return Object(*v, *this, member);
}

const rapidjson::Value *Object::array(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return nullptr;
    if (!v->IsArray()) {
        note(anomaly::wrong_type, member);
        return nullptr;
    }
    return v;
}

}  // namespace vibe::json
