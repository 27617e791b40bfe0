#include "json_object.hpp"

#include <cmath>
#include <limits>

#include "normalize.hpp"

namespace vibe::json {

namespace {

[[noreturn]] void fail(const std::string &path, const std::string &what) { throw DecodeError(path + ": " + what); }

[[noreturn]] void wrong_type(const std::string &path, const char *expected, const rapidjson::Value &got) {
    fail(path, std::string("expected ") + expected + ", got " + type_name(got));
}

// Doubles in [-2^63, 2^63) convert to int64 exactly when integral.
constexpr double kInt64Bound = 9223372036854775808.0;

bool fits_int64(double d) { return d >= -kInt64Bound && d < kInt64Bound; }

// 9999-12-31T23:59:59.999Z, the last instant a DATETIME(3) holds.
constexpr int64_t kMaxTimestampMs = 253402300799999LL;

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
    if (!v.IsString()) wrong_type(path, "a string", v);
    if (v.GetStringLength() == 0) fail(path, "empty");
    return std::string(v.GetString(), v.GetStringLength());
}

Object::Object(const rapidjson::Value &v, std::string path) : v_(&v), path_(std::move(path)) {
    if (!v.IsObject()) wrong_type(path_, "an object", v);
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

Opt Object::string(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsString()) wrong_type(path(member), "a string", *v);
    return std::string(v->GetString(), v->GetStringLength());
}

Opt Object::label(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
    if (v->IsInt64()) return std::to_string(v->GetInt64());
    if (v->IsUint64()) return std::to_string(v->GetUint64());
    wrong_type(path(member), "a string or an integer", *v);
}

std::optional<int64_t> Object::integer(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsNumber()) wrong_type(path(member), "an integer", *v);
    if (v->IsInt64()) return v->GetInt64();
    if (v->IsUint64()) fail(path(member), "out of range");
    double d = v->GetDouble();
    if (!fits_int64(d)) fail(path(member), "out of range");
    if (std::trunc(d) != d) fail(path(member), "expected an integer, got a fractional number");
    return static_cast<int64_t>(d);
}

std::optional<double> Object::number(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsNumber()) wrong_type(path(member), "a number", *v);
    return v->GetDouble();
}

std::optional<int64_t> Object::timestamp_ms(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    if (!v->IsNumber()) wrong_type(path(member), "a number", *v);
    int64_t ms = 0;
    if (v->IsInt64()) {
        ms = epoch_to_ms(v->GetInt64());
    } else if (v->IsUint64()) {
        fail(path(member), "out of range");
    } else {
        double d = v->GetDouble();
        constexpr double kSecondsLimit = 1e11;  // the same unit rule as epoch_to_ms
        if (d > -kSecondsLimit && d < kSecondsLimit) d *= 1000.0;
        if (!fits_int64(d)) fail(path(member), "out of range");
        ms = std::llround(d);
    }
    if (ms < 0 || ms > kMaxTimestampMs) fail(path(member), "out of range (before 1970 or after 9999)");
    return ms;
}

std::optional<Object> Object::object(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return std::nullopt;
    return Object(*v, path(member));
}

const rapidjson::Value *Object::array(const char *member) const {
    const rapidjson::Value *v = find(member);
    if (!v) return nullptr;
    if (!v->IsArray()) wrong_type(path(member), "an array", *v);
    return v;
}

}  // namespace vibe::json
