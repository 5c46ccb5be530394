//! Text keys used to compare labels written by hand: case, accents, punctuation and
//! repeated spaces do not matter, "St"/"Ste" mean "Saint"/"Sainte".

/// FNV-1a: a fast hasher for the import's many small string keys (no DoS concern: the
/// keys come from the user's own files).
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// A hasher for keys made of integers (codes, numbers, enums, a hash already made): one
/// multiplication per integer where [`Fnv`] makes one per byte (the mixing of FxHash, the
/// hasher of rustc's own tables). Only for tables: equal hashes are never taken as equal keys.
#[derive(Default, Clone, Copy)]
pub struct Entiers(u64);

impl Entiers {
    fn mix(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for Entiers {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(b));
        }
    }

    fn write_u8(&mut self, x: u8) {
        self.mix(x as u64);
    }

    fn write_u16(&mut self, x: u16) {
        self.mix(x as u64);
    }

    fn write_u32(&mut self, x: u32) {
        self.mix(x as u64);
    }

    fn write_u64(&mut self, x: u64) {
        self.mix(x);
    }

    fn write_usize(&mut self, x: usize) {
        self.mix(x as u64);
    }

    fn write_isize(&mut self, x: isize) {
        self.mix(x as u64);
    }
}

/// A table whose keys are integers or tuples of them (see [`Entiers`]).
pub type IntMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Entiers>>;
/// The set of [`FastMap`].
pub type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<Fnv>>;

/// Folds one character to lower-case ASCII where a French accent allows it.
fn fold_char(c: char, out: &mut String) {
    let s = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        '%' => "%",
        '/' => "/",
        c if c.is_ascii_alphanumeric() => {
            out.push(c.to_ascii_lowercase());
            return;
        }
        _ => " ",
    };
    out.push_str(s);
}

/// The comparison key of a label: lower-case ASCII words separated by one space.
/// Punctuation (hyphens, apostrophes, dots, underscores...) separates words.
pub fn key(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    if s.is_ascii() {
        for c in s.chars() {
            fold_char(c, &mut folded);
        }
    } else {
        // Decomposed (NFD, as macOS and some exports write « é » as e + ◌́) or composed, the
        // accents go: the base letter stays, the combining marks are dropped.
        use unicode_normalization::UnicodeNormalization;
        for c in s.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)) {
            fold_char(c, &mut folded);
        }
    }
    let mut out = String::with_capacity(folded.len());
    for w in folded.split([' ', '/']).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Like [`key`], with "st"/"ste" expanded to "saint"/"sainte": the key of a place name.
pub fn place_key(s: &str) -> String {
    let k = key(s);
    let mut out = String::with_capacity(k.len() + 8);
    for w in k.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(match w {
            "st" => "saint",
            "ste" => "sainte",
            "sts" => "saints",
            "stes" => "saintes",
            other => other,
        });
    }
    out
}

/// Trims spaces, including non-breaking and other Unicode spaces.
pub fn clean(s: &str) -> &str {
    // Most cells start and end with a visible ASCII character: nothing to trim.
    if let (Some(a), Some(z)) = (s.as_bytes().first(), s.as_bytes().last())
        && a.is_ascii_graphic()
        && z.is_ascii_graphic()
    {
        return s;
    }
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}' || c == '\u{feff}')
}

/// Spreadsheet error markers that stand for an empty cell.
pub fn is_error_marker(s: &str) -> bool {
    let s = s.trim();
    if !s.starts_with('#') || s.len() > 8 {
        return false;
    }
    let u = s.to_ascii_uppercase();
    matches!(
        u.as_str(),
        "#N/A"
            | "#NA"
            | "#REF!"
            | "#VALUE!"
            | "#VALEUR!"
            | "#DIV/0!"
            | "#NAME?"
            | "#NOM?"
            | "#NUM!"
            | "#NULL!"
            | "#NUL!"
    )
}

/// Edit distance (Levenshtein, by `strsim`) between two keys, to suggest the closest known
/// label — a suggestion the user confirms, never applied alone.
pub fn distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// French alphabetical order: accents, case and punctuation count only to break ties, so
/// that « État » sorts with the E's (before « SNCF »), « Œuvre » with the O's.
pub fn ordre_francais(a: &str, b: &str) -> std::cmp::Ordering {
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// A lower-case slug made of ASCII words joined by hyphens (`La Poste` → `la-poste`).
pub fn slug(s: &str) -> String {
    key(s).replace(['/', ' '], "-")
}

/// Up to `n` names among `connus` closest to `nom` (spelling mistakes, abbreviations), best
/// first — to say which bailleur was meant.
pub fn noms_proches(nom: &str, connus: &[String], n: usize) -> Vec<String> {
    let k = key(nom);
    let mut scored: Vec<(f64, &String)> = connus
        .iter()
        .map(|c| {
            let ck = key(c);
            let mut s = strsim::jaro_winkler(&k, &ck);
            if !k.is_empty() && (ck.contains(&k) || k.contains(&ck)) {
                s = s.max(0.9);
            }
            (s, c)
        })
        .filter(|(s, _)| *s >= 0.6)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(n).map(|(_, c)| c.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The integer hasher spreads tuples of small codes over the low bits (those that choose a
    /// table's bucket): ten thousand cells of neighbouring codes fall in as many places.
    #[test]
    fn integer_keys_are_spread() {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let b = BuildHasherDefault::<Entiers>::default();
        let mut low = std::collections::HashSet::new();
        for a in 0..10u32 {
            for c in 0..10u32 {
                for r in 0..100u32 {
                    low.insert(b.hash_one((a, c, 7u32, r, false)) & 0xFFFF);
                }
            }
        }
        assert!(low.len() > 9_000, "{}", low.len());
        assert_ne!(b.hash_one((1u32, 2u32)), b.hash_one((2u32, 1u32)));
        assert_ne!(b.hash_one(0u64), b.hash_one(1u64));
    }

    #[test]
    fn keys_ignore_case_accents_and_punctuation() {
        assert_eq!(key("  PRÉFECTURE  Fonctionnaires "), "prefecture fonctionnaires");
        assert_eq!(key("Ville d'Antibes"), "ville d antibes");
        assert_eq!(key("REF_LGT"), "ref lgt");
        assert_eq!(place_key("St-Paul-de-Vence"), "saint paul de vence");
        assert_eq!(place_key("CHÂTEAUNEUF-GRASSE"), "chateauneuf grasse");
        assert_eq!(key("Œuvre"), "oeuvre");
        // The same label in NFD (e + combining acute) and in NFC.
        assert_eq!(key("Pre\u{301}fecture"), key("Préfecture"));
        assert_eq!(key("Pre\u{301}fecture"), "prefecture");
        assert_eq!(place_key("Ve\u{301}zelay"), "vezelay");
    }

    #[test]
    fn clean_trims_non_breaking_spaces() {
        assert_eq!(clean("\u{a0} PLUS\u{a0}"), "PLUS");
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance("toulonn", "toulon"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("valbone", "valbonne"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn french_alphabetical_order() {
        let mut v = vec!["SNCF", "État (contingent préfectoral)", "Action Logement", "Œuvre", "Défense", "commune"];
        v.sort_by(|a, b| ordre_francais(a, b));
        assert_eq!(v, ["Action Logement", "commune", "Défense", "État (contingent préfectoral)", "Œuvre", "SNCF"]);
    }

    #[test]
    fn slug_joins_words_with_hyphens() {
        assert_eq!(slug("La Poste"), "la-poste");
        assert_eq!(slug("SNCF"), "sncf");
    }
}
