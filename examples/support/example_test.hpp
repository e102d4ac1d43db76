// For the tests that run the examples as a user would: certificates written as PEM files
// into a fresh temporary directory, and commands run with their output captured.
// Test-side only (Catch2 and the tests' cert_builder.hpp, which uses OpenSSL).
#ifndef SVCID_EXAMPLE_TEST_HPP
#define SVCID_EXAMPLE_TEST_HPP

#include "catch.hpp"
#include "cert_builder.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>

namespace svcid_example_test {

/// A directory made for this run (mkdtemp under /tmp; `prefix` names it).
inline std::string directory(const char* prefix) {
    static std::string dir = [prefix] {
        std::string pattern = std::string("/tmp/") + prefix + "-XXXXXX";
        REQUIRE(mkdtemp(&pattern[0]) != nullptr);
        return pattern;
    }();
    return dir;
}

inline void write_pem(const std::string& path, const svcid_test::built_certificate& c, bool key) {
    BIO* bio = BIO_new_file(path.c_str(), "w");
    REQUIRE(bio != nullptr);
    const int ok = key ? PEM_write_bio_PrivateKey(bio, c.key.get(), nullptr, nullptr, 0, nullptr, nullptr)
                       : PEM_write_bio_X509(bio, c.cert.get());
    BIO_free(bio);
    REQUIRE(ok == 1);
}

/// Writes DIR/NAME.crt and DIR/NAME.key; returns "DIR/NAME".
inline std::string save(const std::string& dir, const std::string& name, const svcid_test::built_certificate& c) {
    const std::string stem = dir + "/" + name;
    write_pem(stem + ".crt", c, false);
    write_pem(stem + ".key", c, true);
    return stem;
}

/// A leaf issued by `ca` whose only SAN entry is `san` (DER, from svcid_test::der).
inline svcid_test::built_certificate issue(const svcid_test::built_certificate& ca, const std::string& san) {
    svcid_test::cert_spec spec;
    spec.subject_cn("device");
    spec.add_san(san);
    return svcid_test::make_certificate(spec, {ca.cert.get(), ca.key.get()});
}

/// A self-signed CA.
inline svcid_test::built_certificate make_ca(const char* name) {
    svcid_test::cert_spec spec;
    spec.subject_cn(name);
    spec.ca = true;
    return svcid_test::make_certificate(spec);
}

struct run_result {
    int status = -1;
    std::string output;
};

/// Runs `command` through the shell; its exit status and standard output.
inline run_result run(const std::string& command) {
    run_result r;
    FILE* out = popen(command.c_str(), "r");
    REQUIRE(out != nullptr);
    char buf[512];
    while (std::fgets(buf, sizeof buf, out) != nullptr) r.output += buf;
    const int status = pclose(out);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/// A server example started with `command`, which prints "listening on 127.0.0.1:PORT"
/// first; port() is that PORT. finish() waits for it to exit and returns the rest of its
/// output and its status.
class server_process {
public:
    explicit server_process(const std::string& command) : out_(popen(command.c_str(), "r")) {
        REQUIRE(out_ != nullptr);
        char line[256] = "";
        REQUIRE(std::fgets(line, sizeof line, out_) != nullptr);
        const std::string listening(line);
        REQUIRE(listening.rfind("listening on 127.0.0.1:", 0) == 0);
        port_ = listening.substr(23, listening.find('\n') - 23);
    }
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;
    ~server_process() {
        if (out_ != nullptr) pclose(out_);
    }
    const std::string& port() const { return port_; }
    run_result finish() {
        run_result r;
        char line[512];
        while (std::fgets(line, sizeof line, out_) != nullptr) r.output += line;
        const int status = pclose(out_);
        out_ = nullptr;
        r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return r;
    }

private:
    FILE* out_;
    std::string port_;
};

} // namespace svcid_example_test

#endif // SVCID_EXAMPLE_TEST_HPP
