#include <catch2/catch.hpp>

#include "json_decoder.hpp"
#include "normalize.hpp"

TEST_CASE("normalize_category: known names, any case", "[normalize]") {
    for (const char *c : {"ballet", "business", "concert", "development", "excursion", "exhibition", "festival",
                          "health", "kids", "movie", "museum", "party", "show", "sport", "test", "theater", "other",
                          "circus", "games", "musical", "standup", "workshop"}) {
        bool unknown = true;
        CHECK(vibe::normalize_category(c, &unknown) == c);
        CHECK_FALSE(unknown);
    }
    CHECK(vibe::normalize_category("Theater") == "theater");
    CHECK(vibe::normalize_category("CONCERT") == "concert");
}

TEST_CASE("normalize_category: develpoment is development", "[normalize]") {
    bool unknown = true;
    CHECK(vibe::normalize_category("develpoment", &unknown) == "development");
    CHECK_FALSE(unknown);
    CHECK(vibe::normalize_category("Develpoment") == "development");
    CHECK(vibe::normalize_category("standups") == "standup");
    CHECK(vibe::normalize_category("workshops") == "workshop");
}

TEST_CASE("normalize_category: unknown is other, and says so", "[normalize]") {
    bool unknown = false;
    CHECK(vibe::normalize_category("opera", &unknown) == "other");
    CHECK(unknown);
    unknown = false;
    CHECK(vibe::normalize_category("", &unknown) == "other");
    CHECK(unknown);
    CHECK(vibe::normalize_category("театр") == "other");
    vibe::Anomalies a;
    CHECK(vibe::json::decode_event(R"({"id":"e","organizer_id":"o","category":"opera"})", a).category == "other");
    CHECK(vibe::json::decode_event(R"({"id":"e","organizer_id":"o","category":"develpoment"})", a).category ==
          "development");
    REQUIRE(a.list().size() == 1);  // only "opera" was unknown
    CHECK(a.list()[0].kind == "unknown_category");
}

TEST_CASE("epoch_to_ms: seconds below 10^11, else milliseconds", "[normalize]") {
    CHECK(vibe::epoch_to_ms(1740997200) == 1740997200000);
    CHECK(vibe::epoch_to_ms(1740997200000) == 1740997200000);
    CHECK(vibe::epoch_to_ms(99999999999) == 99999999999000);
    CHECK(vibe::epoch_to_ms(100000000000) == 100000000000);
    CHECK(vibe::epoch_to_ms(0) == 0);
}

TEST_CASE("full_name joins the parts that are given", "[normalize]") {
    CHECK(*vibe::full_name(std::string("A"), std::string("B")) == "A B");
    CHECK(*vibe::full_name(std::string("A"), std::nullopt) == "A");
    CHECK(*vibe::full_name(std::string(""), std::string("B")) == "B");
    CHECK_FALSE(vibe::full_name(std::nullopt, std::nullopt));
}
