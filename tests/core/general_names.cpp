#include <svcid/syntax/general_names.hpp>

#include "catch.hpp"
#include "collect.hpp"
#include "der_writer.hpp"

#include <string>
#include <string_view>
#include <vector>

using namespace std::string_view_literals;
using svcid::presented_kind;
using svcid::san_state;
using svcid::string_tag;
using svcid_test::collector;
using svcid_test::seen;
namespace der = svcid_test::der;

namespace {
struct walk {
    san_state state;
    std::vector<seen> ids;
};

walk run(std::string_view extn_value, std::size_t stop_after = 0) {
    collector c;
    c.stop_after = stop_after;
    const san_state state = svcid::visit_general_names(extn_value, c);
    return {state, c.ids};
}

std::string general_names(std::initializer_list<std::string> names) { return der::seq(names); }

struct count_visitor {
    int* calls;
    constexpr svcid::visit operator()(const svcid::presented_id&) const noexcept {
        ++*calls;
        return svcid::visit::next;
    }
};

constexpr int constexpr_count(std::string_view in) {
    int calls = 0;
    return svcid::visit_general_names(in, count_visitor{&calls}) == san_state::present ? calls : -1;
}
} // namespace

TEST_CASE("walks dNSName, iPAddress, URI and rfc822Name in certificate order (RFC 5280 §4.2.1.6)", "[general_names]") {
    // SEQUENCE { [2] "a.example", [7] 192.0.2.1, [6] "https://a.example/", [1] "x@a.example" }
    const auto in = "\x30\x32"
                    "\x82\x09" "a.example"
                    "\x87\x04\xC0\x00\x02\x01"
                    "\x86\x12" "https://a.example/"
                    "\x81\x0B" "x@a.example"sv;
    const auto w = run(in);
    CHECK(w.state == san_state::present);
    CHECK(w.ids == std::vector<seen>{svcid_test::dns("a.example"), svcid_test::ip(std::string("\xC0\x00\x02\x01", 4)),
                                     svcid_test::uri("https://a.example/"), svcid_test::email("x@a.example")});
}

TEST_CASE("walking GeneralNames is a constant expression and so cannot allocate", "[general_names]") {
    STATIC_REQUIRE(constexpr_count("\x30\x06\x82\x01" "a" "\x82\x01" "b"sv) == 2);
    STATIC_REQUIRE(constexpr_count("\x30\x00"sv) == -1);
}

TEST_CASE("delivers a dNSName with an embedded NUL, NUL included, for the matcher to refuse", "[general_names]") {
    const auto w = run("\x30\x0F\x82\x0D" "a.example\0.cn"sv);
    CHECK(w.state == san_state::present);
    REQUIRE(w.ids.size() == 1);
    CHECK(w.ids[0].value == std::string("a.example\0.cn", 13));
}

TEST_CASE("delivers an iPAddress of any length as raw octets (the matcher wants 4 or 16)", "[general_names]") {
    const auto w = run("\x30\x0B\x87\x05\x01\x02\x03\x04\x05\x87\x02\xFF\xFF"sv);
    CHECK(w.state == san_state::present);
    CHECK(w.ids == std::vector<seen>{svcid_test::ip("\x01\x02\x03\x04\x05"), svcid_test::ip("\xFF\xFF")});
}

TEST_CASE("decodes SRVName, XmppAddr and SmtpUTF8Mailbox otherNames (RFC 4985, RFC 6120 §13.7.1.4, RFC 8398)",
          "[general_names]") {
    // [0] { OID 1.3.6.1.5.5.7.8.7, [0] { IA5String "_imap.example" } }
    const std::string srv = "\xA0\x1A\x06\x08\x2B\x06\x01\x05\x05\x07\x08\x07\xA0\x0E\x16\x0C" "_imap.a.test";
    const auto w = run(general_names({srv, der::xmpp_addr("im.example"), der::smtp_utf8_mailbox("δ@example")}));
    CHECK(w.state == san_state::present);
    CHECK(w.ids == std::vector<seen>{svcid_test::srv("_imap.a.test"), svcid_test::xmpp("im.example"),
                                     svcid_test::smtp("δ@example")});
}

TEST_CASE("delivers an otherName of an unknown type with its OID and the raw DER inside [0]", "[general_names]") {
    // 1.3.6.1.4.1.99999.1 is no type svcid knows; its value is an OCTET STRING.
    const auto w = run(general_names({der::other_name("1.3.6.1.4.1.99999.1", der::tlv(0x04, "raw"))}));
    CHECK(w.state == san_state::present);
    REQUIRE(w.ids.size() == 1);
    CHECK(w.ids[0].kind == presented_kind::other_name);
    CHECK(w.ids[0].tag == string_tag::none);
    CHECK(w.ids[0].oid == der::oid_content("1.3.6.1.4.1.99999.1"));
    CHECK(w.ids[0].value == "\x04\x03raw");
}

TEST_CASE("delivers a known otherName whose value has the wrong string type as a plain otherName, and walks on",
          "[general_names]") {
    const auto w = run(general_names({
        der::other_name("1.3.6.1.5.5.7.8.7", der::utf8("_imap.a.test")),  // SRVName must be IA5String
        der::other_name("1.3.6.1.5.5.7.8.5", der::ia5("im.example")),     // XmppAddr must be UTF8String
        der::other_name("1.3.6.1.5.5.7.8.9", der::printable("x")),        // so must SmtpUTF8Mailbox
        der::dns("after.example"),
    }));
    CHECK(w.state == san_state::present);
    CHECK(w.ids == std::vector<seen>{svcid_test::other("1.3.6.1.5.5.7.8.7", der::utf8("_imap.a.test")),
                                     svcid_test::other("1.3.6.1.5.5.7.8.5", der::ia5("im.example")),
                                     svcid_test::other("1.3.6.1.5.5.7.8.9", der::printable("x")),
                                     svcid_test::dns("after.example")});
}

TEST_CASE("delivers a known otherName whose inner value is badly framed as a plain otherName, never as its kind",
          "[general_names]") {
    const auto w = run(general_names({
        der::other_name("1.3.6.1.5.5.7.8.7", "\x16\x05" "ab"),                    // length beyond [0]
        der::other_name("1.3.6.1.5.5.7.8.7", der::ia5("_a.test") + "\x05\x00"),  // two values
        der::other_name("1.3.6.1.5.5.7.8.5", ""),                                 // none
        der::dns("ok.example"),
    }));
    CHECK(w.state == san_state::present);
    CHECK(w.ids == std::vector<seen>{svcid_test::other("1.3.6.1.5.5.7.8.7", std::string("\x16\x05" "ab")),
                                     svcid_test::other("1.3.6.1.5.5.7.8.7", der::ia5("_a.test") + "\x05"),
                                     svcid_test::other("1.3.6.1.5.5.7.8.5", ""),
                                     svcid_test::dns("ok.example")});
}

TEST_CASE("delivers directoryName, registeredID, x400Address and ediPartyName with their kinds", "[general_names]") {
    const std::string name = der::seq({der::set({der::cn(der::utf8("x"))})});
    const auto w = run(general_names({der::directory_name(name), der::registered_id("1.2.3.4"),
                                      der::tlv(0xA3, der::seq({})), der::tlv(0xA5, der::tlv(0xA1, der::utf8("p")))}));
    CHECK(w.state == san_state::present);
    REQUIRE(w.ids.size() == 4);
    CHECK(w.ids[0].kind == presented_kind::directory_name);
    CHECK(w.ids[0].value == name);
    CHECK(w.ids[1].kind == presented_kind::registered_id);
    CHECK(w.ids[1].value == der::oid_content("1.2.3.4"));
    CHECK(w.ids[2].kind == presented_kind::other_general_name);
    CHECK(w.ids[3].kind == presented_kind::other_general_name);
}

TEST_CASE("an empty GeneralNames is malformed: SIZE (1..MAX) (RFC 5280 §4.2.1.6)", "[general_names]") {
    CHECK(run("\x30\x00"sv).state == san_state::malformed);
    CHECK(run(""sv).state == san_state::malformed);
}

TEST_CASE("bad outer framing is malformed", "[general_names]") {
    CHECK(run("\x31\x03\x82\x01" "a"sv).state == san_state::malformed);         // SET, not SEQUENCE
    CHECK(run("\x30\x04\x82\x01" "a"sv).state == san_state::malformed);         // length beyond the bytes
    CHECK(run("\x30\x03\x82\x01"sv).state == san_state::malformed);             // truncated
    CHECK(run("\x30\x80\x82\x01" "a\x00\x00"sv).state == san_state::malformed); // indefinite (X.690 §10.1)
    CHECK(run("\x30\x81\x03\x82\x01" "a"sv).state == san_state::malformed);     // non-minimal length
}

TEST_CASE("trailing bytes after the GeneralNames SEQUENCE are malformed", "[general_names]") {
    const auto w = run("\x30\x03\x82\x01" "a" "\x00"sv);
    CHECK(w.state == san_state::malformed);
}

TEST_CASE("a GeneralName whose framing fails makes the extension malformed", "[general_names]") {
    CHECK(run("\x30\x05\x82\x01" "a" "\x82\x05"sv).state == san_state::malformed);          // overlong element
    CHECK(run("\x30\x06\x82\x01" "a" "\x82\x81\x01"sv).state == san_state::malformed);      // non-minimal length
    CHECK(run("\x30\x04\x82\x80\x00\x00"sv).state == san_state::malformed);                 // indefinite
}

TEST_CASE("a tag outside the GeneralName CHOICE, or with the wrong constructed bit, is malformed", "[general_names]") {
    CHECK(run("\x30\x03\x89\x01" "a"sv).state == san_state::malformed);  // [9]
    CHECK(run("\x30\x03\x16\x01" "a"sv).state == san_state::malformed);  // universal IA5String
    CHECK(run("\x30\x03\xA2\x01" "a"sv).state == san_state::malformed);  // constructed dNSName (X.690 §10.2)
    CHECK(run("\x30\x02\x80\x00"sv).state == san_state::malformed);      // primitive otherName
    CHECK(run("\x30\x02\xA8\x00"sv).state == san_state::malformed);      // constructed registeredID
}

namespace {
// An otherName whose inside does not decode still has sound bounds: it arrives with an
// empty oid and its raw content, and the dNSName after it is delivered as usual.
void check_undecodable_other_name(const std::string& content) {
    INFO("otherName content of " << content.size() << " octets");
    const auto w = run(general_names({der::tlv(0xA0, content), der::dns("after.example")}));
    CHECK(w.state == san_state::present);
    REQUIRE(w.ids.size() == 2);
    CHECK(w.ids[0].kind == presented_kind::other_name);
    CHECK(w.ids[0].oid.empty());
    CHECK(w.ids[0].value == content);
    CHECK(w.ids[1] == svcid_test::dns("after.example"));
}
} // namespace

TEST_CASE("an otherName without its type-id and [0] value is one bad entry, not a bad extension (RFC 5280 §4.2.1.6)",
          "[general_names]") {
    check_undecodable_other_name("");  // A0 00, which mozilla::pkix also reads past
    check_undecodable_other_name(der::oid("1.2.3"));
    check_undecodable_other_name(der::tlv(0xA0, der::utf8("x")));
    check_undecodable_other_name(der::oid("1.2.3") + der::tlv(0xA0, "") + "\x05\x00");
    check_undecodable_other_name(der::oid("1.2.3") + der::tlv(0x80, der::utf8("x")));
}

TEST_CASE("a registeredID that is no OID and a directoryName that is no Name are skipped (RFC 5280 §4.2.1.6)",
          "[general_names]") {
    const std::string bad_entries[] = {
        std::string("\x88\x00", 2),                                    // empty registeredID
        der::tlv(0x88, "\x2B\x80\x01"),                                // non-minimal subidentifier
        der::tlv(0xA4, der::set({})),                                   // a SET, not a Name
        der::tlv(0xA4, der::seq({}) + "\x05\x00"),                      // a Name and trailing bytes
        der::tlv(0xA4, der::seq({der::tlv(0x31, "\x04\x09")})),         // an RDN that does not parse
    };
    for (const auto& entry : bad_entries) {
        const auto w = run(general_names({entry, der::dns("after.example")}));
        CHECK(w.state == san_state::present);
        CHECK(w.ids == std::vector<seen>{svcid_test::dns("after.example")});
    }
}

TEST_CASE("stops calling the visitor after visit::stop", "[general_names]") {
    const auto w = run(general_names({der::dns("a.example"), der::dns("b.example"), der::dns("c.example")}), 1);
    CHECK(w.state == san_state::present);
    CHECK(w.ids == std::vector<seen>{svcid_test::dns("a.example")});
}

TEST_CASE("a match followed by a broken element is still malformed, so a match never hides it", "[general_names]") {
    // SEQUENCE { [2] "a", [2] with a length beyond the SEQUENCE }
    const auto w = run("\x30\x05\x82\x01" "a" "\x82\x09"sv, 1);
    CHECK(w.ids == std::vector<seen>{svcid_test::dns("a")});
    CHECK(w.state == san_state::malformed);

    const auto bad_tag = run(general_names({der::dns("a"), der::tlv(0x8A, "x")}), 1);
    CHECK(bad_tag.ids.size() == 1);
    CHECK(bad_tag.state == san_state::malformed);
}

TEST_CASE("an otherName type-id with a non-minimal subidentifier is no OID, not an unknown otherName (X.690 §8.19.2)",
          "[general_names]") {
    // 2B 80 01: the second subidentifier starts with 0x80, a padding octet DER forbids.
    check_undecodable_other_name(der::tlv(0x06, "\x2B\x80\x01") + der::tlv(0xA0, der::utf8("x")));
    check_undecodable_other_name(der::tlv(0x06, "\x80\x01") + der::tlv(0xA0, der::utf8("x")));
    // The same OID minimally encoded (2B 01) is an ordinary unknown otherName.
    const auto w = run(general_names({der::tlv(0xA0, der::tlv(0x06, "\x2B\x01") + der::tlv(0xA0, der::utf8("x")))}));
    CHECK(w.state == san_state::present);
    REQUIRE(w.ids.size() == 1);
    CHECK(w.ids[0].kind == presented_kind::other_name);
}
