//! Message catalogs: every sentence the renderers, the CLI and the shell show comes from one
//! Fluent file per language (`crates/scenario/i18n/<id>.ftl`), embedded at build time by
//! `build.rs`. A language is a catalog: `Lang::from_id` finds any embedded one, so adding a
//! language is adding a file. A message missing from a catalog falls back to English; a test
//! checks that every catalog has every key of every other.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

/// One loaded catalog.
struct Catalog {
    id: &'static str,
    bundle: FluentBundle<FluentResource>,
    /// Messages without placeables, formatted once (so `Lang::t` can lend them out).
    plain: BTreeMap<String, String>,
    /// Every message id, for the completeness test.
    keys: Vec<String>,
}

fn catalogs() -> &'static [Catalog] {
    static CATALOGS: OnceLock<Vec<Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|&(id, source)| {
                // The catalogs are part of the program: a syntax error in one is a build
                // defect, caught by the catalog tests before it ships.
                let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
                let keys: Vec<String> = resource
                    .entries()
                    .filter_map(|e| match e {
                        fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                        _ => None,
                    })
                    .collect();
                let langid = id.parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![langid]);
                bundle.set_use_isolating(false);
                let _ = bundle.add_resource(resource);
                let mut plain = BTreeMap::new();
                for k in &keys {
                    if let Some(p) = bundle.get_message(k).and_then(|m| m.value()) {
                        let mut errors = Vec::new();
                        let text = bundle.format_pattern(p, None, &mut errors);
                        if errors.is_empty() {
                            plain.insert(k.clone(), text.into_owned());
                        }
                    }
                }
                Catalog {
                    id,
                    bundle,
                    plain,
                    keys,
                }
            })
            .collect()
    })
}

/// An output language: the id of an embedded catalog (`"en"`, `"ko"`, ...).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lang(&'static str);

#[allow(non_upper_case_globals)]
impl Lang {
    /// English, the catalog every other falls back to.
    pub const En: Lang = Lang("en");
    /// Korean, the language of the source textbook.
    pub const Ko: Lang = Lang("ko");

    /// The language of the catalog `id`, if one is embedded.
    pub fn from_id(id: &str) -> Option<Lang> {
        catalogs()
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(id))
            .map(|c| Lang(c.id))
    }

    /// Every embedded language, by id.
    pub fn all() -> impl Iterator<Item = Lang> {
        catalogs().iter().map(|c| Lang(c.id))
    }

    /// Its id (`"en"`).
    pub fn id(self) -> &'static str {
        self.0
    }

    fn catalog(self) -> Option<&'static Catalog> {
        catalogs().iter().find(|c| c.id == self.0)
    }

    /// A message without arguments (falling back to English, then to the key).
    pub fn t(self, key: &'static str) -> &'static str {
        self.plain(key).unwrap_or(key)
    }

    /// An argument's name (`handle`) in this language: the catalog's `arg-<name>`, falling
    /// back to English, then to the canonical name itself.
    pub fn arg(self, name: &'static str) -> &'static str {
        self.plain(&format!("arg-{name}")).unwrap_or(name)
    }

    /// A message without placeables, from this catalog or else English's.
    fn plain(self, key: &str) -> Option<&'static str> {
        let found = |l: Lang| l.catalog().and_then(|c| c.plain.get(key)).map(String::as_str);
        found(self).or_else(|| found(Lang::En))
    }

    /// A message with named arguments (`{ $name }` in the catalog).
    pub fn f(self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            fargs.set(*name, value.to_string());
        }
        for l in [self, Lang::En] {
            if let Some(c) = l.catalog() {
                if let Some(p) = c.bundle.get_message(key).and_then(|m| m.value()) {
                    let mut errors = Vec::new();
                    return c.bundle.format_pattern(p, Some(&fargs), &mut errors).into_owned();
                }
            }
        }
        key.to_string()
    }

    /// The message ids of this language's catalog.
    pub fn keys(self) -> &'static [String] {
        self.catalog().map_or(&[], |c| &c.keys[..])
    }

    /// Whether this language's catalog parses with no Fluent syntax error.
    pub fn parses(self) -> bool {
        SOURCES
            .iter()
            .find(|(id, _)| *id == self.0)
            .is_some_and(|(_, s)| FluentResource::try_new(s.to_string()).is_ok())
    }
}

/// A message as data: a catalog key and its arguments, worded when shown
/// ([`Message::text`]). Text with no catalog entry (another library's words) is
/// [`Message::raw`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The catalog key.
    pub key: &'static str,
    /// Its arguments, by name.
    pub args: Vec<(&'static str, Arg)>,
}

/// An argument of a [`Message`]: text (a value, a name), or a message of its own, worded in
/// the same language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is.
    Text(String),
    /// Worded in the message's language.
    Msg(Box<Message>),
}

impl Message {
    /// The message `key` with `args`.
    pub fn new(key: &'static str, args: &[(&'static str, &dyn Display)]) -> Message {
        Message {
            key,
            args: args.iter().map(|(n, v)| (*n, Arg::Text(v.to_string()))).collect(),
        }
    }

    /// The same message with one more argument that is itself a message.
    pub fn with(mut self, name: &'static str, message: Message) -> Message {
        self.args.push((name, Arg::Msg(Box::new(message))));
        self
    }

    /// Text shown as it is, in every language.
    pub fn raw(text: impl Into<String>) -> Message {
        Message {
            key: "raw-text",
            args: vec![("text", Arg::Text(text.into()))],
        }
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let args: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(n, a)| {
                let v = match a {
                    Arg::Text(t) => t.clone(),
                    Arg::Msg(m) => m.text(lang),
                };
                (*n, v)
            })
            .collect();
        let refs: Vec<(&str, &dyn Display)> = args.iter().map(|(n, v)| (*n, v as &dyn Display)).collect();
        lang.f(self.key, &refs)
    }
}

impl std::fmt::Display for Message {
    /// The message in English.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        Message::raw(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Message {
        Message::raw(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_parses_and_has_every_key_of_every_other() {
        let all: Vec<Lang> = Lang::all().collect();
        assert!(all.contains(&Lang::En) && all.contains(&Lang::Ko), "{all:?}");
        for l in &all {
            assert!(l.parses(), "catalog {} has a syntax error", l.id());
        }
        for a in &all {
            for b in &all {
                let missing: Vec<&String> = b.keys().iter().filter(|k| !a.keys().contains(k)).collect();
                assert!(
                    missing.is_empty(),
                    "catalog {} lacks keys of {}: {missing:?}",
                    a.id(),
                    b.id()
                );
            }
        }
    }

    #[test]
    fn every_argument_of_every_call_is_worded_in_every_language_and_told_apart() {
        use kernsim_kernel::CallName;
        for l in Lang::all() {
            let has = |name: &str| l.keys().iter().any(|k| k.strip_prefix("arg-") == Some(name));
            for f in crate::load::NESTED_FIELDS {
                assert!(has(f), "catalog {} lacks arg-{f}", l.id());
            }
            for call in CallName::ALL {
                let mut words = Vec::new();
                for &a in call.arguments() {
                    assert!(has(a), "catalog {} lacks arg-{a} ({})", l.id(), call.as_str());
                    words.push(l.arg(a));
                }
                words.sort_unstable();
                words.dedup();
                assert_eq!(
                    words.len(),
                    call.arguments().len(),
                    "{} words two arguments of {} alike",
                    l.id(),
                    call.as_str()
                );
            }
        }
        // English says each name as the JSON spells it (the English lines read as written).
        for call in CallName::ALL {
            for &a in call.arguments() {
                assert_eq!(Lang::En.arg(a), a);
            }
        }
        assert_eq!(Lang::Ko.arg("wait_all"), "모두 대기");
        assert_eq!(Lang::Ko.arg("no_such_argument"), "no_such_argument");
    }

    #[test]
    fn messages_fall_back_to_english_and_to_the_key() {
        assert_eq!(Lang::En.t("no-such-key-anywhere"), "no-such-key-anywhere");
        assert_eq!(Lang::from_id("EN"), Some(Lang::En));
        assert_eq!(Lang::from_id("xx"), None);
    }
}
