// Reading YAML into typed settings with errors that name the file and line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <stdexcept>
#include <string>

namespace vsink {

// A configuration problem: the message already names the file and line.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A YAML document loaded from a file, remembering the file name for errors.
class YamlDoc {
public:
    // Parses the file; a key given twice in any map is an error naming
    // file:line:column of the second one (yaml-cpp would keep one silently).
    static YamlDoc load_file(const std::string &path);

    // Expands ${env:...} / ${file:...} in every scalar value of the document
    // (strings, numbers, booleans; not map keys), in place, so that every
    // reader sees the expanded text and errors still carry their line.
    void expand_references();

    const YAML::Node &root() const { return root_; }
    const std::string &path() const { return path_; }

    // "file:line: message" (line is 1-based; omitted when unknown).
    std::string where(const YAML::Node &n) const;
    [[noreturn]] void fail(const YAML::Node &n, const std::string &msg) const;

    // Refuses any key of map `n` that is not in `allowed`.
    void check_keys(const YAML::Node &n, std::initializer_list<const char *> allowed, const std::string &section) const;
    void require_map(const YAML::Node &n, const std::string &what) const;

    std::string get_string(const YAML::Node &parent, const char *key, const std::string &what) const;
    std::string get_string_or(const YAML::Node &parent, const char *key, const std::string &fallback) const;
    long long get_int_or(const YAML::Node &parent, const char *key, long long fallback, long long min, long long max) const;

private:
    std::string path_;
    YAML::Node root_;
};

}  // namespace vsink
