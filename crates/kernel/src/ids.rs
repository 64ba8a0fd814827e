//! Typed ids where plain integers were confused: process ids ([`Pid`]), thread ids ([`Tid`])
//! and objects' display addresses ([`Address`]). Each is its number in JSON (`serde`
//! transparent); Win32 values that are `DWORD`s by definition (`GetCurrentProcessId`'s
//! return, `PROCESS_INFORMATION.dwProcessId`, `PROCESSENTRY32`) stay `u32`.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id {
    ($(#[$m:meta])* $name:ident($repr:ty), $fmt:literal) => {
        $(#[$m])*
        #[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(pub $repr);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, $fmt, self.0)
            }
        }

        impl From<$name> for $repr {
            fn from(id: $name) -> $repr {
                id.0
            }
        }
    };
}

id!(
    /// A process id. Pids and tids come from one counter (as in NT's client-id table), so a
    /// `Pid` and a `Tid` never have the same number at once.
    Pid(u32),
    "{}"
);
id!(
    /// A thread id.
    Tid(u32),
    "{}"
);
id!(
    /// An object's display address (`0x1000`, `0x1100`, ...), kernsim's stable name for an
    /// object in traces; shown in hex. 64 bits wide, so addresses never repeat.
    Address(u64),
    "{:#x}"
);

impl fmt::LowerHex for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}
