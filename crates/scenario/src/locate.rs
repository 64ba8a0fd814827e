//! Finds where a JSON path (`steps[3].args.handle`) starts in the source text, as a 1-based
//! line and column, so load errors can point at the spot. A small scanner over already-valid
//! JSON: it never fails on text `serde_json` accepted, and returns `None` for a path that is
//! not there.

use std::borrow::Cow;
use std::fmt;

/// One step of a JSON path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// An object member (most keys are the format's own, so borrowed).
    Key(Cow<'static, str>),
    /// An array element.
    Index(usize),
}

/// A JSON path, shown as `steps[3].args.handle`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonPath(pub Vec<Seg>);

impl JsonPath {
    /// The path with one more member.
    pub fn key(&self, k: impl Into<Cow<'static, str>>) -> JsonPath {
        let mut p = Vec::with_capacity(self.0.len() + 1);
        p.extend_from_slice(&self.0);
        p.push(Seg::Key(k.into()));
        JsonPath(p)
    }

    /// The path with one more index.
    pub fn index(&self, i: usize) -> JsonPath {
        let mut p = Vec::with_capacity(self.0.len() + 1);
        p.extend_from_slice(&self.0);
        p.push(Seg::Index(i));
        JsonPath(p)
    }

    /// Parses `serde_path_to_error`'s rendering (`steps[3].args.handle`, `.` for the root).
    pub fn parse(text: &str) -> JsonPath {
        let mut segs = Vec::new();
        for part in text.split('.') {
            if part.is_empty() {
                continue;
            }
            let (name, rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !name.is_empty() {
                segs.push(Seg::Key(name.to_string().into()));
            }
            for idx in rest.split('[').filter(|s| !s.is_empty()) {
                if let Ok(i) = idx.trim_end_matches(']').parse() {
                    segs.push(Seg::Index(i));
                }
            }
        }
        JsonPath(segs)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return write!(f, "(top level)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Option<String> {
        let start = self.pos + 1;
        self.pos += 1;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => self.pos += 2,
                b'"' => {
                    let raw = std::str::from_utf8(&self.bytes[start - 1..=self.pos]).ok()?;
                    self.pos += 1;
                    return serde_json::from_str(raw).ok();
                }
                _ => self.pos += 1,
            }
        }
        None
    }

    /// Skips a string without decoding it.
    fn skip_string(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            match *self.bytes.get(self.pos)? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skips one value; when `path` is non-empty, descends into it and returns the offset of
    /// the value the path names.
    fn value(&mut self, path: &[Seg]) -> Option<Option<usize>> {
        self.ws();
        let here = self.pos;
        if path.is_empty() {
            self.skip()?;
            return Some(Some(here));
        }
        match (self.bytes.get(self.pos)?, &path[0]) {
            (b'{', Seg::Key(want)) => {
                self.pos += 1;
                let mut found = None;
                loop {
                    self.ws();
                    match self.bytes.get(self.pos)? {
                        b'}' => {
                            self.pos += 1;
                            return Some(found);
                        }
                        b',' => self.pos += 1,
                        b'"' => {
                            let key = self.string()?;
                            self.ws();
                            self.pos += 1; // ':'
                            if &key == want && found.is_none() {
                                found = self.value(&path[1..])?;
                            } else {
                                self.value(&[])?;
                            }
                        }
                        _ => return None,
                    }
                }
            }
            (b'[', Seg::Index(want)) => {
                self.pos += 1;
                let mut found = None;
                let mut i = 0;
                loop {
                    self.ws();
                    match self.bytes.get(self.pos)? {
                        b']' => {
                            self.pos += 1;
                            return Some(found);
                        }
                        b',' => {
                            self.pos += 1;
                            i += 1;
                        }
                        _ => {
                            if i == *want {
                                found = self.value(&path[1..])?;
                            } else {
                                self.value(&[])?;
                            }
                        }
                    }
                }
            }
            _ => {
                self.skip()?;
                Some(None)
            }
        }
    }

    fn skip(&mut self) -> Option<()> {
        self.ws();
        match self.bytes.get(self.pos)? {
            b'"' => self.skip_string()?,
            b'{' | b'[' => {
                let close = if self.bytes[self.pos] == b'{' { b'}' } else { b']' };
                self.pos += 1;
                loop {
                    self.ws();
                    match *self.bytes.get(self.pos)? {
                        c if c == close => {
                            self.pos += 1;
                            break;
                        }
                        b',' | b':' => self.pos += 1,
                        _ => self.skip()?,
                    }
                }
            }
            _ => {
                let start = self.pos;
                while self.pos < self.bytes.len() && !b",]} \t\r\n".contains(&self.bytes[self.pos]) {
                    self.pos += 1;
                }
                // A closer where a value should be: not JSON. Give up rather than loop.
                if self.pos == start {
                    return None;
                }
            }
        }
        Some(())
    }
}

/// Line and column (1-based, columns in characters) where `path` starts in `text`.
pub fn locate(text: &str, path: &JsonPath) -> Option<(usize, usize)> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let offset = scanner.value(&path.0)??;
    Some(line_col(text, offset))
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_members_and_elements() {
        let text = "{\n  \"a\": 1,\n  \"steps\": [\n    {\"x\": 2},\n    {\"args\": {\"handle\": \"h\"}}\n  ]\n}";
        assert_eq!(locate(text, &JsonPath::parse("steps[1].args.handle")), Some((5, 25)));
        assert_eq!(locate(text, &JsonPath::parse("steps[0]")), Some((4, 5)));
        assert_eq!(locate(text, &JsonPath::parse("a")), Some((2, 8)));
        assert_eq!(locate(text, &JsonPath::parse("steps[7]")), None);
        assert_eq!(locate(text, &JsonPath::default()), Some((1, 1)));
    }

    #[test]
    fn text_that_is_not_json_ends_the_scan() {
        // Found by the scenario fuzzer: a stray closer made the scan loop for ever.
        for text in ["{\"a\": [1, }", "{\"steps\": [{\"x\": ]}]}", "[}", "{\"a\" 1]"] {
            let _ = locate(text, &JsonPath::parse("steps[1].args.x"));
            let _ = locate(text, &JsonPath::parse("a[3]"));
        }
    }

    #[test]
    fn paths_print_and_parse() {
        let p = JsonPath::default().key("steps").index(3).key("args");
        assert_eq!(p.to_string(), "steps[3].args");
        assert_eq!(JsonPath::parse("steps[3].args"), p);
    }

    #[test]
    fn escaped_quotes_and_unicode_do_not_confuse_it() {
        let text = "{\"k\\\"ey\": \"한국\", \"b\": [\"]\", {\"c\": 3}]}";
        assert_eq!(locate(text, &JsonPath::parse("b[1].c")), Some((1, 34)));
    }
}
