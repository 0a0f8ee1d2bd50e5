//! Glob-style matching exactly as Redis's `stringmatchlen`, the one matcher of KEYS,
//! SCAN/HSCAN/SSCAN/ZSCAN MATCH, CONFIG GET and FUNCTION LIST LIBRARYNAME:
//! `*`, `?`, `[abc]`, `[^abc]`, `[a-z]` (reversed ranges allowed), `\` escapes, and an
//! unclosed `[` matching up to the end of the pattern. Bytes compare as C's signed
//! `char`, as in Redis on x86-64.

/// Whether `string` matches `pattern` (case-sensitive when `nocase` is false).
pub fn matches(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, nocase, &mut skip_longer)
}

/// The pattern byte at `i`, or 0 past its end (the C string's terminator).
fn at(p: &[u8], i: usize) -> u8 {
    p.get(i).copied().unwrap_or(0)
}

fn lower(c: u8) -> u8 {
    c.to_ascii_lowercase()
}

/// C's signed char value of a byte.
fn signed(c: u8) -> i32 {
    c as i8 as i32
}

fn match_impl(pattern: &[u8], string: &[u8], nocase: bool, skip_longer: &mut bool) -> bool {
    let (mut p, mut s) = (0usize, 0usize);
    let plen = pattern.len();
    let slen = string.len();
    // Lengths left, as the C code counts them (`p` may pass `plen` by the `[` fallback).
    while p < plen && s < slen {
        match pattern[p] {
            b'*' => {
                while p + 1 < plen && pattern[p + 1] == b'*' {
                    p += 1;
                }
                if plen - p == 1 {
                    return true;
                }
                while s < slen {
                    if match_impl(&pattern[p + 1..], &string[s..], nocase, skip_longer) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s += 1;
                }
                *skip_longer = true;
                return false;
            }
            b'?' => s += 1,
            b'[' => {
                p += 1;
                let not = at(pattern, p) == b'^';
                if not {
                    p += 1;
                }
                let mut matched = false;
                let c = string[s];
                loop {
                    let left = plen.saturating_sub(p);
                    if at(pattern, p) == b'\\' && left >= 2 {
                        p += 1;
                        if pattern[p] == c {
                            matched = true;
                        }
                    } else if at(pattern, p) == b']' {
                        break;
                    } else if left == 0 {
                        p -= 1;
                        break;
                    } else if left >= 3 && pattern[p + 1] == b'-' {
                        let (mut start, mut end) = (pattern[p], pattern[p + 2]);
                        let mut ch = c;
                        if nocase {
                            start = lower(start);
                            end = lower(end);
                            ch = lower(ch);
                        }
                        let (mut lo, mut hi) = (signed(start), signed(end));
                        if lo > hi {
                            std::mem::swap(&mut lo, &mut hi);
                        }
                        p += 2;
                        if (lo..=hi).contains(&signed(ch)) {
                            matched = true;
                        }
                    } else if (!nocase && pattern[p] == c)
                        || (nocase && lower(pattern[p]) == lower(c))
                    {
                        matched = true;
                    }
                    p += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s += 1;
            }
            b => {
                let mut b = b;
                if b == b'\\' && plen - p >= 2 {
                    p += 1;
                    b = pattern[p];
                }
                let c = string[s];
                if (!nocase && b != c) || (nocase && lower(b) != lower(c)) {
                    return false;
                }
                s += 1;
            }
        }
        p += 1;
        if s == slen {
            while at(pattern, p) == b'*' && p < plen {
                p += 1;
            }
            break;
        }
    }
    p >= plen && s == slen
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn glob_follows_stringmatchlen() {
        assert!(matches(b"*", b"anything", false));
        assert!(matches(b"h?llo", b"hello", false));
        assert!(matches(b"h*llo", b"heeeello", false));
        assert!(matches(b"h[ae]llo", b"hallo", false));
        assert!(!matches(b"h[^e]llo", b"hello", false));
        assert!(matches(b"h[a-b]llo", b"hbllo", false));
        assert!(matches(b"h[b-a]llo", b"hbllo", false));
        assert!(matches(b"h\\*llo", b"h*llo", false));
        assert!(!matches(b"h\\*llo", b"hello", false));
        assert!(!matches(b"a[", b"a[", false));
        assert!(matches(b"a*", b"a", false));
        assert!(matches(b"a**", b"a", false));
        assert!(!matches(b"", b"a", false));
        assert!(matches(b"", b"", false));
        assert!(matches(b"[\\]]", b"]", false));
        assert!(matches(b"HELLO", b"hello", true));
    }

    #[test]
    fn nocase_patterns_match_as_function_list_libraryname() {
        assert!(matches(b"my*", b"mylib", true));
        assert!(matches(b"M?LIB", b"mylib", true));
        assert!(matches(b"[A-M]ylib", b"mylib", true));
        assert!(!matches(b"[^m]ylib", b"mylib", true));
        assert!(!matches(b"lib", b"mylib", true));
    }

    #[test]
    fn a_pattern_of_many_stars_fails_fast_on_a_long_string() {
        // CVE-2022-36021: without the skip-longer guard this takes exponential time.
        let pattern = b"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b".to_vec();
        let string = vec![b'a'; 5000];
        assert!(!matches(&pattern, &string, false));
    }
}
