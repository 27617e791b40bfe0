#include "observability/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace vsink::obs {

bool valid_metric_name(const std::string &n) {
    if (n.empty()) return false;
    for (size_t i = 0; i < n.size(); ++i) {
        const char c = n[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

bool valid_label_name(const std::string &n) {
    if (n.empty() || n.rfind("__", 0) == 0 || n == "le") return false;  // reserved
    for (size_t i = 0; i < n.size(); ++i) {
        const char c = n[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

std::string escape_label_value(const std::string &v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string escape_help(const std::string &v) {
    std::string out;
    for (const char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

void Registry::declare(Family f) {
    if (!valid_metric_name(f.name)) throw std::invalid_argument("metric name '" + f.name + "' is not valid");
    for (const auto &l : f.label_names)
        if (!valid_label_name(l)) throw std::invalid_argument("label name '" + l + "' of " + f.name + " is not valid");
    const bool total = f.name.size() > 6 && f.name.compare(f.name.size() - 6, 6, "_total") == 0;
    if (f.type == MetricType::Counter && !total)
        throw std::invalid_argument("counter " + f.name + " must end in _total");
    if (f.type != MetricType::Counter && total)
        throw std::invalid_argument(f.name + " ends in _total but is not a counter");
    for (size_t i = 1; i < f.bounds.size(); ++i)
        if (!(f.bounds[i - 1] < f.bounds[i])) throw std::invalid_argument("buckets of " + f.name + " must increase");
    std::lock_guard<std::mutex> lock(mutex_);
    if (index_.count(f.name)) throw std::invalid_argument("metric " + f.name + " declared twice");
    index_[f.name] = families_.size();
    families_.push_back(std::move(f));
}

void Registry::counter(const std::string &name, const std::string &help, std::vector<std::string> label_names) {
    declare({name, help, MetricType::Counter, std::move(label_names), {}, {}});
}

void Registry::gauge(const std::string &name, const std::string &help, std::vector<std::string> label_names) {
    declare({name, help, MetricType::Gauge, std::move(label_names), {}, {}});
}

void Registry::histogram(const std::string &name, const std::string &help, std::vector<double> buckets,
                         std::vector<std::string> label_names) {
    if (!buckets.empty() && std::isinf(buckets.back())) buckets.pop_back();  // implicit
    declare({name, help, MetricType::Histogram, std::move(label_names), std::move(buckets), {}});
}

Registry::Family &Registry::find(const std::string &name, MetricType type, const std::vector<std::string> &label_values) {
    auto it = index_.find(name);
    if (it == index_.end()) throw std::invalid_argument("metric " + name + " is not declared");
    Family &f = families_[it->second];
    if (f.type != type) throw std::invalid_argument("metric " + name + " used as another type");
    if (label_values.size() != f.label_names.size())
        throw std::invalid_argument("metric " + name + " takes " + std::to_string(f.label_names.size()) + " label value(s)");
    return f;
}

void Registry::add(const std::string &name, const std::vector<std::string> &label_values, double v) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = index_.find(name);
    const MetricType type = it != index_.end() ? families_[it->second].type : MetricType::Counter;
    if (type == MetricType::Histogram) throw std::invalid_argument("metric " + name + ": add() on a histogram");
    Family &f = find(name, type, label_values);
    if (f.type == MetricType::Counter && v < 0) throw std::invalid_argument("counter " + name + " cannot decrease");
    f.series[label_values].value += v;
}

void Registry::set(const std::string &name, const std::vector<std::string> &label_values, double v) {
    std::lock_guard<std::mutex> lock(mutex_);
    find(name, MetricType::Gauge, label_values).series[label_values].value = v;
}

void Registry::observe(const std::string &name, const std::vector<std::string> &label_values, double v) {
    std::lock_guard<std::mutex> lock(mutex_);
    Family &f = find(name, MetricType::Histogram, label_values);
    Series &s = f.series[label_values];
    if (s.buckets.empty()) s.buckets.assign(f.bounds.size(), 0);
    const auto at = std::lower_bound(f.bounds.begin(), f.bounds.end(), v);  // first bound >= v: le is inclusive
    if (at != f.bounds.end()) ++s.buckets[static_cast<size_t>(at - f.bounds.begin())];
    s.sum += v;
    ++s.count;
}

void Registry::clear(const std::string &name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = index_.find(name);
    if (it == index_.end()) throw std::invalid_argument("metric " + name + " is not declared");
    families_[it->second].series.clear();
}

double Registry::total(const std::string &name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = index_.find(name);
    if (it == index_.end()) throw std::invalid_argument("metric " + name + " is not declared");
    double sum = 0;
    for (const auto &[labels, s] : families_[it->second].series) sum += s.value;
    return sum;
}

double Registry::value(const std::string &name, const std::vector<std::string> &label_values) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = index_.find(name);
    if (it == index_.end()) throw std::invalid_argument("metric " + name + " is not declared");
    const auto &series = families_[it->second].series;
    auto s = series.find(label_values);
    return s == series.end() ? 0 : s->second.value;
}

namespace {

// {a="x",b="y"} with an optional extra label (le) last; empty when no labels.
std::string label_text(const std::vector<std::string> &names, const std::vector<std::string> &values,
                       const std::string &extra_name = {}, const std::string &extra_value = {}) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
        out += (out.empty() ? "" : ",") + names[i] + "=\"" + escape_label_value(values[i]) + "\"";
    if (!extra_name.empty()) out += (out.empty() ? "" : ",") + extra_name + "=\"" + extra_value + "\"";
    return out.empty() ? out : "{" + out + "}";
}

}  // namespace

std::string Registry::render() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out;
    out.reserve(8192);
    for (const Family &f : families_) {
        out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
        out += "# TYPE " + f.name + " " +
               (f.type == MetricType::Counter ? "counter" : f.type == MetricType::Gauge ? "gauge" : "histogram") + "\n";
        for (const auto &[values, s] : f.series) {
            if (f.type != MetricType::Histogram) {
                out += f.name + label_text(f.label_names, values) + " " + format_value(s.value) + "\n";
                continue;
            }
            uint64_t cumulative = 0;
            for (size_t i = 0; i < f.bounds.size(); ++i) {
                cumulative += s.buckets.empty() ? 0 : s.buckets[i];
                out += f.name + "_bucket" + label_text(f.label_names, values, "le", format_value(f.bounds[i])) + " " +
                       std::to_string(cumulative) + "\n";
            }
            out += f.name + "_bucket" + label_text(f.label_names, values, "le", "+Inf") + " " + std::to_string(s.count) + "\n";
            out += f.name + "_sum" + label_text(f.label_names, values) + " " + format_value(s.sum) + "\n";
            out += f.name + "_count" + label_text(f.label_names, values) + " " + std::to_string(s.count) + "\n";
        }
    }
    return out;
}

}  // namespace vsink::obs
