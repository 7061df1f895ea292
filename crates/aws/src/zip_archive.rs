//! A zip archive of a few small files, the same bytes for the same files on every synth: what a
//! Lambda function's code package is when stacksmith ships the code (a rotation function).
//!
//! Written by hand rather than with the `zip` crate: one format case is needed (entries
//! *stored*, uncompressed, which Lambda accepts and which keeps the bytes independent of a
//! compressor's version), and it is five fixed-size records (APPNOTE.TXT 4.3): per file a local
//! header and its bytes, then per file a central-directory header, then the end record. Every
//! timestamp is the format's earliest, 1980-01-01 00:00; entries keep the order given; each is a
//! regular file readable by all (`0644`, recorded as made on Unix so Lambda keeps the mode). No
//! ZIP64: a file or archive over 4 GiB is refused ([`TooLarge`]), far above what a function's
//! code may be (250 MB unzipped).

use std::fmt;

/// DOS date of 1980-01-01 (year 0 from 1980, month 1, day 1).
const DOS_DATE: u16 = (1 << 5) | 1;
/// DOS time 00:00:00.
const DOS_TIME: u16 = 0;
/// Version 2.0 needed to extract (stored entries, no ZIP64).
const VERSION_NEEDED: u16 = 20;
/// Made on Unix (high byte 3) by version 2.0: the external attributes are a Unix mode.
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
/// A regular file, `rw-r--r--`, in the high 16 bits of the external attributes.
const UNIX_FILE_0644: u32 = 0o100_644 << 16;

/// A file or the archive is too large for a zip without ZIP64 (4 GiB, 65,535 entries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooLarge;

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("too large for a zip archive without ZIP64")
    }
}

/// The zip archive of `files` (name, bytes), stored, in this order.
pub(crate) fn stored(files: &[(&str, &[u8])]) -> Result<Vec<u8>, TooLarge> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, bytes) in files {
        let offset = len32(&out)?;
        let crc = crc32fast::hash(bytes);
        let size = len32(bytes)?;
        let name_len = u16::try_from(name.len()).map_err(|_| TooLarge)?;
        // Local file header.
        out.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        for half in [VERSION_NEEDED, 0, 0, DOS_TIME, DOS_DATE] {
            out.extend_from_slice(&half.to_le_bytes());
        }
        for word in [crc, size, size] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0_u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(bytes);
        // Its central-directory header.
        central.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        for half in [VERSION_MADE_BY, VERSION_NEEDED, 0, 0, DOS_TIME, DOS_DATE] {
            central.extend_from_slice(&half.to_le_bytes());
        }
        for word in [crc, size, size] {
            central.extend_from_slice(&word.to_le_bytes());
        }
        // Name length, no extra field, no comment, disk 0, no internal attributes.
        for half in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&half.to_le_bytes());
        }
        central.extend_from_slice(&UNIX_FILE_0644.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let entries = u16::try_from(files.len()).map_err(|_| TooLarge)?;
    let (central_offset, central_size) = (len32(&out)?, len32(&central)?);
    out.extend_from_slice(&central);
    // End of central directory: one disk, no comment.
    out.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    for half in [0, 0, entries, entries] {
        out.extend_from_slice(&half.to_le_bytes());
    }
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0_u16.to_le_bytes());
    len32(&out)?;
    Ok(out)
}

fn len32(bytes: &[u8]) -> Result<u32, TooLarge> {
    u32::try_from(bytes.len()).map_err(|_| TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    #[test]
    fn the_same_files_give_the_same_bytes() {
        let files: &[(&str, &[u8])] = &[("a.py", b"print(1)\n"), ("b.txt", b"")];
        assert_eq!(stored(files), stored(files));
    }

    #[test]
    fn records_are_where_the_end_record_says() -> Result<(), TooLarge> {
        let data = b"123456789";
        let zip = stored(&[("check.txt", data)])?;
        // Local header, name, data; then the central header and name; then the 22-byte end.
        assert_eq!(zip.len(), 30 + 9 + 9 + 46 + 9 + 22);
        assert_eq!(u32_at(&zip, 0), 0x0403_4b50);
        // The CRC-32 check value of "123456789" (ISO-HDLC), stored and uncompressed sizes.
        assert_eq!(u32_at(&zip, 14), 0xcbf4_3926);
        assert_eq!([u32_at(&zip, 18), u32_at(&zip, 22)], [9, 9]);
        assert_eq!(&zip[30..39], b"check.txt");
        assert_eq!(&zip[39..48], data);
        let end = zip.len() - 22;
        assert_eq!(u32_at(&zip, end), 0x0605_4b50);
        assert_eq!([u16_at(&zip, end + 8), u16_at(&zip, end + 10)], [1, 1]);
        let (size, offset) = (u32_at(&zip, end + 12), u32_at(&zip, end + 16));
        assert_eq!((offset, size), (48, 46 + 9));
        let central = offset as usize;
        assert_eq!(u32_at(&zip, central), 0x0201_4b50);
        assert_eq!(u16_at(&zip, central + 4) >> 8, 3, "made on Unix");
        assert_eq!(u16_at(&zip, central + 14), DOS_DATE);
        assert_eq!(u32_at(&zip, central + 16), 0xcbf4_3926);
        assert_eq!(u32_at(&zip, central + 38) >> 16, 0o100_644);
        assert_eq!(u32_at(&zip, central + 42), 0, "the local header's offset");
        Ok(())
    }
}
