// The data Ticketland actually sends (issue 6, CONTRACT.md §2): orders of one
// Ticketland event sold through three channels (one record without an
// application-id), a distributor's refund, a refund without a key, a nested
// partial organizer, and one record for each anomaly the tolerant reader
// stores as NULL (or `other`) instead of refusing. Every column of every row
// is checked against the real database; the anomalies against the counts of
// the sink's progress line.
#include <catch2/catch.hpp>

#include "sink_fixture.hpp"

using namespace vsink::test;

namespace {

const char *kOrgs = "ticketland.orders.organizers";
const char *kEvents = "ticketland.orders.events";
const char *kOrders = "ticketland.orders.orders";
const char *kRefunds = "ticketland.orders.refunds";

// Compares every column of every row of `sql` with `expected` ("NULL" for SQL NULL).
void check_rows(SinkFixture &f, const std::string &sql, const std::vector<std::string> &columns,
                const std::vector<std::vector<std::string>> &expected) {
    const std::vector<Row> rows = f.rows(sql);
    INFO(sql);
    REQUIRE(rows.size() == expected.size());
    for (size_t r = 0; r < rows.size(); ++r) {
        REQUIRE(expected[r].size() == columns.size());
        for (size_t c = 0; c < columns.size(); ++c) {
            INFO("row " << r << " column " << columns[c]);
            CHECK(col(rows[r], columns[c]) == expected[r][c]);
        }
    }
}

const std::vector<std::string> kOrganizerColumns = {"system", "id",     "name", "legal_name", "legal_type",
                                                    "legal_inn", "legal_ogrn", "legal_address", "status",
                                                    "hidden",  "role",   "currency", "updated_at"};
const std::vector<std::string> kEventColumns = {
    "system",   "id",       "group_id",         "organizer_id", "venue_id",    "name",       "status",
    "category", "category_raw", "start_at",     "finish_at",    "timezone",    "utc_offset_hours", "media",
    "description", "age_rating", "legal_name",  "legal_type",   "legal_inn",   "legal_ogrn", "legal_address"};
const std::vector<std::string> kVenueColumns = {"system",   "id",        "name", "address", "description",
                                                "zipcode", "city_name", "lat",  "lon"};
const std::vector<std::string> kOrderColumns = {
    "system",         "id",          "number",        "event_id",           "organizer_id",
    "channel",        "status",      "customer_email", "customer_phone",    "customer_name",
    "customer_first_name", "customer_last_name", "created_at", "done_at"};
const std::vector<std::string> kTicketColumns = {
    "system", "id",       "order_id", "event_id",    "organizer_id",  "channel",       "status",
    "barcode", "number",  "series",   "seat_row",    "seat",          "category",      "set_id",
    "description", "price_nominal", "currency", "customer_email", "customer_phone", "customer_name"};
const std::vector<std::string> kRefundColumns = {
    "system",        "id",             "order_id",      "event_id",           "channel",
    "status",        "customer_email", "customer_phone", "customer_name",     "customer_first_name",
    "customer_last_name", "created_at", "finished_at"};

}  // namespace

TEST_CASE("real producer data: one event sold through three channels, a distributor's refund, every tolerated anomaly",
          "[integration][real-producer]") {
    SinkFixture f;
    f.start_sink();
    // The organizer's own messages first, so that the nested copy below is
    // read after them (the topics are independent).
    f.produce(kOrgs, "org-1",
              R"({"id":"org-1","name":"Концерт-Про","legals":{"name":"ООО Концерт-Про","type":"ru_ltd",
                  "inn":"7701234567","ogrn":"1027700000000","address":"Москва"}})");
    // An unknown legal type: stored as NULL, the rest of the legals kept.
    f.produce(kOrgs, "org-2", R"({"id":"org-2","name":"Второй","legals":{"name":"ИП Второй","type":"ip_ru","inn":"500100000001"}})");
    f.flush();
    REQUIRE(f.wait_caught_up());

    // Events carry application-id `ticketland` (Ticketland's design, §4.2).
    // Shape B with a nested organizer that carries only its name.
    f.produce(kEvents, "evt-1",
              R"({"id":"evt-1","group_id":"grp-1","name":"Концерт","status":"active","category":"concert",
                  "start_at":1767225600000,"finish_at":1767236400000,"offset":3,
                  "organizer":{"id":"org-1","name":"Концерт-Про Live"},
                  "venue":{"id":"ven-1","name":"Арена","address":"Ленинградский пр., 80","city_name":"Москва","lat":55.79,"lon":37.55},
                  "media":"https://img/evt-1.jpg","description":"Большой концерт"})");
    // No organizer at all, a category that is a number, a fractional offset.
    f.produce(kEvents, "evt-2",
              R"({"id":"evt-2","name":"Без организатора","category":42,"start_at":1767225600,"offset":5.5})");
    // A status outside the enum, an unknown category, a start that is text,
    // an offset out of range, a latitude out of range.
    f.produce(kEvents, "evt-3",
              R"({"id":"evt-3","name":"Странное","status":"archived","category":"magic","start_at":"tomorrow",
                  "offset":20,"organizer_id":"org-2","venue":{"name":"Поле","lat":123.0,"lon":37.0}})");

    // Orders of evt-1 through the box office, "Live", and with no channel.
    f.produce(kOrders, "ord-box",
              R"({"id":"ord-box","number":"B-1",
                  "customer":{"email":"anna@example.com","phone":"+79001112233","first_name":"Анна","last_name":"Иванова"},
                  "tickets":[{"id":"tkt-b1","event_id":"evt-1","organizer_id":"org-1","barcode":"BC-B1","number":"1",
                              "series":"A","row":"5","seat":"12","category":"Партер","price_nominal":150000,"currency":"RUB"},
                             {"id":"tkt-b2","event_id":"evt-1","organizer_id":"org-1","barcode":"BC-B2","category":"Партер",
                              "price_nominal":150000,"currency":"RUB"}]})",
              "box-office");
    // An unknown currency; a ticket without a price whose category is a number.
    f.produce(kOrders, "ord-live",
              R"({"id":"ord-live","number":"L-1","customer":{"email":"boris@example.com","phone":"+79002223344","first_name":"Борис"},
                  "tickets":[{"id":"tkt-l1","event_id":"evt-1","barcode":"BC-L1","category":"Фан-зона","price_nominal":5000,"currency":"XYZ"},
                             {"id":"tkt-l2","event_id":"evt-1","barcode":"BC-L2","category":7}]})",
              "live");
    f.produce_raw(kOrders, std::string("ord-none"),
                  std::string(R"({"id":"ord-none","event_id":"evt-1","organizer_id":"org-1",
                  "customer":{"email":"vera@example.com","phone":"+79003334455","name":"Вера"},
                  "tickets":[{"id":"tkt-n1","barcode":"BC-N1","category":"Балкон","price_nominal":0,"currency":"EUR"}]})"),
                  {{"content-type", "application/json"}, {"schema-version", "1.0"}});

    // A refund through a bank's ticket shop, and one without a key.
    f.produce(kRefunds, "rfd-bank",
              R"({"customer":{"email":"boris@example.com","phone":"+79002223344","first_name":"Борис"},"ticket_ids":["tkt-l1"]})",
              "bank-shop");
    f.produce_raw(kRefunds, std::nullopt,
                  std::string(R"({"customer":{"email":"anna@example.com","phone":"+79001112233","name":"Анна Иванова"},"ticket_ids":["tkt-b2"]})"),
                  {{"content-type", "application/json"}, {"schema-version", "1.0"}, {"application-id", "live"}});
    f.flush();
    REQUIRE(f.wait_caught_up());
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM sink_parked", "0"));

    // The nested organizer updated the name only: the legals its own message
    // stored are kept. The unknown legal type is NULL, the rest kept.
    check_rows(f, "SELECT * FROM organizers ORDER BY id", kOrganizerColumns,
               {{"ticketland", "org-1", "Концерт-Про Live", "ООО Концерт-Про", "ru_ltd", "7701234567", "1027700000000",
                 "Москва", "NULL", "NULL", "NULL", "NULL", "NULL"},
                {"ticketland", "org-2", "Второй", "ИП Второй", "NULL", "500100000001", "NULL", "NULL", "NULL", "NULL",
                 "NULL", "NULL", "NULL"}});
    check_rows(f, "SELECT * FROM events ORDER BY id", kEventColumns,
               {{"ticketland", "evt-1", "grp-1", "org-1", "ven-1", "Концерт", "active", "concert", "concert",
                 "2026-01-01 00:00:00.000", "2026-01-01 03:00:00.000", "NULL", "3", "https://img/evt-1.jpg",
                 "Большой концерт", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
                {"ticketland", "evt-2", "NULL", "NULL", "NULL", "Без организатора", "active", "other", "42",
                 "2026-01-01 00:00:00.000", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
                 "NULL", "NULL"},
                {"ticketland", "evt-3", "NULL", "org-2", "event:evt-3", "Странное", "NULL", "other", "magic", "NULL",
                 "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"}});
    check_rows(f, "SELECT * FROM venues ORDER BY id", kVenueColumns,
               {{"ticketland", "event:evt-3", "Поле", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
                {"ticketland", "ven-1", "Арена", "Ленинградский пр., 80", "NULL", "NULL", "Москва", "55.79", "37.55"}});
    // Every order links to Ticketland's event whatever its channel.
    check_rows(f, "SELECT * FROM orders ORDER BY id", kOrderColumns,
               {{"ticketland", "ord-box", "B-1", "evt-1", "org-1", "box-office", "NULL", "anna@example.com",
                 "+79001112233", "Анна Иванова", "Анна", "Иванова", "NULL", "NULL"},
                {"ticketland", "ord-live", "L-1", "evt-1", "NULL", "live", "NULL", "boris@example.com", "+79002223344",
                 "Борис", "Борис", "NULL", "NULL", "NULL"},
                {"ticketland", "ord-none", "NULL", "evt-1", "org-1", "NULL", "NULL", "vera@example.com",
                 "+79003334455", "Вера", "NULL", "NULL", "NULL", "NULL"}});
    // Tickets keep their order's channel; refunds through any channel refund them.
    check_rows(f, "SELECT * FROM tickets ORDER BY id", kTicketColumns,
               {{"ticketland", "tkt-b1", "ord-box", "evt-1", "org-1", "box-office", "active", "BC-B1", "1", "A", "5",
                 "12", "Партер", "NULL", "NULL", "150000", "RUB", "anna@example.com", "+79001112233", "Анна Иванова"},
                {"ticketland", "tkt-b2", "ord-box", "evt-1", "org-1", "box-office", "refunded", "BC-B2", "NULL", "NULL",
                 "NULL", "NULL", "Партер", "NULL", "NULL", "150000", "RUB", "anna@example.com", "+79001112233",
                 "Анна Иванова"},
                {"ticketland", "tkt-l1", "ord-live", "evt-1", "NULL", "live", "refunded", "BC-L1", "NULL", "NULL", "NULL",
                 "NULL", "Фан-зона", "NULL", "NULL", "5000", "NULL", "boris@example.com", "+79002223344", "Борис"},
                {"ticketland", "tkt-l2", "ord-live", "evt-1", "NULL", "live", "active", "BC-L2", "NULL", "NULL", "NULL",
                 "NULL", "7", "NULL", "NULL", "NULL", "NULL", "boris@example.com", "+79002223344", "Борис"},
                {"ticketland", "tkt-n1", "ord-none", "evt-1", "org-1", "NULL", "active", "BC-N1", "NULL", "NULL", "NULL",
                 "NULL", "Балкон", "NULL", "NULL", "0", "EUR", "vera@example.com", "+79003334455", "Вера"}});
    // The refund without a key is keyed by its position: topic, partition 0, offset 1.
    const std::string keyless = "kafka:" + f.topic(kRefunds) + ":0:1";
    check_rows(f, "SELECT * FROM refunds ORDER BY id", kRefundColumns,
               {{"ticketland", keyless, "NULL", "NULL", "live", "NULL", "anna@example.com", "+79001112233",
                 "Анна Иванова", "NULL", "NULL", "NULL", "NULL"},
                {"ticketland", "rfd-bank", "NULL", "NULL", "bank-shop", "NULL", "boris@example.com", "+79002223344",
                 "Борис", "Борис", "NULL", "NULL", "NULL"}});
    check_rows(f, "SELECT * FROM refund_tickets ORDER BY refund_id", {"system", "refund_id", "ticket_id"},
               {{"ticketland", keyless, "tkt-b2"}, {"ticketland", "rfd-bank", "tkt-l1"}});

    // An organizer's own message sets all of its fields: without legals, they go.
    f.produce(kOrgs, "org-2", R"({"id":"org-2","name":"Второй"})");
    f.flush();
    REQUIRE(f.wait_caught_up());
    check_rows(f, "SELECT * FROM organizers WHERE id = 'org-2'", kOrganizerColumns,
               {{"ticketland", "org-2", "Второй", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
                 "NULL"}});

    f.stop_sink();
    const std::string log = f.sink().log();
    // Nothing refused; every anomaly counted per topic and kind.
    CHECK(log.find("record skipped") == std::string::npos);
    const std::string orgs = f.topic(kOrgs), events = f.topic(kEvents), orders = f.topic(kOrders),
                      refunds = f.topic(kRefunds);
    CHECK(tolerated_count(log, orgs, "unknown_value") == 1);  // ip_ru
    CHECK(tolerated_count(log, orgs, "new_channel") == 1);    // ticketland
    CHECK(tolerated_count(log, events, "unknown_category") == 2);
    CHECK(tolerated_count(log, events, "out_of_range") == 3);  // offset 5.5, offset 20, lat 123
    CHECK(tolerated_count(log, events, "unknown_value") == 1);  // archived
    CHECK(tolerated_count(log, events, "wrong_type") == 1);     // start_at "tomorrow"
    CHECK(tolerated_count(log, events, "new_channel") == 1);
    CHECK(tolerated_count(log, orders, "unknown_value") == 1);  // XYZ
    CHECK(tolerated_count(log, orders, "new_channel") == 2);    // box-office, live
    CHECK(tolerated_count(log, refunds, "missing_key") == 1);
    CHECK(tolerated_count(log, refunds, "new_channel") == 2);  // bank-shop, live
    // Personal data never reaches the log.
    for (const char *pii : {"anna@example.com", "+79001112233", "Иванова", "boris@example.com", "vera@example.com"})
        CHECK(log.find(pii) == std::string::npos);
}
