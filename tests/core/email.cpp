#include <svcid/email.hpp>

#include "catch.hpp"
#include "refusals.hpp"

#include <string>
#include <string_view>
#include <type_traits>

using namespace std::string_view_literals;

namespace {
struct accept_case {
    std::string_view text, local, domain;
    const char* why;
};
struct match_case {
    std::string_view presented;
    bool matches;
    const char* why;
};
} // namespace

TEST_CASE("parses RFC 5321 mailboxes, lowercasing only the domain", "[email]") {
    static const accept_case cases[] = {
        {"alice@example.com", "alice", "example.com", "§4.1.2 Dot-string"},
        {"Alice.Smith@Example.COM", "Alice.Smith", "example.com", "§2.4 local part keeps its case"},
        {"a!#$%&'*+-/=?^_`{|}~@x.y", "a!#$%&'*+-/=?^_`{|}~", "x.y", "RFC 5322 §3.2.3 atext"},
        {"\"john doe\"@example.com", "\"john doe\"", "example.com", "§4.1.2 Quoted-string"},
        {"\"a@b\\\"c\"@example.com", "\"a@b\\\"c\"", "example.com", "quoted '@' and quoted-pair"},
        {"\"\"@example.com", "\"\"", "example.com", "an empty Quoted-string"},
        {"bob@example.com.", "bob", "example.com", "one trailing dot removed, as for DNS names"},
        {"bob@localhost", "bob", "localhost", "a single-label domain"},
        {"b@xn--bcher-kva.example", "b", "xn--bcher-kva.example", "an A-label domain"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text, c.why);
        const auto r = svcid::parse_email_reference(c.text);
        REQUIRE(r);
        CHECK(r->local_part() == c.local);
        CHECK(r->domain() == c.domain);
    }
}

TEST_CASE("rejects malformed mailboxes with the offset", "[email]") {
    using svcid::errc;
    static const svcid_test::refusal cases[] = {
        {"", errc::bad_email_address, 0, "empty"},
        {"alice", errc::bad_email_address, 5, "no '@'"},
        {"alice@", errc::email_bad_domain, 6, "empty domain"},
        {"@example.com", errc::email_bad_local_part, 0, "empty local part"},
        {".alice@example.com", errc::email_bad_local_part, 0, "§4.1.2 leading dot"},
        {"alice.@example.com", errc::email_bad_local_part, 5, "§4.1.2 trailing dot"},
        {"al..ice@example.com", errc::email_bad_local_part, 3, "§4.1.2 two dots"},
        {"al ice@example.com", errc::email_bad_local_part, 2, "space outside quotes"},
        {"a@b@example.com", errc::email_bad_domain, 3, "a second '@'"},
        {"\"abc@example.com", errc::email_bad_local_part, 16, "unterminated quote"},
        {"\"a\"b@example.com", errc::bad_email_address, 3, "junk after the quote"},
        {"\"a\x01\"@example.com", errc::email_bad_local_part, 2, "control character in quotes"},
        {"j\xc3\xb6rg@example.com", errc::email_bad_local_part, 1, "non-ASCII local part"},
        {"alice@exa_mple.com", errc::email_bad_domain, 9, "'_' is not LDH"},
        {"alice@-example.com", errc::email_bad_domain, 6, "§4.1.2 Let-dig first"},
        {"alice@example-.com", errc::email_bad_domain, 13, "§4.1.2 Let-dig last"},
        {"alice@example..com", errc::email_bad_domain, 14, "empty label"},
        {"alice@.example.com", errc::email_bad_domain, 6, "leading dot"},
        {"alice@example.com..", errc::email_bad_domain, 18, "two trailing dots"},
        {"alice@[192.0.2.1]", errc::email_bad_domain, 6, "§4.1.3 address literal refused"},
        {"alice@example.com\0"sv, errc::email_bad_domain, 17, "embedded NUL"},
        {"alice@ex\xc3\xa4mple.com", errc::email_bad_domain, 8, "U-label: convert to A-labels"},
    };
    svcid_test::check_refusals(cases, [](std::string_view text) { return svcid::parse_email_reference(text); });
}

TEST_CASE("enforces the 64-octet local part and 253-octet domain limits", "[email]") {
    const std::string local64(64, 'l'), label63(63, 'd');
    const std::string domain253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'd');
    REQUIRE(domain253.size() == 253);
    const auto full = svcid::parse_email_reference(local64 + "@" + domain253 + ".");
    REQUIRE(full);
    CHECK(full->local_part().size() == 64);
    CHECK(full->domain().size() == 253);
    CHECK(svcid::parse_email_reference(local64 + "l@x").error().code == svcid::errc::email_local_part_too_long);
    CHECK(svcid::parse_email_reference(local64 + "@" + domain253 + "d").error().code == svcid::errc::email_bad_domain);
    CHECK(svcid::parse_email_reference("a@" + label63 + "d.example").error().code == svcid::errc::email_bad_domain);
}

TEST_CASE("matches rfc822Name: local part exactly, domain ignoring ASCII case", "[email]") {
    const auto ref = *svcid::parse_email_reference("Alice@Example.com");
    static const match_case cases[] = {
        {"Alice@example.com", true, "RFC 5280 §4.2.1.6 the same mailbox"},
        {"Alice@EXAMPLE.COM", true, "domain case ignored"},
        {"Alice@example.com.", true, "one trailing dot on the presented domain"},
        {"alice@example.com", false, "RFC 5321 §2.4 local part case kept"},
        {"Alice@example.com..", false, "two trailing dots"},
        {"Alice@example.co", false, "a shorter domain"},
        {"Alice@sub.example.com", false, "no subdomain matching"},
        {"Alice", false, "no '@'"},
        {"example.com", false, "a name-constraint form, not a mailbox"},
        {"Alice@example.com@evil.example", false, "two '@'"},
        {"Alice@example.com\0@evil.example"sv, false, "a NUL byte"},
        {"Alice\0@example.com"sv, false, "a NUL in the local part"},
        {"", false, "empty"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.presented, c.why);
        CHECK(svcid::match_email(c.presented, ref) == c.matches);
    }
}

TEST_CASE("keeps an '@' inside a quoted local part from splitting the address", "[email]") {
    const auto ref = *svcid::parse_email_reference("\"a@b\"@example.com");
    CHECK(svcid::match_email("\"a@b\"@example.com", ref));
    CHECK(svcid::match_email("\"a@b\"@EXAMPLE.com", ref));
    CHECK_FALSE(svcid::match_email("a@b@example.com", ref));
    CHECK_FALSE(svcid::match_email("\"a@b\"", ref));
    CHECK_FALSE(svcid::match_email("\"a@b", ref));
    CHECK_FALSE(svcid::match_email("\"a@b\\\"", ref));
}

TEST_CASE("compares an RFC 8398 SmtpUTF8Mailbox local part byte for byte", "[email]") {
    const auto ref = *svcid::parse_email_reference("user@example.com");
    CHECK_FALSE(svcid::match_email("\xe7\x94\xa8\xe6\x88\xb7@example.com", ref));
    CHECK(svcid::match_email("user@Example.Com", ref));
}

TEST_CASE("parses and matches e-mail addresses in constant expressions", "[email]") {
    constexpr auto ref = svcid::parse_email_reference("ops@Example.org");
    STATIC_REQUIRE(ref);
    STATIC_REQUIRE(ref->domain() == "example.org");
    STATIC_REQUIRE(svcid::match_email("ops@EXAMPLE.ORG.", *ref));
    STATIC_REQUIRE(std::is_trivially_copyable<svcid::email_reference>::value);
}
