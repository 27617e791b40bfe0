#include "config/secret_ref.hpp"

#include "config/yaml_doc.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace vsink {

std::string resolve_secret_refs(const std::string &text, const std::string &where) {
    std::string out;
    size_t pos = 0;
    while (true) {
        const size_t start = text.find("${", pos);
        if (start == std::string::npos) break;
        const size_t end = text.find('}', start);
        if (end == std::string::npos) throw ConfigError(where + ": unterminated '${' reference");
        out.append(text, pos, start - pos);
        const std::string ref = text.substr(start + 2, end - start - 2);
        if (ref.rfind("env:", 0) == 0) {
            const std::string name = ref.substr(4);
            const char *v = std::getenv(name.c_str());
            if (!v) throw ConfigError(where + ": environment variable " + name + " is not set");
            out += v;
        } else if (ref.rfind("file:", 0) == 0) {
            const std::string path = ref.substr(5);
            std::ifstream in(path, std::ios::binary);
            if (!in) throw ConfigError(where + ": cannot read secret file " + path);
            std::ostringstream s;
            s << in.rdbuf();
            std::string v = s.str();
            while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
            out += v;
        } else {
            throw ConfigError(where + ": unknown reference '${" + ref + "}' (use ${env:NAME} or ${file:/path})");
        }
        pos = end + 1;
    }
    out.append(text, pos, std::string::npos);
    return out;
}

}  // namespace vsink
