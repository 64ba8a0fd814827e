//! Integration tests (filled in with the scenario runner).
