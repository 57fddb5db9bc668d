//! Resource-level tests.
