#include "log/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace vsink {

namespace {

// %J: the message, escaped for a JSON string.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg &msg, const std::tm &, spdlog::memory_buf_t &dest) override {
        for (char ch : std::string_view(msg.payload.data(), msg.payload.size())) {
            switch (ch) {
            case '"': dest.append(std::string_view("\\\"")); break;
            case '\\': dest.append(std::string_view("\\\\")); break;
            case '\n': dest.append(std::string_view("\\n")); break;
            case '\r': dest.append(std::string_view("\\r")); break;
            case '\t': dest.append(std::string_view("\\t")); break;
            default:
                if (static_cast<unsigned char>(ch) < 0x20) {
                    char b[8];
                    std::snprintf(b, sizeof b, "\\u%04x", ch);
                    dest.append(std::string_view(b));
                } else {
                    dest.push_back(ch);
                }
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonEscapedMessage>(); }
};

std::shared_ptr<spdlog::logger> &instance() {
    static std::shared_ptr<spdlog::logger> l = [] {
        auto lg = std::make_shared<spdlog::logger>("sinkhost", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        lg->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
        return lg;
    }();
    return l;
}

}  // namespace

void setup_logging(const std::string &level, const std::string &format) {
    auto &l = instance();
    l->set_level(spdlog::level::from_str(level));
    if (format == "json") {
        auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        f->add_flag<JsonEscapedMessage>('J').set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%J"})");
        l->set_formatter(std::move(f));
    } else {
        l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    }
    l->flush_on(spdlog::level::info);
}

std::shared_ptr<spdlog::logger> logger() { return instance(); }

}  // namespace vsink
