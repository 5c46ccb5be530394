//! SHA-256 fingerprints of imported files (the dossier's history), by the `sha2` crate.

use sha2::{Digest, Sha256};

/// The SHA-256 of `data` as 64 lower-case hex digits.
pub fn hex_digest(data: &[u8]) -> String {
    let d = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for b in d {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(hex_digest(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex_digest(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
