#include "config/yaml_doc.hpp"

#include "config/secret_ref.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace vsink {

namespace {

std::string mark_text(const std::string &path, const YAML::Mark &m) {
    std::ostringstream s;
    s << path;
    if (m.line >= 0) s << ":" << (m.line + 1) << ":" << (m.column + 1);
    return s.str();
}

// yaml-cpp keeps every pair of a map, lookups find the first: walk the tree
// and refuse a key seen twice in the same map.
void check_duplicate_keys(const std::string &path, const YAML::Node &n, const std::string &at) {
    if (n.IsMap()) {
        std::map<std::string, YAML::Mark> seen;
        for (auto it = n.begin(); it != n.end(); ++it) {
            const std::string k = it->first.IsScalar() ? it->first.Scalar() : std::string();
            const std::string here = at.empty() ? k : at + "." + k;
            if (it->first.IsScalar()) {
                auto [pos, fresh] = seen.emplace(k, it->first.Mark());
                if (!fresh)
                    throw ConfigError(mark_text(path, it->first.Mark()) + ": duplicate key '" + here +
                                      "' (first given at line " + std::to_string(pos->second.line + 1) + ")");
            }
            check_duplicate_keys(path, it->second, here);
        }
    } else if (n.IsSequence()) {
        size_t i = 0;
        for (const auto &e : n) check_duplicate_keys(path, e, at + "[" + std::to_string(i++) + "]");
    }
}

// Every scalar value below `n`, expanded in place (set_scalar keeps the mark).
void expand_node(const std::string &path, const std::string &base_dir, YAML::Node n) {
    if (n.IsScalar()) {
        const std::string &text = n.Scalar();
        if (text.find("${") == std::string::npos) return;
        std::ostringstream where;
        where << path;
        if (n.Mark().line >= 0) where << ":" << (n.Mark().line + 1);
        n = expand_references(text, where.str(), base_dir);
    } else if (n.IsMap()) {
        for (auto it = n.begin(); it != n.end(); ++it) expand_node(path, base_dir, it->second);
    } else if (n.IsSequence()) {
        for (auto it = n.begin(); it != n.end(); ++it) expand_node(path, base_dir, *it);
    }
}

}  // namespace

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
    check_duplicate_keys(path, d.root_, "");
    return d;
}

void YamlDoc::expand_references() {
    const std::string base = std::filesystem::absolute(path_).parent_path().string();
    expand_node(path_, base, root_);
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
