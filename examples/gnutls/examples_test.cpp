// Runs the GnuTLS client as a user would, on 127.0.0.1, against the OpenSSL mutual-TLS server
// example: svcid judges the server inside GnuTLS and the client inside OpenSSL. Certificates
// are made here and written to a fresh temporary directory.
#include "../support/example_test.hpp"

#include <string>

using namespace svcid_example_test;

namespace {

std::string directory() { return svcid_example_test::directory("svcid-gnutls"); }
std::string save(const std::string& name, const svcid_test::built_certificate& c) {
    return svcid_example_test::save(directory(), name, c);
}
std::string server_command(const char* connections, const std::string& server, const std::string& ca) {
    return std::string("SVCID_MAX_CONNECTIONS=") + connections + " " + SVCID_OPENSSL_SERVER + " 0 " + server +
           ".crt " + server + ".key " + ca + ".crt gateway.factory.test";
}

} // namespace

TEST_CASE("the GnuTLS client admits the server it names and refuses any other", "[gnutls][examples]") {
    const svcid_test::built_certificate ca = make_ca("factory CA");
    const std::string ca_stem = save("ca", ca);
    const std::string hub = save("hub", issue(ca, svcid_test::der::dns("hub.factory.test")));
    const std::string gateway = save("gateway", issue(ca, svcid_test::der::dns("gateway.factory.test")));
    const std::string camera = save("camera", issue(ca, svcid_test::der::dns("camera.factory.test")));
    const svcid_test::built_certificate rogue_ca = make_ca("rogue CA");
    const std::string impostor = save("impostor", issue(rogue_ca, svcid_test::der::dns("hub.factory.test")));

    auto client = [&](const std::string& port, const std::string& stem, const char* expected_server) {
        return run(std::string(SVCID_GNUTLS_CLIENT) + " " + port + " " + stem + ".crt " + stem + ".key " + ca_stem +
                   ".crt " + expected_server);
    };

    server_process server(server_command("3", hub, ca_stem));
    const run_result admitted = client(server.port(), gateway, "hub.factory.test");
    CHECK(admitted.status == 0);
    CHECK(admitted.output == "hello gateway.factory.test (allowed by entry 1)\n");

    // The chain verifies; the name is svcid's refusal, told in GnuTLS's words and svcid's.
    const run_result wrong_name = client(server.port(), gateway, "other.factory.test");
    INFO(wrong_name.output);
    CHECK(wrong_name.status == 1);
    CHECK(wrong_name.output.find("handshake failed: Error in the certificate verification.") != std::string::npos);
    CHECK(wrong_name.output.find("The name in the certificate does not match the expected.") != std::string::npos);
    CHECK(wrong_name.output.find("svcid: ") != std::string::npos);
    CHECK(wrong_name.output.find("hub.factory.test") != std::string::npos);
    CHECK(wrong_name.output.find("hello") == std::string::npos);

    // The server admits gateway.factory.test only: the camera gets no greeting.
    const run_result refused_by_server = client(server.port(), camera, "hub.factory.test");
    INFO(refused_by_server.output);
    CHECK(refused_by_server.status == 1);
    CHECK(refused_by_server.output.find("hello") == std::string::npos);

    const run_result served = server.finish();
    INFO(served.output);
    CHECK(served.status == 0);
    CHECK(served.output.find("accepted: ") != std::string::npos);
    CHECK(served.output.find("refused") != std::string::npos);

    // A server with the right name from another CA: GnuTLS's chain check refuses it before
    // svcid looks at the name.
    server_process impostor_server(server_command("1", impostor, ca_stem));
    const run_result untrusted = client(impostor_server.port(), gateway, "hub.factory.test");
    INFO(untrusted.output);
    CHECK(untrusted.status == 1);
    CHECK(untrusted.output.find("handshake failed: Error in the certificate verification.") != std::string::npos);
    CHECK(untrusted.output.find("The certificate issuer is unknown.") != std::string::npos);
    CHECK(untrusted.output.find("hello") == std::string::npos);
    CHECK(impostor_server.finish().status == 0);
    run("rm -r " + directory());
}
