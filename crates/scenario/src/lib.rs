//! kernsim-scenario: placeholder, filled in below.
