//! The active ANSI code page of the A functions (`GetEnvironmentVariableA`, ...): what text an
//! A caller sees and how many bytes it takes. Default 949, the Korean ANSI code page (Unified
//! Hangul Code), where a Hangul syllable takes two bytes but one UTF-16 unit.
//!
//! The tables are `encoding_rs`'s (the WHATWG encodings: its `EUC-KR` is Windows' 949 with the
//! UHC extension, its `Shift_JIS` 932, `GBK` 936, `Big5` 950). A character the code page cannot
//! represent becomes `?` (`WideCharToMultiByte`'s default character; Windows' best-fit mappings,
//! such as `ā` → `a` in 1252, are not modelled) \[choice\].

use encoding_rs::Encoding;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An ANSI code page by its Windows number.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "u32", into = "u32")]
pub struct CodePage(u32);

impl Default for CodePage {
    fn default() -> CodePage {
        CodePage::KOREAN
    }
}

impl CodePage {
    /// 949, the Korean ANSI code page (the default).
    pub const KOREAN: CodePage = CodePage(949);
    /// 1252, Western European.
    pub const WESTERN: CodePage = CodePage(1252);

    /// The code pages the model knows, by number.
    pub const SUPPORTED: &'static [u32] = &[
        874, 932, 936, 949, 950, 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258, 65001,
    ];

    /// The code page with this number, if the model knows it.
    pub fn new(id: u32) -> Option<CodePage> {
        CodePage::SUPPORTED.contains(&id).then_some(CodePage(id))
    }

    /// Its Windows number.
    pub fn id(self) -> u32 {
        self.0
    }

    fn encoding(self) -> &'static Encoding {
        use encoding_rs::*;
        match self.0 {
            874 => WINDOWS_874,
            932 => SHIFT_JIS,
            936 => GBK,
            949 => EUC_KR,
            950 => BIG5,
            1250 => WINDOWS_1250,
            1251 => WINDOWS_1251,
            1253 => WINDOWS_1253,
            1254 => WINDOWS_1254,
            1255 => WINDOWS_1255,
            1256 => WINDOWS_1256,
            1257 => WINDOWS_1257,
            1258 => WINDOWS_1258,
            65001 => UTF_8,
            _ => WINDOWS_1252,
        }
    }

    /// The bytes `c` takes in this code page (`None`: it has no mapping here).
    fn char_len(self, c: char) -> Option<usize> {
        if c.is_ascii() {
            return Some(1);
        }
        let mut buf = [0u8; 4];
        let (bytes, _, unmappable) = self.encoding().encode(c.encode_utf8(&mut buf));
        (!unmappable).then_some(bytes.len())
    }

    /// The text as an A caller has it: every character without a mapping is `?`. Borrowed
    /// when nothing changes (the common, ASCII case).
    pub fn to_ansi(self, text: &str) -> std::borrow::Cow<'_, str> {
        if text.chars().all(|c| self.char_len(c).is_some()) {
            return text.into();
        }
        text.chars()
            .map(|c| if self.char_len(c).is_some() { c } else { '?' })
            .collect::<String>()
            .into()
    }

    /// The length of `text` in bytes of this code page, without a NUL (an unmappable
    /// character counts as its `?`).
    pub fn byte_len(self, text: &str) -> usize {
        text.chars().map(|c| self.char_len(c).unwrap_or(1)).sum()
    }
}

impl TryFrom<u32> for CodePage {
    type Error = String;

    fn try_from(id: u32) -> Result<CodePage, String> {
        CodePage::new(id).ok_or_else(|| {
            let known: Vec<String> = CodePage::SUPPORTED.iter().map(u32::to_string).collect();
            format!("unknown code page {id}; known: {}", known.join(", "))
        })
    }
}

impl From<CodePage> for u32 {
    fn from(cp: CodePage) -> u32 {
        cp.0
    }
}

impl fmt::Display for CodePage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangul_takes_two_bytes_in_949_and_one_utf16_unit() {
        let cp = CodePage::KOREAN;
        assert_eq!(cp.byte_len("abc"), 3);
        assert_eq!(cp.byte_len("한글"), 4);
        assert_eq!("한글".encode_utf16().count(), 2);
        // A character outside KS X 1001 and UHC: the default character.
        assert_eq!(cp.to_ansi("a€😀"), "a€?");
        assert_eq!(cp.byte_len("😀"), 1);
    }

    #[test]
    fn each_code_page_writes_its_own_script() {
        // A letter of each code page's script, with the bytes it takes there; Western
        // (1252) has none of them, so an A caller there gets the default character.
        let cases = [
            (874, "ก", 1),
            (932, "あ", 2),
            (936, "简", 2),
            (949, "한", 2),
            (950, "體", 2),
            (1250, "ő", 1),
            (1251, "ж", 1),
            (1253, "λ", 1),
            (1254, "ğ", 1),
            (1255, "א", 1),
            (1256, "ع", 1),
            (1257, "ū", 1),
            (1258, "ư", 1),
            (65001, "ư", 2),
        ];
        for (id, letter, bytes) in cases {
            let cp = CodePage::new(id).unwrap();
            assert_eq!(cp.to_ansi(letter), letter, "{id} writes {letter}");
            assert_eq!(cp.byte_len(letter), bytes, "{letter} in {id}");
            assert_eq!(CodePage::WESTERN.to_ansi(letter), "?", "1252 has no {letter}");
        }
    }

    #[test]
    fn other_code_pages() {
        let w = CodePage::WESTERN;
        assert_eq!(w.to_ansi("café 한"), "café ?");
        assert_eq!(w.byte_len("café"), 4);
        let utf8 = CodePage::new(65001).unwrap();
        assert_eq!(utf8.byte_len("한"), 3);
        assert!(CodePage::new(12345).is_none());
        assert_eq!(CodePage::KOREAN.to_string(), "949", "shown as its Windows number");
        assert_eq!(u32::from(CodePage::WESTERN), 1252);
        assert_eq!(serde_json::from_str::<CodePage>("932").unwrap().id(), 932);
        assert!(serde_json::from_str::<CodePage>("7").is_err());
    }
}
