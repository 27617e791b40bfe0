// The last line of defence between data and a log line or an error message:
// secrets and personal data never leave the process in text.
//
// - Secrets: every value the config resolves from ${env:} / ${file:} and
//   every password or key setting is registered; redact() replaces each
//   occurrence with **Hidden**.
// - Personal data: anything shaped like an e-mail address or a phone number
//   (a '+' and 10 or more digits) becomes **Hidden**.
// - Database messages quote the offending value ("Duplicate entry
//   'anna@example.com' for key 'PRIMARY'"): redact_db_message() hides every
//   quoted value except the names of columns, keys, tables and databases.
#pragma once

#include <string>
#include <string_view>

namespace vsink {

inline constexpr std::string_view kHidden = "**Hidden**";

// Registers a secret for redact(). Values shorter than 4 characters are not
// registered (they would hide ordinary words); thread-safe.
void add_secret(const std::string &value);

// The text with registered secrets, e-mail addresses and phone numbers hidden.
std::string redact(std::string_view text);

// A MySQL/MariaDB error text with quoted values hidden (identifiers kept),
// then redact()ed.
std::string redact_db_message(std::string_view text);

// A URL with its user-info password hidden: mysql://u:p@h -> mysql://u:**Hidden**@h.
std::string redact_url(std::string_view url);

}  // namespace vsink
