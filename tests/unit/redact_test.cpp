// What may reach a log line or an error message: never a secret, never a
// customer's e-mail or phone, never a value the database quotes back.
#include <catch2/catch.hpp>

#include "log/redact.hpp"

using namespace vsink;

TEST_CASE("redact: registered secrets, e-mail addresses and phone numbers are hidden", "[redact]") {
    add_secret("pa55-Word-unit");
    add_secret("abc");  // too short to register: would hide ordinary words
    CHECK(redact("login with pa55-Word-unit failed, pa55-Word-unit again") ==
          "login with **Hidden** failed, **Hidden** again");
    CHECK(redact("abc stays") == "abc stays");
    CHECK(redact("customer anna.ivanova+vip@example.com wrote") == "customer **Hidden** wrote");
    CHECK(redact("call +7 (900) 111-22-33 now") == "call **Hidden** now");
    CHECK(redact("phone=+79001112233;") == "phone=**Hidden**;");
    // Not personal data: offsets, addresses, short numbers with a sign.
    CHECK(redact("topic=t partition=0 offset=+12 broker 127.0.0.1:9092") ==
          "topic=t partition=0 offset=+12 broker 127.0.0.1:9092");
    CHECK(redact("user@localhost has no domain") == "user@localhost has no domain");
}

TEST_CASE("redact: database messages keep identifiers and hide quoted values", "[redact]") {
    CHECK(redact_db_message("Duplicate entry 'anna@example.com' for key 'PRIMARY'") ==
          "Duplicate entry '**Hidden**' for key 'PRIMARY'");
    CHECK(redact_db_message("Duplicate entry 'ticketland-O'Brien' for key 'PRIMARY'") ==
          "Duplicate entry '**Hidden**' for key 'PRIMARY'");
    CHECK(redact_db_message("Data too long for column 'customer_phone' at row 3") ==
          "Data too long for column 'customer_phone' at row 3");
    CHECK(redact_db_message("Incorrect string value: '\\xF0\\x9F\\x98' for column 'customer_name' at row 1") ==
          "Incorrect string value: '**Hidden**' for column 'customer_name' at row 1");
    CHECK(redact_db_message("Incorrect datetime value: 'Анна Иванова' for column `vibe`.`orders`.`created_at` at row 1") ==
          "Incorrect datetime value: '**Hidden**' for column `vibe`.`orders`.`created_at` at row 1");
    CHECK(redact_db_message("Access denied for user 'vsink'@'127.0.0.1' (using password: YES)") ==
          "Access denied for user 'vsink'@'127.0.0.1' (using password: YES)");
    CHECK(redact_db_message("Unknown column 'channel' in 'field list'") ==
          "Unknown column 'channel' in '**Hidden**'");
    CHECK(redact_db_message("unterminated 'secret") == "unterminated '**Hidden**");
    // The server's own apostrophes open no value.
    CHECK(redact_db_message("Can't connect to server on '127.0.0.1' (115)") ==
          "Can't connect to server on '127.0.0.1' (115)");
    CHECK(redact_db_message("Can't write, duplicate key in table 'orders'") ==
          "Can't write, duplicate key in table 'orders'");
}

TEST_CASE("redact: a URL's password is hidden, the rest kept", "[redact]") {
    CHECK(redact_url("mysql://vsink:topsecret@db:3306/vibe") == "mysql://vsink:**Hidden**@db:3306/vibe");
    CHECK(redact_url("mysql://db:3306/vibe") == "mysql://db:3306/vibe");
    CHECK(redact_url("mysql://vsink@db/vibe") == "mysql://vsink@db/vibe");
}
