// svcid-inspect's loader and decoder on arbitrary file contents: PEM, DER, PKCS #7, PKCS #12
// and Java keystore (JKS, JCEKS) guessing, then every field decoded and rendered as text and
// JSON. A crash, a
// leak or undefined behaviour here is a crash of `svcid-inspect cert` on a hostile file.
#include "inspect.hpp"
#include "json_writer.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace svcid_inspect;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    // A fixed password lets encrypted keys and PKCS #12 files reach their decryption paths.
    const loaded_file file = load_data(bytes, std::string("fuzz"));
    std::string text;
    std::string json_text;
    json_writer json(json_text);
    json.begin_array();
    for (std::size_t i = 0; i < file.objects.size(); ++i) {
        const loaded_object& object = file.objects[i];
        if (object.kind == object_kind::certificate || object.kind == object_kind::request) {
            const document_info d = object.kind == object_kind::certificate ? describe_certificate(object.cert.get())
                                                                             : describe_request(object.request.get());
            print_document_text(text, d, i, file.objects.size());
            write_document_json(json, d);
        } else {
            (void)describe_key(object.key.get());
        }
    }
    json.end_array();
    if (file.keystore) {
        print_keystore_text(text, *file.keystore);
        write_keystore_json(json, *file.keystore, file.objects);
    }
    // Without a password a keystore's digest goes unchecked, so its structure is all that
    // stands between the bytes and the decoders.
    (void)load_data(bytes, std::nullopt);
    // A fuzzer cannot forge the store's SHA-1 digest, which guards the key decryption: feed
    // the decryption the bytes directly as a protected key.
    pkey_ptr key;
    (void)decrypt_keystore_key(bytes, "fuzz", key);
    return 0;
}
