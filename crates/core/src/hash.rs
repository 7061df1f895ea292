//! The hash maps and sets of the passes over a graph: std's tables with foldhash's hasher
//! (already in the tree through serde_json), several times faster than std's SipHash on the
//! short keys they hold (addresses, names, paths), which matters when a table is grown and
//! every key hashed again.
//!
//! Their iteration order is arbitrary, as std's is: nothing that reaches the output iterates
//! one (sorted containers, or indexes into ordered lists, do).

pub use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
