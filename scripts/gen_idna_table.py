#!/usr/bin/env python3
"""Generate include/svcid/detail/idna_table.hpp: IDNA2008 derived properties (RFC 5892).

Run with Python 3.11, whose unicodedata module carries Unicode 14.0.0:

    python3 scripts/gen_idna_table.py > include/svcid/detail/idna_table.hpp

The derivation follows RFC 5892 §3 in its order. Python's unicodedata has no access to
some of the Unicode properties RFC 5892 names, so this script states them itself or
approximates them; every approximation is marked APPROXIMATION below and repeated in the
generated header.
"""
import sys
import unicodedata

UNICODE_VERSION = unicodedata.unidata_version
MAX_CP = 0x10FFFF

# Property codes shared with idna.hpp (detail::idna_property).
DISALLOWED, PVALID, PVALID_MARK, CONTEXTJ, CONTEXTO, UPPERCASE = range(6)

# RFC 5892 §2.6 Exceptions (F).
EXCEPTIONS = {
    0x00DF: PVALID, 0x03C2: PVALID, 0x06FD: PVALID, 0x06FE: PVALID, 0x0F0B: PVALID, 0x3007: PVALID,
    0x00B7: CONTEXTO, 0x0375: CONTEXTO, 0x05F3: CONTEXTO, 0x05F4: CONTEXTO, 0x30FB: CONTEXTO,
    0x0640: DISALLOWED, 0x07FA: DISALLOWED, 0x302E: DISALLOWED, 0x302F: DISALLOWED,
    0x3031: DISALLOWED, 0x3032: DISALLOWED, 0x3033: DISALLOWED, 0x3034: DISALLOWED,
    0x3035: DISALLOWED, 0x303B: DISALLOWED,
}
for cp in list(range(0x0660, 0x066A)) + list(range(0x06F0, 0x06FA)):
    EXCEPTIONS[cp] = CONTEXTO

# RFC 5892 §2.7 BackwardCompatible (G): empty (RFC 6452 and RFC 8753 added nothing).
BACKWARD_COMPATIBLE = {}

# unicodedata has no Noncharacter_Code_Point, White_Space or Default_Ignorable_Code_Point,
# so they are written out here from PropList.txt / DerivedCoreProperties.txt (Unicode 14).
NONCHARACTERS = set(range(0xFDD0, 0xFDF0))
for plane in range(17):
    NONCHARACTERS.update({plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF})

WHITE_SPACE = set(range(0x0009, 0x000E)) | {0x0020, 0x0085, 0x00A0, 0x1680} | set(range(0x2000, 0x200B)) \
    | {0x2028, 0x2029, 0x202F, 0x205F, 0x3000}

DEFAULT_IGNORABLE = set()
for first, last in [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
                    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
                    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
                    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
                    (0xE0000, 0xE0FFF)]:
    DEFAULT_IGNORABLE.update(range(first, last + 1))

# RFC 5892 §2.4 IgnorableBlocks (D).
IGNORABLE_BLOCKS = [(0x20D0, 0x20FF), (0x1D100, 0x1D1FF), (0x1D200, 0x1D24F)]

# RFC 5892 §2.9 OldHangulJamo (I): Hangul_Syllable_Type L, V or T (HangulSyllableType.txt).
OLD_HANGUL_JAMO = [(0x1100, 0x115F), (0xA960, 0xA97C), (0x1160, 0x11A7), (0xD7B0, 0xD7C6),
                   (0x11A8, 0x11FF), (0xD7CB, 0xD7FB)]

LETTER_DIGITS = {"Ll", "Lu", "Lo", "Nd", "Lm", "Mn", "Mc"}
LDH = {0x2D} | set(range(0x30, 0x3A)) | set(range(0x61, 0x7B))


def in_ranges(cp, ranges):
    return any(first <= cp <= last for first, last in ranges)


def unstable(ch):
    # APPROXIMATION: RFC 5892 §2.2 uses NFKC_Casefold, which unicodedata lacks. We use
    # NFKC(casefold(NFKC(cp))); it differs from NFKC_Casefold only for code points that
    # NFKC_Casefold also removes (Default_Ignorable_Code_Point), and those are DISALLOWED
    # by IgnorableProperties one step later, so the derived property should be the same.
    # Not yet checked against IANA's published idna-tables for Unicode 14.0.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", ch).casefold()) != ch


def derive(cp):
    """RFC 5892 §3, step by step."""
    ch = chr(cp)
    if cp in EXCEPTIONS:
        return EXCEPTIONS[cp]
    if cp in BACKWARD_COMPATIBLE:
        return BACKWARD_COMPATIBLE[cp]
    if unicodedata.category(ch) == "Cn" and cp not in NONCHARACTERS:
        return DISALLOWED  # UNASSIGNED: svcid rejects it exactly like DISALLOWED
    if cp in LDH:
        return PVALID
    if cp in (0x200C, 0x200D):
        return CONTEXTJ
    if unstable(ch):
        return DISALLOWED
    if cp in DEFAULT_IGNORABLE or cp in WHITE_SPACE or cp in NONCHARACTERS:
        return DISALLOWED
    if in_ranges(cp, IGNORABLE_BLOCKS):
        return DISALLOWED
    if in_ranges(cp, OLD_HANGUL_JAMO):
        return DISALLOWED
    if unicodedata.category(ch) in LETTER_DIGITS:
        return PVALID
    return DISALLOWED


def refine(cp, prop):
    """svcid-specific refinements of the RFC 5892 value, never changing what is accepted."""
    ch = chr(cp)
    if prop == PVALID and unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return PVALID_MARK  # RFC 5891 §4.2.3.2: a label may not start with one
    if prop == DISALLOWED and unicodedata.category(ch) in ("Lu", "Lt") \
            and unicodedata.normalize("NFKC", ch) == ch:
        lower = ch.lower()
        if len(lower) == 1 and derive(ord(lower)) == PVALID:
            # A plain capital (Ä, Ω) whose small letter is PVALID: the user needs case
            # mapping, not a different name. Compatibility letters such as U+212A KELVIN
            # SIGN fail the NFKC test and stay plain DISALLOWED.
            return UPPERCASE
    return prop


def boundaries(values):
    """[(first_cp, value)] at every change of value."""
    out = []
    prev = None
    for cp, value in enumerate(values):
        if value != prev:
            out.append((cp, value))
            prev = value
    return out


def ranges_where(pred):
    out = []
    start = None
    for cp in range(MAX_CP + 2):
        hit = cp <= MAX_CP and pred(cp)
        if hit and start is None:
            start = cp
        elif not hit and start is not None:
            out.append((start, cp - 1))
            start = None
    return out


def script_by_name(prefixes, excluded_words=()):
    # APPROXIMATION: unicodedata has no Script property; a character's name prefix
    # ("GREEK ", "HEBREW ", ...) stands in for it. Enough for the CONTEXTO rules, which
    # only ask whether a neighbour is Greek/Hebrew/Hiragana/Katakana/Han.
    def pred(cp):
        if unicodedata.category(chr(cp)) == "Cn":
            return False
        name = unicodedata.name(chr(cp), "")
        return any(name.startswith(p) for p in prefixes) and not any(w in name for w in excluded_words)
    return pred


def composition_pairs():
    """(first, second) pairs that NFC composes into one code point: primary composites."""
    pairs = []
    for cp in range(MAX_CP + 1):
        decomposition = unicodedata.decomposition(chr(cp))
        if not decomposition or decomposition.startswith("<"):
            continue
        parts = [int(p, 16) for p in decomposition.split()]
        if len(parts) == 2 and unicodedata.normalize("NFC", chr(parts[0]) + chr(parts[1])) == chr(cp):
            pairs.append((parts[0], parts[1]))
    return sorted(pairs)


def emit_ranges(name, ranges, brief):
    lines = [f"// {brief}", f"inline constexpr char32_t {name}[][2] = {{"]
    row = []
    for first, last in ranges:
        row.append(f"{{0x{first:X}, 0x{last:X}}}")
        if len(row) == 6:
            lines.append("    " + ", ".join(row) + ",")
            row = []
    if row:
        lines.append("    " + ", ".join(row) + ",")
    lines.append("};")
    return "\n".join(lines)


def main():
    if UNICODE_VERSION != "14.0.0":
        sys.stderr.write(f"warning: unicodedata is Unicode {UNICODE_VERSION}, svcid documents 14.0.0\n")
    values = [refine(cp, derive(cp)) for cp in range(MAX_CP + 1)]
    bounds = boundaries(values)

    greek = ranges_where(script_by_name(("GREEK ",)))
    hebrew = ranges_where(script_by_name(("HEBREW ",)))
    kana_han = ranges_where(script_by_name(
        ("HIRAGANA ", "KATAKANA ", "CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH-",
         "IDEOGRAPHIC ITERATION MARK", "IDEOGRAPHIC NUMBER ZERO", "HANGZHOU NUMERAL"),
        ("KATAKANA MIDDLE DOT", "KATAKANA-HIRAGANA", "HALFWIDTH", "CIRCLED", "SQUARED")))
    virama = ranges_where(lambda cp: unicodedata.combining(chr(cp)) == 9)
    pairs = composition_pairs()

    out = []
    out.append(f"""// svcid/detail/idna_table.hpp — IDNA2008 derived properties for Unicode {UNICODE_VERSION}.
//
// GENERATED by scripts/gen_idna_table.py from Python's unicodedata; do not edit by hand,
// rerun the script. It applies RFC 5892 §3 to every code point. Known approximations
// (see the script): Unstable uses NFKC(casefold(NFKC(cp))) for NFKC_Casefold, and the
// script tables used by CONTEXTO rules come from character names, not the Script property.
#ifndef SVCID_DETAIL_IDNA_TABLE_HPP
#define SVCID_DETAIL_IDNA_TABLE_HPP

#include "../config.hpp"

#include <cstdint>

SVCID_BEGIN_NAMESPACE
namespace detail {{

inline constexpr const char* idna_unicode_version = "{UNICODE_VERSION}";

// Each entry is (first code point << 3) | property and holds up to the next entry's first
// code point. Property: 0 DISALLOWED or UNASSIGNED, 1 PVALID, 2 PVALID combining mark,
// 3 CONTEXTJ, 4 CONTEXTO, 5 DISALLOWED upper-case letter whose lower case is PVALID.
// {len(bounds)} entries, {4 * len(bounds)} bytes.
inline constexpr std::uint32_t idna_property_table[] = {{""")
    row = []
    for cp, value in bounds:
        row.append(f"0x{(cp << 3) | value:X}")
        if len(row) == 10:
            out.append("    " + ", ".join(row) + ",")
            row = []
    if row:
        out.append("    " + ", ".join(row) + ",")
    out.append("};")
    out.append("")
    out.append(emit_ranges("idna_greek", greek, "Script=Greek, for GREEK LOWER NUMERAL SIGN (RFC 5892 Appendix A.4)."))
    out.append("")
    out.append(emit_ranges("idna_hebrew", hebrew, "Script=Hebrew, for GERESH and GERSHAYIM (RFC 5892 Appendix A.5, A.6)."))
    out.append("")
    out.append(emit_ranges("idna_kana_han", kana_han,
                           "Script=Hiragana, Katakana or Han, for KATAKANA MIDDLE DOT (RFC 5892 Appendix A.7)."))
    out.append("")
    out.append(emit_ranges("idna_virama", virama,
                           "Canonical_Combining_Class=Virama, for ZERO WIDTH (NON-)JOINER (RFC 5892 Appendix A.1, A.2)."))
    out.append("")
    out.append(f"// Pairs NFC composes into one code point (canonical decompositions of length two, minus")
    out.append(f"// composition exclusions), sorted: two adjacent code points found here are not NFC.")
    out.append(f"// {len(pairs)} pairs.")
    out.append("inline constexpr char32_t idna_nfc_pairs[][2] = {")
    row = []
    for a, b in pairs:
        row.append(f"{{0x{a:X}, 0x{b:X}}}")
        if len(row) == 6:
            out.append("    " + ", ".join(row) + ",")
            row = []
    if row:
        out.append("    " + ", ".join(row) + ",")
    out.append("};")
    out.append("""
} // namespace detail
SVCID_END_NAMESPACE

#endif""")
    print("\n".join(out))


if __name__ == "__main__":
    main()
