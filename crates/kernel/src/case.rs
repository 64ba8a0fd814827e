//! NT's case-insensitive names: every name the kernel compares without case (environment
//! variables, pipe, mailslot and file names) is compared by this one rule.
//!
//! NT upper-cases a name one UTF-16 unit at a time (`RtlUpcaseUnicodeChar`, the simple case
//! mapping of its casing table), never expanding a character: `ß` stays `ß` (so `straße` and
//! `STRASSE` are two names), and a character outside the BMP, two surrogate units, is never
//! changed. \[choice\]: Rust's own simple mappings stand in for NT's table (they agree on the
//! letters of the scripts that have case); the spec says only "case-insensitively".

/// One character as NT upper-cases it: its single-character uppercase when there is one in
/// the BMP, else itself.
pub fn upcase_char(c: char) -> char {
    if u32::from(c) > 0xFFFF {
        return c;
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if u32::from(u) <= 0xFFFF => u,
        _ => c,
    }
}

/// A name as NT upper-cases it (the key under which a case-insensitive name is found).
pub fn upcase(name: &str) -> String {
    if name.is_ascii() {
        return name.to_ascii_uppercase();
    }
    name.chars().map(upcase_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_unit_at_a_time_and_never_longer() {
        assert_eq!(upcase("Path"), "PATH");
        assert_eq!(upcase("ärger"), "ÄRGER");
        assert_eq!(upcase("straße"), "STRAßE", "ß has no one-character uppercase");
        assert_eq!(upcase("ŉ"), "ŉ", "its uppercase is two characters");
        assert_eq!(upcase("𐐨"), "𐐨", "outside the BMP: two surrogate units, unchanged");
        assert_eq!(upcase("한글"), "한글");
    }
}
