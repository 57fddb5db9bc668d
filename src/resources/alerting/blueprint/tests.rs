//! Blueprint unit tests.
