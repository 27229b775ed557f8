//! The tiny CV files the tests build: `cvtext::fixtures` (cargo feature `fixtures`).

pub use cvtext::fixtures::*;
