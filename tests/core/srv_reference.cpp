#include <svcid/srv_reference.hpp>

#include "catch.hpp"

using svcid::errc;

TEST_CASE("an SRV-ID reference keeps the service (lower case, no '_') and the domain (RFC 4985 §2)") {
    auto a = svcid::make_srv_reference("IMAP", "Example.NET.");
    REQUIRE(a);
    CHECK(a->service() == "imap");
    CHECK(a->domain().name() == "example.net");
    auto b = svcid::parse_srv_reference("_xmpp-client.example.net");
    REQUIRE(b);
    CHECK(b->service() == "xmpp-client");
    CHECK(b->domain().name() == "example.net");
    STATIC_REQUIRE(svcid::make_srv_reference("_imap", "example.net").has_value());
}

TEST_CASE("service names follow RFC 6335 §5.1") {
    CHECK(svcid::make_srv_reference("", "example.net").error() == errc::bad_service_name);
    CHECK(svcid::make_srv_reference("_", "example.net").error() == errc::bad_service_name);
    CHECK(svcid::make_srv_reference("sixteen-letters1", "example.net").error() == errc::bad_service_name);
    CHECK(svcid::make_srv_reference("-imap", "example.net").error() == errc::bad_service_name);
    CHECK(svcid::make_srv_reference("im--ap", "example.net").error() == errc::bad_service_name);
    CHECK(svcid::make_srv_reference("1234", "example.net").error() == errc::bad_service_name);
    CHECK(svcid::make_srv_reference("im_ap", "example.net").error() == errc::bad_service_name);
    CHECK(svcid::make_srv_reference("fifteen-letters", "example.net"));
    CHECK(svcid::parse_srv_reference("imap.example.net").error() == errc::bad_service_name);
    CHECK(svcid::parse_srv_reference("_imap").error() == errc::bad_service_name);
}

TEST_CASE("the domain of an SRV-ID reference obeys the DNS reference rules, with offsets into the whole text") {
    auto bad = svcid::parse_srv_reference("_imap.*.example.net");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == errc::wildcard_in_reference);
    CHECK(bad.error().offset == 6);
    CHECK(bad.error().label == 2);
    CHECK(svcid::make_srv_reference("imap", "1.2.3.4").error() == errc::ip_literal_as_dns_name);
}

TEST_CASE("SRVName values compare service case-insensitively and the domain as a DNS name (RFC 6125 §6.5.1)") {
    const auto ref = *svcid::make_srv_reference("imap", "example.net");
    CHECK(svcid::match_srv_id("_imap.example.net", ref));
    CHECK(svcid::match_srv_id("_IMAP.Example.Net", ref));
    CHECK(svcid::match_srv_id("_imap.example.net.", ref));
    CHECK_FALSE(svcid::match_srv_id("_imaps.example.net", ref));
    CHECK_FALSE(svcid::match_srv_id("_ima.example.net", ref));
    CHECK_FALSE(svcid::match_srv_id("imap.example.net", ref));
    CHECK_FALSE(svcid::match_srv_id("_imap.example.org", ref));
    CHECK_FALSE(svcid::match_srv_id("_imap.mail.example.net", ref));
    CHECK_FALSE(svcid::match_srv_id("_imap", ref));
    CHECK_FALSE(svcid::match_srv_id("", ref));
    CHECK_FALSE(svcid::match_srv_id(std::string_view("_imap.example.net\0", 18), ref));
}

TEST_CASE("SRVName domains are never patterns: RFC 4985 names a domain") {
    const auto ref = *svcid::make_srv_reference("imap", "mail.example.net");
    CHECK_FALSE(svcid::match_srv_id("_imap.*.example.net", ref));
    CHECK_FALSE(svcid::match_srv_id("_*.mail.example.net", ref));
}

TEST_CASE("a DNS SRV owner name loses its protocol label (RFC 2782): it is not part of an SRV-ID") {
    auto ref = svcid::parse_srv_reference("_imap._tcp.example.net");
    REQUIRE(ref);
    CHECK(ref->service() == "imap");
    CHECK(ref->domain().name() == "example.net");
    CHECK(svcid::parse_srv_reference("_sip._UDP.example.net")->domain().name() == "example.net");
    CHECK(svcid::parse_srv_reference("_imap._tcpx.example.net")->domain().name() == "_tcpx.example.net");
}
