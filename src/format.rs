//! Numbers as French readers expect them: `24 214`, `15,1 %`.

/// An integer with a narrow no-break space between thousands: `24 214`.
pub fn entier(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 * 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// A share as a percentage with one decimal and a comma: `15,1 %`.
pub fn pourcent(part: u64, total: u64) -> String {
    if total == 0 {
        return "–".into();
    }
    let tenths = (part as u128 * 1000 + total as u128 / 2) / total as u128;
    format!("{},{}\u{a0}%", tenths / 10, tenths % 10)
}

/// French typography of the documents: a non-breaking space (U+00A0, as [`pourcentage`] writes
/// it) before « : » and « % », so that neither ever starts a line nor stands after an ordinary
/// space.
pub fn typographie(s: &str) -> String {
    s.replace(" :", "\u{a0}:").replace(" %", "\u{a0}%")
}

/// A CSV field that Excel will never run as a formula: a leading `=`, `+`, `-`, `@`, tab or
/// CR is neutralised with an apostrophe.
pub fn csv_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
}

/// A rate (a fraction) as a French percentage with one decimal: `0.151` → `15,1 %`.
pub fn pourcentage(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let tenths = (x * 1000.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{},{}\u{a0}%", tenths.abs() / 10, tenths.abs() % 10)
}

/// A rate as a French percentage with `decimales` decimals: `pourcentage_fr(0.18, 0)` →
/// `18 %`; a negative one with the minus sign (`−2 %`), never « -0 ».
pub fn pourcentage_fr(x: f64, decimales: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    format!("{}\u{a0}%", signe_fr(&nombre_fr(x * 100.0, decimales)))
}

/// A number of logements as a document writes it: `decimales` 0 in an annual bilan (« 53 »),
/// 1 for objectives pro rata temporis (« 26,5 », « 4,0 »: the same in a whole column); the
/// minus sign « − », never « -0 ».
pub fn logements_fr(x: f64, decimales: usize) -> String {
    let s = nombre_fr(x.abs(), decimales);
    let (ent, dec) = s.split_once(',').map(|(e, d)| (e, Some(d))).unwrap_or((s.as_str(), None));
    let mut out = entier(ent.parse().unwrap_or(0));
    if let Some(d) = dec {
        out = format!("{out},{d}");
    }
    let zero = !out.chars().any(|c| c.is_ascii_digit() && c != '0');
    if x < 0.0 && !zero { format!("\u{2212}{out}") } else { out }
}

/// A gap with its sign (« +5 », « −13 », « 0 », « +2,5 »), with `decimales` as the objectives.
pub fn ecart_fr(x: f64, decimales: usize) -> String {
    let s = logements_fr(x, decimales);
    if x > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { format!("+{s}") } else { s }
}

/// A number written with a hyphen-minus (`-13`) as French typography wants it (`−13`).
pub fn signe_fr(s: &str) -> String {
    match s.strip_prefix('-') {
        Some(r) => format!("\u{2212}{r}"),
        None => s.to_string(),
    }
}

/// « 1 conflit », « 2 conflits », « 0 conflit » (French: singular below 2).
pub fn pluriel(n: u64, singulier: &str, pluriel: &str) -> String {
    format!("{} {}", entier(n), if n > 1 { pluriel } else { singulier })
}

/// « 1 logement », « 2 logements », « 1 600 logements ».
pub fn logements(n: u64) -> String {
    format!("{} {}", entier(n), if n > 1 { "logements" } else { "logement" })
}

/// A decimal number with a comma: `nombre_fr(9.75, 1)` → `9,8`.
pub fn nombre_fr(x: f64, decimales: usize) -> String {
    // A sum of nothing is -0.0 for Rust: never « -0,0 » on screen or in a document.
    let s = format!("{x:.decimales$}").replace('.', ",");
    match s.strip_prefix('-') {
        Some(r) if r.chars().all(|c| c == '0' || c == ',') => r.to_string(),
        _ => s,
    }
}

/// A département's name with its article after « de »: « des Alpes-Maritimes », « de l'Ain »,
/// « du Bas-Rhin », « de la Savoie », « de Paris ».
pub fn du_departement(code: &str, nom: &str) -> String {
    const DES: &[&str] = &["04", "05", "06", "08", "13", "22", "40", "64", "65", "66", "78", "79", "88", "92"];
    const DE_LA: &[&str] = &[
        "16", "17", "19", "2A", "2B", "21", "23", "24", "26", "31", "33", "42", "43", "44", "48", "50", "51", "52",
        "53", "55", "57", "58", "70", "71", "72", "73", "74", "76", "77", "80", "85", "86", "87", "93", "971", "972",
        "973",
    ];
    const DE_L: &[&str] = &[
        "01", "02", "03", "07", "09", "10", "11", "12", "27", "28", "34", "35", "36", "37", "38", "60", "61", "89",
        "91",
    ];
    const DE: &[&str] = &["75", "974", "976"];
    let nom = nom.trim();
    if DES.contains(&code) {
        format!("des {nom}")
    } else if DE_LA.contains(&code) {
        format!("de la {nom}")
    } else if DE_L.contains(&code) {
        format!("de l'{nom}")
    } else if DE.contains(&code) {
        format!("de {nom}")
    } else {
        format!("du {nom}")
    }
}

/// « Département des Alpes-Maritimes » from its code (the code itself when unknown).
pub fn departement_nomme(code: &str) -> String {
    match crate::reference::reference().departement(code) {
        Some(d) => format!("Département {}", du_departement(code, &d.nom)),
        None => format!("Département {code}"),
    }
}

/// « département des Alpes-Maritimes » (lower case, inside a sentence).
pub fn le_departement(code: &str) -> String {
    match crate::reference::reference().departement(code) {
        Some(d) => format!("département {}", du_departement(code, &d.nom)),
        None => format!("département {code}"),
    }
}

/// An ISO date `2024-01-01` as French readers write it: `01/01/2024` (anything else as is).
pub fn date_fr(iso: &str) -> String {
    match crate::model::Date::parse_iso(iso) {
        Some(d) => format!("{:02}/{:02}/{:04}", d.day, d.month, d.year),
        None => iso.to_string(),
    }
}

/// A file name people can read: its parts joined by « — » (« Annexe État — Habitat Azur —
/// CA de Sophia Antipolis — 2024.pdf »). Empty parts are left out; characters that no
/// system accepts in a name (`/ \ : * ? " < > |`, control characters) become hyphens.
pub fn nom_de_fichier(parties: &[&str], extension: &str) -> String {
    let nom = parties
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| {
                    if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                        '-'
                    } else {
                        c
                    }
                })
                .collect::<String>()
        })
        .map(|p| p.trim().trim_matches('.').to_string())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" — ");
    let nom = if nom.is_empty() { "Contingents".to_string() } else { nom };
    format!("{nom}.{extension}")
}

/// Whether a French name starts with a vowel sound that elides « de » (« d'Ornex »).
fn elide(nom: &str) -> bool {
    let first = nom.chars().next().map(|c| c.to_lowercase().next().unwrap_or(c)).unwrap_or(' ');
    matches!(first, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'h' | 'à' | 'â' | 'é' | 'è' | 'ê' | 'î' | 'ô' | 'û' | 'œ')
}

/// « commune d'Ornex », « commune de Biot », « commune du Cannet » (Le Cannet), « commune des Adrets ».
pub fn commune_de(nom: &str) -> String {
    format!("commune {}", de(nom))
}

/// « d'Ornex », « de Biot », « du Cannet », « des Adrets », « de La Colle-sur-Loup ».
pub fn de(nom: &str) -> String {
    if let Some(rest) = nom.strip_prefix("Le ") {
        return format!("du {rest}");
    }
    if let Some(rest) = nom.strip_prefix("Les ") {
        return format!("des {rest}");
    }
    if elide(nom) { format!("d'{nom}") } else { format!("de {nom}") }
}

/// « à Ornex », « au Cannet », « aux Adrets ».
pub fn a_commune(nom: &str) -> String {
    if let Some(rest) = nom.strip_prefix("Le ") {
        return format!("au {rest}");
    }
    if let Some(rest) = nom.strip_prefix("Les ") {
        return format!("aux {rest}");
    }
    format!("à {nom}")
}

/// Why a typed number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaisieError {
    #[error("« {0} » n'est pas un nombre : écrivez par exemple 8,5")]
    PasUnNombre(String),
    #[error("« {0} » n'est pas un nombre entier de logements")]
    PasUnEntier(String),
    #[error("{0} est en dehors de {1}")]
    HorsBornes(String, String),
}

/// Reads a number typed the French way or the English way: `8,5`, `8.5`, `8,5 %`, `1 600`
/// (spaces, no-break spaces and narrow no-break spaces between thousands), `-2`. Refuses
/// anything else rather than reading part of it.
pub fn parse_nombre(s: &str) -> Result<f64, SaisieError> {
    let t: String = s
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\''))
        .collect();
    let t = t.replace(',', ".");
    let ok = !t.is_empty()
        && t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
        && t.matches('.').count() <= 1
        && t.chars().skip(1).all(|c| c != '-' && c != '+')
        && t.chars().any(|c| c.is_ascii_digit());
    if !ok {
        return Err(SaisieError::PasUnNombre(s.trim().to_string()));
    }
    t.parse::<f64>().map_err(|_| SaisieError::PasUnNombre(s.trim().to_string()))
}

/// A date typed by a person: `26/04/2024`, `2024-04-26`, `26 avril 2024` (the same reader as
/// the dates of the bailleurs' files). A date is a day, a month and a year: « 2024 »,
/// « 12.5 » or « 3 » are never read as one.
pub fn parse_date(s: &str) -> Option<crate::model::Date> {
    let t = s.trim();
    let parties = t.split(['/', '-', '.', ' ']).filter(|x| !x.is_empty()).count();
    if parties < 3 {
        return None;
    }
    crate::model::Date::from_text(t)
}

/// A percentage between 0 and 100 (`8,5`, `8,5 %`, `8.5`).
pub fn parse_pourcentage(s: &str) -> Result<f64, SaisieError> {
    let x = parse_nombre(s)?;
    if !(0.0..=100.0).contains(&x) {
        return Err(SaisieError::HorsBornes(s.trim().to_string(), "0 à 100 %".into()));
    }
    Ok(x)
}

/// A whole, non-negative number of dwellings (`1 600`).
pub fn parse_entier(s: &str) -> Result<u64, SaisieError> {
    let x = parse_nombre(s).map_err(|_| SaisieError::PasUnEntier(s.trim().to_string()))?;
    if x < 0.0 || x.fract() != 0.0 || x > 1e12 {
        return Err(SaisieError::PasUnEntier(s.trim().to_string()));
    }
    Ok(x as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_whole_logements() {
        assert_eq!(logements_fr(53.0, 0), "53");
        assert_eq!(logements_fr(26.5, 1), "26,5");
        assert_eq!(logements_fr(4.0, 1), "4,0");
        assert_eq!(logements_fr(-0.04, 1), "0,0");
        assert_eq!(ecart_fr(-13.0, 0), "\u{2212}13");
        assert_eq!(ecart_fr(2.0, 0), "+2");
        assert_eq!(ecart_fr(-0.0, 0), "0");
        assert_eq!(ecart_fr(0.04, 1), "0,0");
        assert_eq!(ecart_fr(-2.5, 1), "\u{2212}2,5");
        assert_eq!(ecart_fr(1234.0, 0), "+1\u{202f}234");
        assert_eq!(pourcentage_fr(0.25, 0), "25\u{a0}%");
    }

    #[test]
    fn no_negative_zero() {
        assert_eq!(nombre_fr(std::iter::empty::<f64>().sum(), 1), "0,0");
        assert_eq!(nombre_fr(-0.04, 1), "0,0");
        assert_eq!(nombre_fr(-2.0, 1), "-2,0");
        assert_eq!(nombre_fr(9.75, 1), "9,8");
    }

    #[test]
    fn typed_dates_are_never_guessed() {
        let d = |s: &str| parse_date(s).map(|d| d.to_string());
        assert_eq!(d("26/04/2024").as_deref(), Some("2024-04-26"));
        assert_eq!(d(" 2024-04-26 ").as_deref(), Some("2024-04-26"));
        for s in ["2024", "12.5", "3", "", "31/02/2024", "avril 2024"] {
            assert_eq!(d(s), None, "« {s} »");
        }
    }

    #[test]
    fn file_names_are_readable_and_accepted_everywhere() {
        assert_eq!(
            nom_de_fichier(&["Annexe État", "Habitat Azur", "CA de Sophia Antipolis", "2024"], "pdf"),
            "Annexe État — Habitat Azur — CA de Sophia Antipolis — 2024.pdf"
        );
        assert_eq!(nom_de_fichier(&["État des lieux", "au 01/01/2024"], "xlsx"), "État des lieux — au 01-01-2024.xlsx");
        assert_eq!(nom_de_fichier(&["Fiche navette", "", "A:1?"], "xlsx"), "Fiche navette — A-1-.xlsx");
        assert_eq!(nom_de_fichier(&[""], "png"), "Contingents.png");
    }

    #[test]
    fn french_numbers() {
        assert_eq!(entier(24214), "24\u{202f}214");
        assert_eq!(entier(2000), "2\u{202f}000");
        assert_eq!(entier(999), "999");
        assert_eq!(pourcent(32, 212), "15,1\u{a0}%");
        assert_eq!(pourcent(0, 0), "–");
    }

    #[test]
    fn french_input_is_read_or_refused() {
        assert_eq!(parse_nombre("8,5"), Ok(8.5));
        assert_eq!(parse_nombre("8.5"), Ok(8.5));
        assert_eq!(parse_nombre(" 8,5 % "), Ok(8.5));
        assert_eq!(parse_nombre("8,5\u{a0}%"), Ok(8.5));
        assert_eq!(parse_nombre("1\u{202f}600"), Ok(1600.0));
        assert_eq!(parse_nombre("1 600"), Ok(1600.0));
        assert_eq!(parse_nombre("-2"), Ok(-2.0));
        for bad in ["", "abc", "8,5,1", "8.5.1", "5-3", "%", "8 ,5x"] {
            assert!(parse_nombre(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_pourcentage("27,5"), Ok(27.5));
        assert!(parse_pourcentage("120").is_err());
        assert!(parse_pourcentage("-1").is_err());
        assert_eq!(parse_entier("1 600"), Ok(1600));
        assert!(parse_entier("4,5").is_err());
        assert!(parse_entier("-4").is_err());
    }

    #[test]
    fn percentages_and_elisions() {
        assert_eq!(pourcentage(32.0 / 212.0), "15,1\u{a0}%");
        assert_eq!(pourcentage(0.3), "30,0\u{a0}%");
        assert_eq!(commune_de("Ornex"), "commune d'Ornex");
        assert_eq!(commune_de("Biot"), "commune de Biot");
        assert_eq!(commune_de("Le Cannet"), "commune du Cannet");
        assert_eq!(commune_de("Les Adrets-de-l'Estérel"), "commune des Adrets-de-l'Estérel");
        assert_eq!(commune_de("Hyères"), "commune d'Hyères");
        assert_eq!(a_commune("Le Cannet"), "au Cannet");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(csv_safe("=1+1"), "'=1+1");
        assert_eq!(csv_safe("-5"), "'-5");
        assert_eq!(csv_safe("@SUM"), "'@SUM");
        assert_eq!(csv_safe("Antibes"), "Antibes");
    }
}
