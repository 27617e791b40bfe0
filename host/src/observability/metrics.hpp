// A small metrics registry and its Prometheus text exposition (format 0.0.4):
// counters, gauges and histograms in families with fixed label names.
//
// Thread-safe: the consumer loop updates it once per batch (a handful of
// uncontended lock acquisitions), the HTTP thread renders it on a scrape.
// Names and label names are checked when a family is declared; label values
// are escaped when rendered (backslash, double quote, line feed).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vsink::obs {

enum class MetricType { Counter, Gauge, Histogram };

class Registry {
public:
    // Declares a family; throws std::invalid_argument on a bad name, a bad
    // label name, a counter not ending in _total, or a second declaration.
    void counter(const std::string &name, const std::string &help, std::vector<std::string> label_names = {});
    void gauge(const std::string &name, const std::string &help, std::vector<std::string> label_names = {});
    // `buckets`: upper bounds, strictly increasing (+Inf is implicit).
    void histogram(const std::string &name, const std::string &help, std::vector<double> buckets,
                   std::vector<std::string> label_names = {});

    // `label_values` in the order of the family's label names. Throws
    // std::invalid_argument for an unknown family, a wrong type or a wrong
    // number of label values; a counter refuses a negative increment.
    void add(const std::string &name, const std::vector<std::string> &label_values, double v);
    void set(const std::string &name, const std::vector<std::string> &label_values, double v);
    void observe(const std::string &name, const std::vector<std::string> &label_values, double v);
    // Drops every series of a family (a gauge whose label set changes, such
    // as the assigned partitions).
    void clear(const std::string &name);

    // The sum of a counter's or gauge's series (0 when it has none).
    double total(const std::string &name) const;
    // The value of one series, or 0 when it does not exist.
    double value(const std::string &name, const std::vector<std::string> &label_values) const;

    // Every family in declaration order, its series in label order.
    std::string render() const;

private:
    struct Series {
        double value = 0;
        std::vector<uint64_t> buckets;  // per bound, not cumulative
        double sum = 0;
        uint64_t count = 0;
    };
    struct Family {
        std::string name, help;
        MetricType type = MetricType::Counter;
        std::vector<std::string> label_names;
        std::vector<double> bounds;
        std::map<std::vector<std::string>, Series> series;
    };
    void declare(Family f);
    Family &find(const std::string &name, MetricType type, const std::vector<std::string> &label_values);

    mutable std::mutex mutex_;
    std::vector<Family> families_;
    std::map<std::string, size_t> index_;
};

// Prometheus text helpers (public for the tests).
std::string escape_label_value(const std::string &v);
std::string escape_help(const std::string &v);
// Shortest text that reads back as `v`; +Inf, -Inf, NaN.
std::string format_value(double v);
// Valid metric and label names.
bool valid_metric_name(const std::string &n);
bool valid_label_name(const std::string &n);

}  // namespace vsink::obs
