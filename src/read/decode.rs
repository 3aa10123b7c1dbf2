//! Files in another encoding than UTF-8 (Windows-1252, UTF-16 with or
//! without a byte-order mark) are decoded by `encoding_rs` into a UTF-8
//! copy in a temporary folder before the run reads them; the reader, its
//! byte ranges and its re-reads then work on that copy as on any UTF-8
//! file. The run records the original file's size and SHA-256, so an
//! unchanged file is still recognised as unchanged.
//!
//! A UTF-8 file is read in place: this module only looks at its first
//! bytes, for a UTF-16 byte-order mark.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::read::settings::Encoding;

/// A decoded copy of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub path: PathBuf,
    /// The original file's bytes and SHA-256.
    pub bytes: u64,
    pub sha256: String,
}

/// The encoding a file's byte-order mark names, if it is UTF-16's.
pub fn detect(path: &Path) -> std::io::Result<Option<Encoding>> {
    let mut start = [0u8; 2];
    let mut file = File::open(path)?;
    let mut have = 0;
    while have < 2 {
        match file.read(&mut start[have..])? {
            0 => break,
            n => have += n,
        }
    }
    Ok(match &start[..have] {
        [0xFF, 0xFE] => Some(Encoding::Utf16Le),
        [0xFE, 0xFF] => Some(Encoding::Utf16Be),
        _ => None,
    })
}

fn encoding_rs_of(encoding: Encoding) -> &'static encoding_rs::Encoding {
    match encoding {
        Encoding::Utf8 => encoding_rs::UTF_8,
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
        Encoding::Utf16Le => encoding_rs::UTF_16LE,
        Encoding::Utf16Be => encoding_rs::UTF_16BE,
    }
}

/// Decodes `source` from `encoding` into a new UTF-8 file at `into`. A
/// byte-order mark is dropped. Bytes that are not valid in the encoding
/// fail it, naming their offset and line and an encoding that would fit.
pub fn decode(source: &Path, encoding: Encoding, into: &Path) -> Result<Decoded, String> {
    let input = File::open(source).map_err(|e| format!("cannot open: {e}"))?;
    let output = File::create(into).map_err(|e| {
        format!(
            "cannot write its UTF-8 copy to `{}`: {e} (TMPDIR sets the folder)",
            into.display()
        )
    })?;
    let (bytes, sha256) = transcode(input, encoding, std::io::BufWriter::new(output))?;
    Ok(Decoded {
        path: into.to_path_buf(),
        bytes,
        sha256,
    })
}

/// The work of [`decode`] on any reader and writer: the bytes read and
/// their SHA-256.
fn transcode<R: Read, W: Write>(
    mut input: R,
    encoding: Encoding,
    mut output: W,
) -> Result<(u64, String), String> {
    use encoding_rs::DecoderResult;
    let mut decoder = encoding_rs_of(encoding).new_decoder_with_bom_removal();
    let mut sha = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut text = vec![0u8; 3 << 20];
    let (mut read_before, mut lines) = (0u64, 1u64);
    let mut head = Vec::new();
    loop {
        let n = match input.read(&mut buffer) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("read failed: {e}")),
        };
        sha.update(&buffer[..n]);
        if head.is_empty() {
            head.extend_from_slice(&buffer[..n.min(4096)]);
            let wide = |e: Encoding| matches!(e, Encoding::Utf16Le | Encoding::Utf16Be);
            let fits = guess(&head);
            if !head.is_empty() && wide(fits) != wide(encoding) {
                return Err(format!(
                    "does not look like {}{}",
                    encoding.name(),
                    would_fit(&head, encoding)
                ));
            }
        }
        let last = n == 0;
        let mut at = 0;
        loop {
            let (result, read, written) =
                decoder.decode_to_utf8_without_replacement(&buffer[at..n], &mut text, last);
            let decoded = &text[..written];
            output
                .write_all(decoded)
                .map_err(|e| format!("cannot write its UTF-8 copy: {e}"))?;
            match result {
                DecoderResult::InputEmpty => {
                    lines += memchr::memchr_iter(b'\n', decoded).count() as u64;
                    break;
                }
                DecoderResult::OutputFull => {
                    lines += memchr::memchr_iter(b'\n', decoded).count() as u64;
                    at += read;
                }
                DecoderResult::Malformed(bad, after) => {
                    lines += memchr::memchr_iter(b'\n', decoded).count() as u64;
                    let offset =
                        read_before + (at + read) as u64 - u64::from(after) - u64::from(bad);
                    return Err(format!(
                        "not valid {} at byte {offset} (line {lines}){}",
                        encoding.name(),
                        would_fit(&head, encoding)
                    ));
                }
            }
        }
        read_before += n as u64;
        if last {
            break;
        }
    }
    output
        .flush()
        .map_err(|e| format!("cannot write its UTF-8 copy: {e}"))?;
    Ok((read_before, format!("{:x}", sha.finalize())))
}

/// An encoding that would read a file whose first bytes are `head`, for a
/// message about one that does not: UTF-16 by its byte-order mark or its
/// NUL bytes, UTF-8 when the bytes are, else Windows-1252 (which reads any
/// byte).
pub fn would_fit(head: &[u8], tried: Encoding) -> String {
    let fits = guess(head);
    if fits == tried {
        String::new()
    } else {
        format!(
            ": it looks like {}; try `--encoding {}`",
            fits.name(),
            fits.name()
        )
    }
}

fn guess(head: &[u8]) -> Encoding {
    match head {
        [0xFF, 0xFE, ..] => return Encoding::Utf16Le,
        [0xFE, 0xFF, ..] => return Encoding::Utf16Be,
        _ => {}
    }
    let nul_at = |parity: usize| {
        head.iter()
            .enumerate()
            .filter(|(i, b)| i % 2 == parity && **b == 0)
            .count()
    };
    let pairs = head.len() / 2;
    if pairs > 0 && nul_at(1) * 2 > pairs {
        return Encoding::Utf16Le;
    }
    if pairs > 0 && nul_at(0) * 2 > pairs {
        return Encoding::Utf16Be;
    }
    // A sample may cut a character in two at its end.
    match std::str::from_utf8(head) {
        Ok(_) => Encoding::Utf8,
        Err(e) if e.error_len().is_none() => Encoding::Utf8,
        Err(_) => Encoding::Windows1252,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8], encoding: Encoding) -> Result<String, String> {
        let mut out = Vec::new();
        let (read, sha) = transcode(bytes, encoding, &mut out)?;
        assert_eq!(read, bytes.len() as u64);
        assert_eq!(sha, format!("{:x}", Sha256::digest(bytes)));
        Ok(String::from_utf8(out).unwrap())
    }

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut bytes = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        bytes.extend(text.encode_utf16().flat_map(|unit| unit.to_le_bytes()));
        bytes
    }

    #[test]
    fn windows_1252_and_utf_16() {
        assert_eq!(
            decoded(b"M\xfcller;Ren\xe9e;12,50 \x80\n", Encoding::Windows1252).unwrap(),
            "Müller;Renée;12,50 €\n"
        );
        let text = "id,name\n1,Müller €\n";
        assert_eq!(
            decoded(&utf16le(text, true), Encoding::Utf16Le).unwrap(),
            text
        );
        assert_eq!(
            decoded(&utf16le(text, false), Encoding::Utf16Le).unwrap(),
            text
        );
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(|unit| unit.to_be_bytes()))
            .collect();
        assert_eq!(decoded(&be, Encoding::Utf16Be).unwrap(), text);
    }

    #[test]
    fn bytes_not_valid_in_the_encoding_are_named() {
        // A lone high surrogate on line 2.
        let mut bytes = utf16le("a\nb", true);
        bytes.extend_from_slice(&[0x00, 0xD8, b'c', 0x00]);
        let problem = decoded(&bytes, Encoding::Utf16Le).unwrap_err();
        assert_eq!(problem, "not valid utf-16le at byte 8 (line 2)");
        // UTF-8 bytes read as UTF-16 with an odd length.
        let problem = decoded(b"id,name", Encoding::Utf16Be).unwrap_err();
        assert_eq!(
            problem,
            "does not look like utf-16be: it looks like utf-8; try `--encoding utf-8`"
        );
        // UTF-16 declared as Windows-1252.
        let problem = decoded(&utf16le("id,name", false), Encoding::Windows1252).unwrap_err();
        assert!(problem.contains("try `--encoding utf-16le`"), "{problem}");
    }

    #[test]
    fn guesses_what_would_fit() {
        assert_eq!(guess(&utf16le("id,name", false)), Encoding::Utf16Le);
        assert_eq!(guess(b"M\xfcller"), Encoding::Windows1252);
        assert_eq!(guess("Müller".as_bytes()), Encoding::Utf8);
        assert_eq!(guess(&"Mü".as_bytes()[..2]), Encoding::Utf8);
    }
}
