//! serde_json's pretty layout written in parts: a value at any depth ([`Pretty`]), and a root
//! object key by key ([`Object`]); joined, they are what `serde_json::to_vec_pretty` writes.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

/// A top-level object, written key by key.
pub(crate) struct Object<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Object<'o> {
    /// Opens the object at the end of `out`.
    pub(crate) fn new(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, first: true }
    }

    /// The next key, up to its value.
    pub(crate) fn key(&mut self, key: &str) -> Result<(), serde_json::Error> {
        self.out
            .extend_from_slice(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        indent(self.out, 1);
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.extend_from_slice(b": ");
        Ok(())
    }

    /// The next key and its value.
    pub(crate) fn value(
        &mut self,
        key: &str,
        value: &(impl Serialize + ?Sized),
    ) -> Result<(), serde_json::Error> {
        self.key(key)?;
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut *self.out,
            Pretty::at(1),
        ))
    }

    /// Text of (part of) the current key's value, rendered beforehand at depth 1.
    pub(crate) fn raw(&mut self, text: &[u8]) {
        self.out.extend_from_slice(text);
    }

    /// Closes the object.
    pub(crate) fn end(self) {
        if !self.first {
            self.out.push(b'\n');
        }
        self.out.push(b'}');
    }
}

/// Two spaces for each of `depth` levels.
pub(crate) fn indent(out: &mut Vec<u8>, depth: usize) {
    for _ in 0..depth {
        out.extend_from_slice(b"  ");
    }
}

/// serde_json's pretty layout (two spaces a level), for a value written `depth` levels into
/// the document: the same bytes the document's own pretty printer writes there.
pub(crate) struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// For a value written where `depth` objects or lists are open around it.
    pub(crate) fn at(depth: usize) -> Self {
        Self {
            depth,
            has_value: false,
        }
    }

    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_add(1);
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(bracket)
    }

    /// A new line (after a comma unless `first`), indented.
    fn line<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}
