#include "log/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "log/redact.hpp"

namespace vsink {

namespace {

// %R: the message with secrets and personal data hidden (log/redact.hpp):
// every line goes through it, whoever wrote the message.
class RedactedMessage : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg &msg, const std::tm &, spdlog::memory_buf_t &dest) override {
        const std::string text = redact(std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RedactedMessage>(); }
};

// %J: the redacted message, escaped for a JSON string.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg &msg, const std::tm &, spdlog::memory_buf_t &dest) override {
        for (char ch : redact(std::string_view(msg.payload.data(), msg.payload.size()))) {
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

std::unique_ptr<spdlog::formatter> text_formatter() {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<RedactedMessage>('R').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %R");
    return f;
}

std::shared_ptr<spdlog::logger> &instance() {
    static std::shared_ptr<spdlog::logger> l = [] {
        auto lg = std::make_shared<spdlog::logger>("sinkhost", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        lg->set_formatter(text_formatter());
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
        l->set_formatter(text_formatter());
    }
    l->flush_on(spdlog::level::info);
}

std::shared_ptr<spdlog::logger> logger() { return instance(); }

}  // namespace vsink
