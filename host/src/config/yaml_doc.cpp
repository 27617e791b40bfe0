#include "config/yaml_doc.hpp"

#include <fstream>
#include <sstream>

namespace vsink {

YamlDoc YamlDoc::load_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw ConfigError(path + ": cannot open file");
    YamlDoc d;
    d.path_ = path;
    try {
        d.root_ = YAML::Load(in);
    } catch (const YAML::Exception &e) {
        std::ostringstream m;
        m << path << ":" << (e.mark.line + 1) << ": invalid YAML: " << e.msg;
        throw ConfigError(m.str());
    }
    if (!d.root_.IsDefined() || d.root_.IsNull()) throw ConfigError(path + ": the file is empty");
    return d;
}

std::string YamlDoc::where(const YAML::Node &n) const {
    std::ostringstream m;
    m << path_;
    if (n.IsDefined() && n.Mark().line >= 0) m << ":" << (n.Mark().line + 1);
    return m.str();
}

void YamlDoc::fail(const YAML::Node &n, const std::string &msg) const { throw ConfigError(where(n) + ": " + msg); }

void YamlDoc::require_map(const YAML::Node &n, const std::string &what) const {
    if (!n.IsMap()) fail(n, what + " must be a map");
}

void YamlDoc::check_keys(const YAML::Node &n, std::initializer_list<const char *> allowed,
                         const std::string &section) const {
    require_map(n, section);
    for (auto it = n.begin(); it != n.end(); ++it) {
        const std::string k = it->first.as<std::string>();
        bool ok = false;
        for (const char *a : allowed) ok = ok || k == a;
        if (!ok) {
            std::string list;
            for (const char *a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
            fail(it->first, "unknown key '" + k + "' in " + section + " (allowed: " + list + ")");
        }
    }
}

std::string YamlDoc::get_string(const YAML::Node &parent, const char *key, const std::string &what) const {
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) fail(parent, what + ": missing required key '" + key + "'");
    if (!n.IsScalar()) fail(n, what + "." + key + " must be a string");
    return n.as<std::string>();
}

std::string YamlDoc::get_string_or(const YAML::Node &parent, const char *key, const std::string &fallback) const {
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) return fallback;
    if (!n.IsScalar()) fail(n, std::string(key) + " must be a string");
    return n.as<std::string>();
}

long long YamlDoc::get_int_or(const YAML::Node &parent, const char *key, long long fallback, long long min,
                              long long max) const {
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) return fallback;
    long long v = 0;
    try {
        v = n.as<long long>();
    } catch (const YAML::Exception &) {
        fail(n, std::string(key) + " must be an integer");
    }
    if (v < min || v > max)
        fail(n, std::string(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return v;
}

}  // namespace vsink
