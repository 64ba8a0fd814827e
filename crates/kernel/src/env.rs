//! Environment blocks (spec §8): `NAME=VALUE` strings with case-insensitive names, sorted
//! insertion, and the exact return-value rules of `GetEnvironmentVariable` and
//! `ExpandEnvironmentStrings`. Pure functions over a block; the kernel owns one block per
//! process. Lengths are counted in UTF-16 units, as the W functions count characters.

use crate::error::Win32Error;
use std::cmp::Ordering;

/// Longest name or value `SetEnvironmentVariable` accepts, in UTF-16 units: a `UNICODE_STRING`
/// holds at most 0xFFFC bytes (`RtlInitUnicodeStringEx` refuses longer, `STATUS_NAME_TOO_LONG`
/// → 206). \[Inf\] from the spec's 32,767-character limit; Wine truncates instead.
pub const MAX_VARIABLE_UNITS: usize = 32766;

/// Characters as the W API counts them.
pub fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Splits an entry into name and value. The name ends at the first `=` after position 0, so
/// hidden drive variables like `=C:=C:\work` work. An entry without such `=` is all name.
pub fn split(entry: &str) -> (&str, &str) {
    match entry.char_indices().skip(1).find(|&(_, c)| c == '=') {
        Some((i, _)) => (&entry[..i], &entry[i + 1..]),
        None => (entry, ""),
    }
}

/// Case-insensitive ordinal comparison of names (each UTF-16 unit upper-cased as NT does,
/// [`crate::case`]; no locale).
pub fn compare_names(a: &str, b: &str) -> Ordering {
    let (a, b) = (crate::case::upcase(a), crate::case::upcase(b));
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The index of the variable `name` in `block`.
pub fn find(block: &[String], name: &str) -> Option<usize> {
    block
        .iter()
        .position(|entry| compare_names(split(entry).0, name) == Ordering::Equal)
}

/// The value of `name`, if set.
pub fn value<'a>(block: &'a [String], name: &str) -> Option<&'a str> {
    find(block, name).map(|i| split(&block[i]).1)
}

/// What `GetEnvironmentVariable(name, buf, size)` returns: the return value, the text copied
/// into the buffer (if any), and the error it sets (if any).
///
/// * found, length L, `size > L`: returns L, copies the value;
/// * found, `size <= L`: returns L + 1 (the size needed, with NUL), error untouched;
/// * empty value: returns 0 with error untouched (a size query returns 1);
/// * missing or empty name: 0, `ERROR_ENVVAR_NOT_FOUND`.
pub fn get(block: &[String], name: &str, size: u32) -> (u32, Option<String>, Option<Win32Error>) {
    if name.is_empty() {
        return (0, None, Some(Win32Error::EnvvarNotFound));
    }
    match value(block, name) {
        None => (0, None, Some(Win32Error::EnvvarNotFound)),
        Some(v) => {
            let len = units(v) as u32;
            if size > len {
                (len, Some(v.to_string()), None)
            } else {
                (len + 1, None, None)
            }
        }
    }
}

/// `SetEnvironmentVariable(name, value)`: replaces in place, deletes with `None`, or inserts
/// before the first entry whose name sorts after `name` (sorted insertion, as ReactOS and the
/// documentation expect; Wine appends).
pub fn set(block: &mut Vec<String>, name: &str, value: Option<&str>) -> Result<(), Win32Error> {
    if name.is_empty() || name.chars().skip(1).any(|c| c == '=') {
        return Err(Win32Error::InvalidParameter);
    }
    if units(name) > MAX_VARIABLE_UNITS || value.is_some_and(|v| units(v) > MAX_VARIABLE_UNITS) {
        return Err(Win32Error::FilenameExcedRange);
    }
    let existing = find(block, name);
    match (existing, value) {
        (Some(i), None) => {
            block.remove(i);
        }
        (None, None) => {}
        (Some(i), Some(v)) => block[i] = format!("{name}={v}"),
        (None, Some(v)) => {
            let at = block
                .iter()
                .position(|e| compare_names(split(e).0, name) == Ordering::Greater)
                .unwrap_or(block.len());
            block.insert(at, format!("{name}={v}"));
        }
    }
    Ok(())
}

/// `SetEnvironmentStrings`: every entry needs an `=` after position 0, otherwise 87.
pub fn validate_block(entries: &[String]) -> Result<(), Win32Error> {
    if entries.iter().all(|e| e.chars().skip(1).any(|c| c == '=')) {
        Ok(())
    } else {
        Err(Win32Error::InvalidParameter)
    }
}

/// The most characters `ExpandEnvironmentStrings` reads from `src` or writes to `dst`: both
/// travel as `UNICODE_STRING`s. kernelbase clamps `size` to `UNICODE_STRING_MAX_CHARS`
/// (32,767), and `RtlInitUnicodeString` cuts the source at 0xFFFC bytes (32,766 characters;
/// ReactOS and Wine alike). The documentation: "the size of the lpSrc and lpDst buffers is
/// limited to 32K".
pub const MAX_EXPAND_UNITS: usize = 32767;

/// `src` as `RtlInitUnicodeString` sees it: at most [`MAX_VARIABLE_UNITS`] UTF-16 units (a
/// character whose two units would straddle the cut is left out whole).
pub fn expand_source(src: &str) -> &str {
    let mut units = 0;
    for (i, c) in src.char_indices() {
        units += c.len_utf16();
        if units > MAX_VARIABLE_UNITS {
            return &src[..i];
        }
    }
    src
}

/// Expands `%NAME%` references once (not recursively). Unknown names and a lone `%` stay as
/// written. The whole result: for callers with no buffer limit (the shell's prompt).
pub fn expand_text(block: &[String], src: &str) -> String {
    expand_bounded(block, src, usize::MAX).1.unwrap_or_default()
}

/// Expands `src` and counts the result's UTF-16 units; the text is built only while it stays
/// within `limit` units (`None` past it), so a source of many long references costs its
/// count, not its expansion.
fn expand_bounded(block: &[String], src: &str, limit: usize) -> (usize, Option<String>) {
    let mut out = Some(String::new());
    let mut count = 0usize;
    let mut emit = |piece: &str| {
        count = count.saturating_add(units(piece));
        if count > limit {
            out = None;
        }
        if let Some(o) = out.as_mut() {
            o.push_str(piece);
        }
    };
    let mut rest = src;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('%') {
            match after.find('%') {
                Some(end) => {
                    let name = &after[..end];
                    match value(block, name).filter(|_| !name.is_empty()) {
                        Some(v) => emit(v),
                        None => emit(&rest[..end + 2]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    emit(rest);
                    rest = "";
                }
            }
        } else {
            let end = rest.find('%').unwrap_or(rest.len());
            emit(&rest[..end]);
            rest = &rest[end..];
        }
    }
    (count, out)
}

/// What `ExpandEnvironmentStrings(src, dst, size)` returns: the characters needed including
/// the NUL, on success and when `size` is too small (then with `ERROR_INSUFFICIENT_BUFFER`
/// and no text). Models the W function; the A version's "+1 when too small" is not modelled.
/// Both buffers are limited to 32K characters ([`MAX_EXPAND_UNITS`], [`expand_source`]): a
/// result that needs more than 32,767 characters never fits, whatever `size` says.
pub fn expand(block: &[String], src: &str, size: u32) -> (u32, Option<String>, Option<Win32Error>) {
    let size = (size as usize).min(MAX_EXPAND_UNITS);
    // The text is kept only if it fits the buffer with its NUL.
    let (count, text) = expand_bounded(block, expand_source(src), size.saturating_sub(1));
    let needed = u32::try_from(count.saturating_add(1)).unwrap_or(u32::MAX);
    match text {
        Some(text) if count < size => (needed, Some(text), None),
        _ => (needed, None, Some(Win32Error::InsufficientBuffer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn get_returns_length_without_nul_when_it_fits() {
        // spec §8: found, size > L: L; size <= L: L + 1, error untouched.
        let b = block(&["ORACLE_FOO=bar"]);
        assert_eq!(get(&b, "ORACLE_FOO", 100), (3, Some("bar".into()), None));
        assert_eq!(get(&b, "ORACLE_FOO", 4), (3, Some("bar".into()), None));
        assert_eq!(get(&b, "ORACLE_FOO", 3), (4, None, None));
        assert_eq!(get(&b, "ORACLE_FOO", 1), (4, None, None));
        assert_eq!(get(&b, "ORACLE_FOO", 0), (4, None, None));
    }

    #[test]
    fn get_is_case_insensitive_and_reports_missing() {
        let b = block(&["ORACLE_FOO=bar"]);
        assert_eq!(get(&b, "oracle_foo", 100).0, 3);
        assert_eq!(get(&b, "Oracle_Foo", 100).0, 3);
        assert_eq!(
            get(&b, "ORACLE_MISSING", 100),
            (0, None, Some(Win32Error::EnvvarNotFound))
        );
        assert_eq!(get(&b, "", 100), (0, None, Some(Win32Error::EnvvarNotFound)));
    }

    #[test]
    fn empty_value_returns_zero_without_error_and_one_for_a_size_query() {
        let b = block(&["ORACLE_EMPTY="]);
        assert_eq!(get(&b, "ORACLE_EMPTY", 10), (0, Some(String::new()), None));
        assert_eq!(get(&b, "ORACLE_EMPTY", 0), (1, None, None));
    }

    #[test]
    fn expand_respects_the_32k_buffers() {
        // spec §8 "Buffers are limited to 32 K characters": the destination is clamped to
        // 32,767 characters, the source cut at 32,766.
        let long = "x".repeat(MAX_VARIABLE_UNITS);
        let b = vec![format!("X={long}")];
        // One reference fills the buffer exactly (32,766 + NUL).
        let (ret, text, error) = expand(&b, "%X%", u32::MAX);
        assert_eq!((ret, error), (32767, None));
        assert_eq!(text.as_deref().map(str::len), Some(MAX_VARIABLE_UNITS));
        // Three need 98,299 characters: never fits, whatever the size says; no text is built.
        assert_eq!(
            expand(&b, "%X%%X%%X%", u32::MAX),
            (98299, None, Some(Win32Error::InsufficientBuffer))
        );
        // A source longer than 32,766 characters is read up to the cut.
        let src = "y".repeat(40_000);
        let (ret, text, error) = expand(&[], &src, 50_000);
        assert_eq!((ret, error, text.map(|t| t.len())), (32767, None, Some(32766)));
        // A character of two UTF-16 units straddling the cut is left out whole.
        let src = format!("{}\u{1F600}", "z".repeat(MAX_VARIABLE_UNITS - 1));
        assert_eq!(expand_source(&src).len(), MAX_VARIABLE_UNITS - 1);
        // Without a limit (the shell's prompt) the whole expansion is given.
        assert_eq!(expand_text(&b, "%X%%X%").len(), 2 * MAX_VARIABLE_UNITS);
    }

    #[test]
    fn set_inserts_sorted_replaces_and_deletes() {
        // spec §8 and §11.8: sorted insert, case-insensitive names.
        let mut b = Vec::new();
        for name in ["ZZZ", "AAA", "MMM"] {
            set(&mut b, name, Some("1")).unwrap();
        }
        assert_eq!(b, block(&["AAA=1", "MMM=1", "ZZZ=1"]));
        set(&mut b, "mmm", Some("2")).unwrap();
        assert_eq!(b, block(&["AAA=1", "mmm=2", "ZZZ=1"]));
        set(&mut b, "MMM", None).unwrap();
        assert_eq!(b, block(&["AAA=1", "ZZZ=1"]));
        set(&mut b, "NEVER_SET", None).unwrap();
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn set_refuses_bad_names() {
        let mut b = Vec::new();
        assert_eq!(set(&mut b, "A=B", Some("x")), Err(Win32Error::InvalidParameter));
        assert_eq!(set(&mut b, "", Some("z")), Err(Win32Error::InvalidParameter));
        set(&mut b, "=HIDDEN", Some("y")).unwrap();
        assert_eq!(get(&b, "=HIDDEN", 10).0, 1);
        let long = "x".repeat(MAX_VARIABLE_UNITS + 1);
        assert_eq!(set(&mut b, "LONG", Some(&long)), Err(Win32Error::FilenameExcedRange));
        assert!(b.len() == 1, "a failed set changes nothing");
    }

    #[test]
    fn hidden_drive_variables_sort_first() {
        let mut b = block(&["A=1"]);
        set(&mut b, "=C:", Some("C:\\work")).unwrap();
        assert_eq!(b[0], "=C:=C:\\work");
        assert_eq!(split(&b[0]), ("=C:", "C:\\work"));
    }

    #[test]
    fn expand_needs_room_for_the_nul_even_for_an_empty_result() {
        // spec §8: the return value counts the NUL; a buffer of 0 holds nothing, not even
        // an empty string's terminator.
        let b = block(&["A=xy"]);
        assert_eq!(expand(&b, "", 0), (1, None, Some(Win32Error::InsufficientBuffer)));
        assert_eq!(expand(&b, "", 1), (1, Some(String::new()), None));
        assert_eq!(expand(&b, "%A%", 2), (3, None, Some(Win32Error::InsufficientBuffer)));
        assert_eq!(expand(&b, "%A%", 3), (3, Some("xy".into()), None));
    }

    #[test]
    fn expand_is_single_pass_and_keeps_unknown_names() {
        let b = block(&["ORACLE_X=val", "REC=%ORACLE_X%"]);
        assert_eq!(
            expand(&b, "<%ORACLE_X%|%ORACLE_NOPE%>", 100),
            (20, Some("<val|%ORACLE_NOPE%>".into()), None)
        );
        assert_eq!(expand_text(&b, "%REC%"), "%ORACLE_X%");
        assert_eq!(expand_text(&b, "100% sure"), "100% sure");
        assert_eq!(expand_text(&b, "%%"), "%%");
        assert_eq!(
            expand(&b, "%ORACLE_X%", 2),
            (4, None, Some(Win32Error::InsufficientBuffer))
        );
        assert_eq!(expand(&b, "%ORACLE_X%", 4).0, 4);
    }

    #[test]
    fn set_environment_strings_needs_an_equals_sign_after_position_zero() {
        assert!(validate_block(&block(&["A=1", "=C:=C:\\"])).is_ok());
        assert_eq!(validate_block(&block(&["A"])), Err(Win32Error::InvalidParameter));
        assert_eq!(validate_block(&block(&["=A"])), Err(Win32Error::InvalidParameter));
        assert_eq!(split("one=two=three"), ("one", "two=three"));
    }
}
