// Runs the mbedTLS example pair as a user would, on 127.0.0.1: a server that admits the
// line-3 sensors by SPIFFE ID path prefix and a gateway by DNS name, and devices that
// connect to it. Certificates are made here and written to a fresh temporary directory.
#include "../support/example_test.hpp"

#include <string>

using namespace svcid_example_test;

namespace {

std::string directory() { return svcid_example_test::directory("svcid-mbedtls"); }
std::string save(const std::string& name, const svcid_test::built_certificate& c) {
    return svcid_example_test::save(directory(), name, c);
}

} // namespace

TEST_CASE("the mbedTLS server admits devices by SPIFFE ID or DNS name, and its device client checks the server",
          "[mbedtls][examples]") {
    const svcid_test::built_certificate ca = make_ca("factory CA");
    const std::string ca_stem = save("ca", ca);
    const std::string server = save("server", issue(ca, svcid_test::der::dns("hub.factory.test")));
    const std::string sensor = save("sensor", issue(ca, svcid_test::der::uri("spiffe://factory.test/line/3/sensor/7")));
    const std::string gateway = save("gateway", issue(ca, svcid_test::der::dns("gateway.factory.test")));
    const std::string intruder = save("intruder", issue(ca, svcid_test::der::uri("spiffe://factory.test/line/4/camera")));

    const std::string server_command = std::string("SVCID_MAX_CONNECTIONS=4 ") + SVCID_MBEDTLS_SERVER + " 0 " + server +
                                       ".crt " + server + ".key " + ca_stem + ".crt spiffe://factory.test/line/3/... " +
                                       "gateway.factory.test";
    server_process hub(server_command);
    const std::string& port = hub.port();

    auto device = [&](const std::string& stem, const char* expected_server) {
        return run(std::string(SVCID_MBEDTLS_CLIENT) + " " + port + " " + stem + ".crt " + stem + ".key " + ca_stem +
                   ".crt " + expected_server);
    };
    const run_result by_spiffe = device(sensor, "hub.factory.test");
    CHECK(by_spiffe.status == 0);
    CHECK(by_spiffe.output == "hello spiffe://factory.test/line/3/sensor/7 (allowed by entry 1)\n");
    const run_result by_dns = device(gateway, "hub.factory.test");
    CHECK(by_dns.status == 0);
    CHECK(by_dns.output == "hello gateway.factory.test (allowed by entry 2)\n");
    const run_result refused = device(intruder, "hub.factory.test");
    CHECK(refused.status == 1);
    // The device sees the server's access_denied alert... or a reset, by timing; either way
    // there is no greeting.
    CHECK(refused.output.find("hello") == std::string::npos);
    const run_result wrong_server = device(sensor, "other.factory.test");
    CHECK(wrong_server.status == 1);
    CHECK(wrong_server.output.find("handshake failed (-0x2700)") != std::string::npos);  // CERT_VERIFY_FAILED
    CHECK(wrong_server.output.find("CN") != std::string::npos);

    const run_result served = hub.finish();
    CHECK(served.status == 0);
    const std::string& log = served.output;
    INFO(log);
    CHECK(log.find("accepted spiffe://factory.test/line/3/sensor/7\n") != std::string::npos);
    CHECK(log.find("accepted gateway.factory.test\n") != std::string::npos);
    CHECK(log.find("refused (-0x2700)") != std::string::npos);
    CHECK(log.find("CN") != std::string::npos);
    run("rm -r " + directory());
}
