//! Win32 error codes (`GetLastError` values) with their real numbers, shown by name.
//!
//! Reference: "System Error Codes (0-499)" and "(500-999)" on Microsoft Learn. Only the codes
//! the model can produce are named; each keeps its Win32 number as the discriminant. Any other
//! 32-bit value (what `SetLastError` may store) is [`Win32Error::Other`], shown as its number.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! win32_errors {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal => $name:literal, )*) => {
        /// A Win32 error code, as `GetLastError` returns it.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u32)]
        pub enum Win32Error {
            $( $(#[$doc])* $variant = $code, )*
            /// A value the model has no name for (only [`Win32Error::of`] makes one, so a
            /// named code is never `Other`).
            Other(UnknownCode),
        }

        impl Win32Error {
            /// Every error the model names, in numeric order.
            pub const ALL: &'static [Win32Error] = &[ $( Win32Error::$variant, )* ];

            /// The Win32 number (`ERROR_INVALID_HANDLE` is 6).
            pub const fn code(self) -> u32 {
                match self { $( Win32Error::$variant => $code, )* Win32Error::Other(c) => c.0 }
            }

            /// The Win32 name (`"ERROR_INVALID_HANDLE"`); `None` for [`Win32Error::Other`].
            pub const fn known_name(self) -> Option<&'static str> {
                match self { $( Win32Error::$variant => Some($name), )* Win32Error::Other(_) => None }
            }

            /// The error with this number, if the model names it.
            pub fn from_code(code: u32) -> Option<Win32Error> {
                match code { $( $code => Some(Win32Error::$variant), )* _ => None }
            }

            /// The error with this name (`ERROR_` prefix optional, case-insensitive).
            pub fn from_name(name: &str) -> Option<Win32Error> {
                let upper = name.trim().to_ascii_uppercase();
                let full = if upper.starts_with("ERROR_") || upper == "NO_ERROR" {
                    upper
                } else {
                    format!("ERROR_{upper}")
                };
                match full.as_str() {
                    "NO_ERROR" => Some(Win32Error::Success),
                    $( $name => Some(Win32Error::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

win32_errors! {
    /// 0: no error.
    Success = 0 => "ERROR_SUCCESS",
    /// 1: the function is not valid for this object (a pipe client cannot listen).
    InvalidFunction = 1 => "ERROR_INVALID_FUNCTION",
    /// 2: no such file, pipe, mailslot or named object.
    FileNotFound = 2 => "ERROR_FILE_NOT_FOUND",
    /// 3: a directory on the path does not exist.
    PathNotFound = 3 => "ERROR_PATH_NOT_FOUND",
    /// 5: the handle lacks the access right, or the object refuses the operation.
    AccessDenied = 5 => "ERROR_ACCESS_DENIED",
    /// 6: the handle value names no row of the caller's table, or an object of the wrong type.
    InvalidHandle = 6 => "ERROR_INVALID_HANDLE",
    /// 18: `Process32Next` past the last entry.
    NoMoreFiles = 18 => "ERROR_NO_MORE_FILES",
    /// 24: a structure size (`dwSize`) is wrong.
    BadLength = 24 => "ERROR_BAD_LENGTH",
    /// 31: a device attached to the system is not functioning (`UpdateProcThreadAttribute` on
    /// a full attribute list).
    GenFailure = 31 => "ERROR_GEN_FAILURE",
    /// 32: the file is open elsewhere with a share mode that excludes this access.
    SharingViolation = 32 => "ERROR_SHARING_VIOLATION",
    /// 38: reached the end of the file.
    HandleEof = 38 => "ERROR_HANDLE_EOF",
    /// 50: the request is not supported (an attribute the model does not implement).
    NotSupported = 50 => "ERROR_NOT_SUPPORTED",
    /// 80: `CREATE_NEW` on an existing file.
    FileExists = 80 => "ERROR_FILE_EXISTS",
    /// 87: a parameter is out of range or contradicts another.
    InvalidParameter = 87 => "ERROR_INVALID_PARAMETER",
    /// 109: every handle to the other end of the pipe is closed.
    BrokenPipe = 109 => "ERROR_BROKEN_PIPE",
    /// 120: the call is not implemented for these arguments.
    CallNotImplemented = 120 => "ERROR_CALL_NOT_IMPLEMENTED",
    /// 121: a timeout passed (`WaitNamedPipe`, mailslot reads).
    SemTimeout = 121 => "ERROR_SEM_TIMEOUT",
    /// 122: the buffer is too small for the data.
    InsufficientBuffer = 122 => "ERROR_INSUFFICIENT_BUFFER",
    /// 123: the name has the wrong syntax (a pipe name outside `\\.\pipe\`).
    InvalidName = 123 => "ERROR_INVALID_NAME",
    /// 156: `SuspendThread` would take a suspend count past `MAXIMUM_SUSPEND_COUNT`
    /// (`STATUS_SUSPEND_COUNT_EXCEEDED`).
    SignalRefused = 156 => "ERROR_SIGNAL_REFUSED",
    /// 161: the path syntax is bad.
    BadPathname = 161 => "ERROR_BAD_PATHNAME",
    /// 183: the named object already exists (also set on some successes).
    AlreadyExists = 183 => "ERROR_ALREADY_EXISTS",
    /// 203: no environment variable by that name.
    EnvvarNotFound = 203 => "ERROR_ENVVAR_NOT_FOUND",
    /// 206: a name is too long.
    FilenameExcedRange = 206 => "ERROR_FILENAME_EXCED_RANGE",
    /// 230: the pipe state is wrong for the call (peek on a listening pipe, transact in byte mode).
    BadPipe = 230 => "ERROR_BAD_PIPE",
    /// 231: every instance of the pipe is busy.
    PipeBusy = 231 => "ERROR_PIPE_BUSY",
    /// 232: the pipe is being closed (the reader is gone) or a nonblocking read found no data.
    NoData = 232 => "ERROR_NO_DATA",
    /// 233: no process is on the other end (after `DisconnectNamedPipe`).
    PipeNotConnected = 233 => "ERROR_PIPE_NOT_CONNECTED",
    /// 234: more data is available (a message longer than the buffer).
    MoreData = 234 => "ERROR_MORE_DATA",
    /// 267: the directory name is invalid.
    Directory = 267 => "ERROR_DIRECTORY",
    /// 288: `ReleaseMutex` by a thread that does not own the mutex.
    NotOwner = 288 => "ERROR_NOT_OWNER",
    /// 298: `ReleaseSemaphore` would take the count past its maximum.
    TooManyPosts = 298 => "ERROR_TOO_MANY_POSTS",
    /// 535: a client connected before `ConnectNamedPipe` (a success in disguise).
    PipeConnected = 535 => "ERROR_PIPE_CONNECTED",
    /// 536: the server end is waiting for a client.
    PipeListening = 536 => "ERROR_PIPE_LISTENING",
    /// 587: a wait would acquire a mutex past its recursion limit (`MINLONG` times).
    MutantLimitExceeded = 587 => "ERROR_MUTANT_LIMIT_EXCEEDED",
    /// 995: the I/O was aborted.
    OperationAborted = 995 => "ERROR_OPERATION_ABORTED",
    /// 997: overlapped I/O is in progress.
    IoPending = 997 => "ERROR_IO_PENDING",
    /// 998: invalid access to a memory location (`ReadFile` into a `NULL` buffer).
    NoAccess = 998 => "ERROR_NOACCESS",
    /// 1450: a table is full.
    NoSystemResources = 1450 => "ERROR_NO_SYSTEM_RESOURCES",
    /// 1784: the supplied user buffer is not valid (`WriteFile` from a `NULL` buffer).
    InvalidUserBuffer = 1784 => "ERROR_INVALID_USER_BUFFER",
}

/// A 32-bit error value the model has no name for (`SetLastError(12345)`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnknownCode(u32);

impl Win32Error {
    /// The error with this number: a named one when the model names it, else
    /// [`Win32Error::Other`].
    pub fn of(code: u32) -> Win32Error {
        Win32Error::from_code(code).unwrap_or(Win32Error::Other(UnknownCode(code)))
    }

    /// The Win32 name (`"ERROR_INVALID_HANDLE"`), or the number in decimal for a value the
    /// model has no name for.
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        match self.known_name() {
            Some(name) => name.into(),
            None => self.code().to_string().into(),
        }
    }
}

impl fmt::Display for Win32Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.known_name() {
            Some(name) => write!(f, "{name} ({})", self.code()),
            None => write!(f, "{}", self.code()),
        }
    }
}

impl Serialize for Win32Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.known_name() {
            Some(name) => serializer.serialize_str(name),
            None => serializer.serialize_u32(self.code()),
        }
    }
}

impl<'de> Deserialize<'de> for Win32Error {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Code(u32),
            Name(String),
        }
        match Repr::deserialize(deserializer)? {
            Repr::Code(code) => Ok(Win32Error::of(code)),
            Repr::Name(name) => Win32Error::from_name(&name)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown Win32 error name {name:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_round_trip() {
        for &error in Win32Error::ALL {
            assert_eq!(Win32Error::from_code(error.code()), Some(error));
            assert_eq!(Win32Error::from_name(&error.name()), Some(error));
            assert_eq!(Win32Error::of(error.code()), error);
        }
        assert_eq!(Win32Error::InvalidHandle.code(), 6);
        assert_eq!(Win32Error::BrokenPipe.code(), 109);
        assert_eq!(Win32Error::from_name("broken_pipe"), Some(Win32Error::BrokenPipe));
        assert_eq!(Win32Error::from_name("NO_ERROR"), Some(Win32Error::Success));
    }

    #[test]
    fn any_32_bit_value_is_an_error_and_an_unnamed_one_shows_as_its_number() {
        let e = Win32Error::of(12345);
        assert!(matches!(e, Win32Error::Other(_)));
        assert_eq!((e.code(), e.known_name(), e.name().as_ref()), (12345, None, "12345"));
        assert_eq!(e.to_string(), "12345");
        assert_eq!(serde_json::to_string(&e).unwrap(), "12345");
        assert_eq!(serde_json::from_str::<Win32Error>("12345").unwrap(), e);
        assert_eq!(
            serde_json::from_str::<Win32Error>("6").unwrap(),
            Win32Error::InvalidHandle
        );
        assert_eq!(Win32Error::of(u32::MAX).code(), u32::MAX);
    }

    #[test]
    fn serde_uses_names_and_accepts_numbers() {
        let json = serde_json::to_string(&Win32Error::PipeBusy).unwrap();
        assert_eq!(json, "\"ERROR_PIPE_BUSY\"");
        let back: Win32Error = serde_json::from_str("231").unwrap();
        assert_eq!(back, Win32Error::PipeBusy);
        assert!(serde_json::from_str::<Win32Error>("\"ERROR_NO_SUCH_THING\"").is_err());
    }
}
