#!/usr/bin/env python3
#===- gen_unicode_tables.py - Unicode tables for the tokenizers ------------===#
#
# Writes UnicodeTables.inc: per-code-point character classes and the
# lowercase and accent-stripping maps the tokenizers need, as compact C++
# tables (a two-level lookup for the classes, sorted arrays for the maps).
#
# The tables describe what Hugging Face `tokenizers` does, since identical ids
# are the goal. The base is Python's unicodedata. `tokenizers` does not use one
# Unicode version throughout: BertNormalizer and BertPreTokenizer take their
# punctuation, control and nonspacing-mark classes from the Rust crate
# unicode_categories (Unicode 8 era), lowercasing from Rust's std (newer than
# Python's), the GPT-2 pattern from Oniguruma. So when `tokenizers` is
# importable the script asks it about every code point and lets its answer win
# where it differs from unicodedata; the header records how many did.
#
#   python3 gen_unicode_tables.py > UnicodeTables.inc
#   (run with the fixtures venv: .venv-fixtures/bin/python, tokenizers 0.23)
#
#===------------------------------------------------------------------------===#

import sys
import unicodedata

MAX = 0x110000
BLOCK = 128

# Flag bits; keep in sync with Unicode.h.
WS, CONTROL, PUNCT, LETTER, NUMBER, SPACE, HAS_LOWER, HAS_STRIP = (
    1 << i for i in range(8))

# The White_Space property (PropList.txt); it has not changed since Unicode 6.
WHITE_SPACE = set([*range(0x9, 0xE), 0x20, 0x85, 0xA0, 0x1680,
                   *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F,
                   0x3000])


def is_surrogate(c):
    return 0xD800 <= c < 0xE000


def base_tables():
    flags = [0] * MAX
    lower, strip = {}, {}
    for c in range(MAX):
        if is_surrogate(c):
            continue
        ch = chr(c)
        cat = unicodedata.category(ch)
        f = 0
        if c in WHITE_SPACE:
            f |= WS | SPACE
        if (c == 0 or c == 0xFFFD or cat in ('Cc', 'Cf', 'Co')) and \
                c not in (9, 10, 13):
            f |= CONTROL
        if cat[0] == 'P' or (33 <= c <= 126 and not ch.isalnum()):
            f |= PUNCT
        if cat[0] == 'L':
            f |= LETTER
        if cat[0] == 'N':
            f |= NUMBER
        flags[c] = f
        lo = ch.lower()
        if lo != ch:
            lower[c] = lo
        st = ''.join(x for x in unicodedata.normalize('NFD', ch)
                     if unicodedata.category(x) != 'Mn')
        if st != ch:
            strip[c] = st
    return flags, lower, strip


def hf_overrides(flags, lower, strip):
    """Replaces entries with what tokenizers does; returns counts."""
    try:
        from tokenizers.normalizers import BertNormalizer
        from tokenizers.pre_tokenizers import BertPreTokenizer, ByteLevel
        import tokenizers
    except ImportError:
        return None
    clean = BertNormalizer(clean_text=True, handle_chinese_chars=False,
                           strip_accents=False, lowercase=False)
    stripper = BertNormalizer(clean_text=False, handle_chinese_chars=False,
                              strip_accents=True, lowercase=False)
    lowerer = BertNormalizer(clean_text=False, handle_chinese_chars=False,
                             strip_accents=False, lowercase=True)
    bert = BertPreTokenizer()
    byte = ByteLevel(add_prefix_space=False, use_regex=True)
    counts = {'classes': 0, 'lower': 0, 'strip': 0}
    for c in range(MAX):
        if is_surrogate(c):
            continue
        ch = chr(c)
        f = 0
        cleaned = clean.normalize_str('a' + ch + 'b')
        if cleaned == 'ab':
            f |= CONTROL
        pieces = [p for p, _ in bert.pre_tokenize_str('a' + ch + 'b')]
        if pieces == ['a', 'b']:
            f |= WS
        elif pieces == ['a', ch, 'b']:
            f |= PUNCT
        if len(byte.pre_tokenize_str('a' + ch)) == 1:
            f |= LETTER
        elif len(byte.pre_tokenize_str('1' + ch)) == 1:
            f |= NUMBER
        elif len(byte.pre_tokenize_str('!' + ch)) != 1:
            f |= SPACE
        if f != flags[c]:
            counts['classes'] += 1
            flags[c] = f
        lo = lowerer.normalize_str(ch)
        if lower.get(c, ch) != lo:
            counts['lower'] += 1
            if lo == ch:
                del lower[c]
            else:
                lower[c] = lo
        st = stripper.normalize_str(ch)
        if strip.get(c, ch) != st:
            counts['strip'] += 1
            if st == ch:
                del strip[c]
            else:
                strip[c] = st
    counts['version'] = tokenizers.__version__
    return counts


def main():
    flags, lower, strip = base_tables()
    counts = hf_overrides(flags, lower, strip)
    for c in lower:
        flags[c] |= HAS_LOWER
    for c in strip:
        flags[c] |= HAS_STRIP

    blocks, index, seen = [], [], {}
    for b in range(0, MAX, BLOCK):
        key = tuple(flags[b:b + BLOCK])
        if key not in seen:
            seen[key] = len(blocks)
            blocks.append(key)
        index.append(seen[key])

    out = sys.stdout
    out.write('// Generated by gen_unicode_tables.py; do not edit.\n')
    out.write('// Unicode %s (Python unicodedata)' % unicodedata.unidata_version)
    if counts:
        out.write(', with tokenizers %s winning for %d class, %d lowercase and '
                  '%d strip-accents entries.\n' % (
                      counts['version'], counts['classes'], counts['lower'],
                      counts['strip']))
    else:
        out.write('; tokenizers was not available for overrides.\n')
    out.write('// %d blocks of %d code points.\n\n' % (len(blocks), BLOCK))
    out.write('static constexpr unsigned kBlockShift = %d;\n' %
              (BLOCK.bit_length() - 1))
    out.write('static const uint16_t kBlockIndex[%d] = {\n' % len(index))
    for i in range(0, len(index), 16):
        out.write('  ' + ', '.join(str(x) for x in index[i:i + 16]) + ',\n')
    out.write('};\n\n')
    out.write('static const uint8_t kBlocks[%d][%d] = {\n' %
              (len(blocks), BLOCK))
    for blk in blocks:
        out.write('  {')
        for i in range(0, BLOCK, 32):
            out.write(('' if i == 0 else '   ') +
                      ','.join(str(x) for x in blk[i:i + 32]) + ',' +
                      ('\n' if i + 32 < BLOCK else ''))
        out.write('},\n')
    out.write('};\n\n')

    # Hangul syllables decompose algorithmically (Unicode 3.12); Unicode.cpp
    # does that, so they only need their flag.
    strip = {c: s for c, s in strip.items() if not 0xAC00 <= c <= 0xD7A3}
    for name, table in (('Lower', lower), ('Strip', strip)):
        data = []
        entries = []
        for c in sorted(table):
            s = [ord(x) for x in table[c]]
            entries.append((c, len(data), len(s)))
            data.extend(s)
        out.write('static const uint32_t k%sData[%d] = {\n' %
                  (name, max(1, len(data))))
        for i in range(0, len(data), 12):
            out.write('  ' + ', '.join('0x%X' % x for x in data[i:i + 12]) +
                      ',\n')
        if not data:
            out.write('  0,\n')
        out.write('};\n\n')
        out.write('static const CaseMapEntry k%sMap[%d] = {\n' %
                  (name, len(entries)))
        for c, off, n in entries:
            out.write('  {0x%X, %d, %d},\n' % (c, off, n))
        out.write('};\n\n')


if __name__ == '__main__':
    main()
