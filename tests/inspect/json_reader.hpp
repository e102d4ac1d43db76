// A strict little JSON reader (RFC 8259) for checking svcid-inspect's --json output: it
// refuses anything that is not one valid JSON document, so a test that reads a value has
// also proven the whole output is valid JSON. Throws std::runtime_error: test code.
#ifndef SVCID_TEST_JSON_READER_HPP
#define SVCID_TEST_JSON_READER_HPP

#include <string>
#include <string_view>
#include <vector>

namespace svcid_test {

struct json_value {
    enum class type { null, boolean, number, string, array, object };
    type kind = type::null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<json_value> items;  ///< array elements, or object member values
    std::vector<std::string> keys;  ///< object member names, parallel to `items`

    bool has(std::string_view key) const;
    /// The member `key` of an object; throws when it is missing or this is no object.
    const json_value& operator[](std::string_view key) const;
    /// Element `i` of an array; throws when out of range or this is no array.
    const json_value& operator[](std::size_t i) const;
    std::size_t size() const { return items.size(); }
    bool is_null() const { return kind == type::null; }
};

json_value parse_json(std::string_view text);

} // namespace svcid_test

#endif
