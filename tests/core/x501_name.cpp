#include <svcid/syntax/x501_name.hpp>

#include "catch.hpp"
#include "collect.hpp"
#include "der_writer.hpp"

#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using svcid::string_tag;
using svcid_test::collector;
using svcid_test::common_name;
using svcid_test::seen;
namespace der = svcid_test::der;

namespace {
struct walk {
    bool ok;
    std::vector<seen> cns;
};

walk run(std::string_view name, std::size_t stop_after = 0) {
    collector c;
    c.stop_after = stop_after;
    const bool ok = svcid::visit_common_names(name, c);
    return {ok, c.ids};
}

struct count_visitor {
    int* calls;
    constexpr svcid::visit operator()(const svcid::presented_id&) const noexcept {
        ++*calls;
        return svcid::visit::next;
    }
};

constexpr int constexpr_count(std::string_view in) {
    int calls = 0;
    return svcid::visit_common_names(in, count_visitor{&calls}) ? calls : -1;
}
} // namespace

TEST_CASE("delivers each commonName in order of appearance, skipping other attributes (RFC 5280 §4.1.2.4)",
          "[x501_name]") {
    // SEQUENCE { SET { O "Org" }, SET { CN "a.example" }, SET { CN "b.example" } }
    const auto name = "\x30\x36"
                      "\x31\x0C\x30\x0A\x06\x03\x55\x04\x0A\x0C\x03" "Org"
                      "\x31\x12\x30\x10\x06\x03\x55\x04\x03\x0C\x09" "a.example"
                      "\x31\x12\x30\x10\x06\x03\x55\x04\x03\x13\x09" "b.example"sv;
    const auto w = run(name);
    CHECK(w.ok);
    CHECK(w.cns == std::vector<seen>{common_name("a.example"), common_name("b.example", string_tag::printable_string)});
}

TEST_CASE("walking a Name for CNs is a constant expression and so cannot allocate", "[x501_name]") {
    STATIC_REQUIRE(constexpr_count("\x30\x0E\x31\x0C\x30\x0A\x06\x03\x55\x04\x03\x0C\x03" "a.b"sv) == 1);
    STATIC_REQUIRE(constexpr_count("\x30\x02\x31\x00"sv) == -1);
}

TEST_CASE("an empty Name is well-formed and has no CN", "[x501_name]") {
    const auto w = run("\x30\x00"sv);
    CHECK(w.ok);
    CHECK(w.cns.empty());
}

TEST_CASE("delivers every CN of a multi-valued RDN, in order", "[x501_name]") {
    const std::string name = der::seq({der::set({der::cn(der::utf8("one.example")), der::atv("2.5.4.10", der::utf8("O")),
                                                 der::cn(der::ia5("two.example"))})});
    const auto w = run(name);
    CHECK(w.ok);
    CHECK(w.cns == std::vector<seen>{common_name("one.example"), common_name("two.example", string_tag::ia5_string)});
}

TEST_CASE("reports each DirectoryString type as its string_tag, content undecoded (X.520)", "[x501_name]") {
    const std::string name = der::seq({
        der::set({der::cn(der::tlv(0x14, "teletex"))}),
        der::set({der::cn(der::bmp(std::string("\0a\0b", 4)))}),
        der::set({der::cn(der::tlv(0x1C, std::string("\0\0\0a", 4)))}),
    });
    const auto w = run(name);
    CHECK(w.ok);
    CHECK(w.cns == std::vector<seen>{common_name("teletex", string_tag::teletex_string),
                                     common_name(std::string("\0a\0b", 4), string_tag::bmp_string),
                                     common_name(std::string("\0\0\0a", 4), string_tag::universal_string)});
}

TEST_CASE("delivers a BMPString CN of odd length and a UniversalString CN not a multiple of 4 untyped, never skipped (RFC 6125 §6.4.4: the last CN counts)",
          "[x501_name]") {
    const std::string name = der::seq({
        der::set({der::cn(der::bmp(std::string("\0a\0", 3)))}),
        der::set({der::cn(der::tlv(0x1C, std::string("\0\0a", 3)))}),
        der::set({der::cn(der::utf8("kept.example"))}),
    });
    const auto w = run(name);
    CHECK(w.ok);
    CHECK(w.cns == std::vector<seen>{common_name(std::string("\0a\0", 3), string_tag::none),
                                     common_name(std::string("\0\0a", 3), string_tag::none),
                                     common_name("kept.example")});
}

TEST_CASE("delivers a CN whose value is not a character string untyped", "[x501_name]") {
    const std::string name = der::seq({der::set({der::cn(der::tlv(0x04, "octets"))}), der::set({der::cn(der::utf8("x"))})});
    const auto w = run(name);
    CHECK(w.ok);
    CHECK(w.cns == std::vector<seen>{common_name("octets", string_tag::none), common_name("x")});
}

TEST_CASE("delivers a CN with an embedded NUL, NUL included", "[x501_name]") {
    const std::string value("a.example\0.evil", 15);
    const auto w = run(der::seq({der::set({der::cn(der::utf8(value))})}));
    CHECK(w.ok);
    CHECK(w.cns == std::vector<seen>{common_name(value)});
}

TEST_CASE("returns false when the Name's framing does not parse", "[x501_name]") {
    CHECK_FALSE(run(""sv).ok);
    CHECK_FALSE(run("\x31\x00"sv).ok);                                                 // not a SEQUENCE
    CHECK_FALSE(run("\x30\x00\x00"sv).ok);                                             // trailing bytes
    CHECK_FALSE(run("\x30\x02\x31\x00"sv).ok);                                         // empty RDN: SIZE (1..MAX)
    CHECK_FALSE(run("\x30\x02\x30\x00"sv).ok);                                         // RDN not a SET
    CHECK_FALSE(run("\x30\x04\x31\x02\x31\x00"sv).ok);                                 // ATV not a SEQUENCE
    CHECK_FALSE(run("\x30\x07\x31\x05\x30\x03\x06\x01\x55"sv).ok);                    // ATV without a value
    CHECK_FALSE(run(der::seq({der::set({der::seq({der::utf8("x"), der::utf8("y")})})})).ok);  // type not an OID
    CHECK_FALSE(run(der::seq({der::set({der::cn(der::utf8("x")) + "\x05"})})).ok);     // truncated element
    CHECK_FALSE(run(der::seq({der::set({der::seq({der::oid("2.5.4.3"), der::utf8("x"), der::utf8("y")})})})).ok);
    CHECK_FALSE(run("\x30\x80\x31\x00\x00\x00"sv).ok);                                 // indefinite length
}

TEST_CASE("stops calling after visit::stop but still reports broken framing later in the Name", "[x501_name]") {
    const std::string good = der::set({der::cn(der::utf8("a"))});
    const auto stopped = run(der::seq({good, good}), 1);
    CHECK(stopped.ok);
    CHECK(stopped.cns.size() == 1);

    const auto broken = run(der::seq({good, "\x31\x00"}), 1);
    CHECK(broken.cns.size() == 1);
    CHECK_FALSE(broken.ok);
}
