#include "config/secret_ref.hpp"

#include "config/yaml_doc.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vsink {

namespace {

bool valid_env_name(const std::string &n) {
    if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
    for (char ch : n)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')) return false;
    return true;
}

}  // namespace

std::string expand_references(const std::string &text, const std::string &where, const std::string &base_dir) {
    std::string out;
    size_t pos = 0;
    while (true) {
        const size_t start = text.find("${", pos);
        if (start == std::string::npos) break;
        const size_t end = text.find('}', start);
        if (end == std::string::npos) throw ConfigError(where + ": unterminated '${' reference (missing '}')");
        const size_t nested = text.find("${", start + 2);
        if (nested != std::string::npos && nested < end)
            throw ConfigError(where + ": nested references ('${' inside '${...}') are not supported");
        out.append(text, pos, start - pos);
        const std::string ref = text.substr(start + 2, end - start - 2);
        if (ref.rfind("env:", 0) == 0) {
            std::string name = ref.substr(4);
            const size_t dflt = name.find(":-");
            std::string fallback;
            const bool has_default = dflt != std::string::npos;
            if (has_default) {
                fallback = name.substr(dflt + 2);
                name = name.substr(0, dflt);
            }
            if (!valid_env_name(name))
                throw ConfigError(where + ": '${" + ref.substr(0, 4 + name.size()) +
                                  "}': not a valid environment variable name");
            const char *v = std::getenv(name.c_str());
            if (v && *v) out += v;
            else if (has_default) out += fallback;
            else if (v) out += v;  // set but empty, no default: empty text
            else throw ConfigError(where + ": environment variable " + name + " is not set (and ${env:" + name +
                                   "} has no ':-default')");
        } else if (ref.rfind("file:", 0) == 0) {
            std::string path = ref.substr(5);
            if (path.empty()) throw ConfigError(where + ": '${file:}' needs a path");
            if (!base_dir.empty() && !std::filesystem::path(path).is_absolute())
                path = (std::filesystem::path(base_dir) / path).lexically_normal().string();
            std::ifstream in(path, std::ios::binary);
            if (!in) throw ConfigError(where + ": cannot read the file of ${file:" + ref.substr(5) + "} (" + path + ")");
            std::ostringstream s;
            s << in.rdbuf();
            std::string v = s.str();
            if (!v.empty() && v.back() == '\n') {
                v.pop_back();
                if (!v.empty() && v.back() == '\r') v.pop_back();
            }
            out += v;
        } else {
            throw ConfigError(where + ": unknown reference '${" + ref.substr(0, ref.find(':')) +
                              "...}' (use ${env:NAME}, ${env:NAME:-default} or ${file:PATH})");
        }
        pos = end + 1;
    }
    out.append(text, pos, std::string::npos);
    return out;
}

}  // namespace vsink
