//! Finding the header row of a sheet (wherever it is, on one or two rows) and mapping its
//! columns to the fields of a dwelling, by scoring each label against known synonyms.

use super::cell::cell_text;
use crate::text::key;
use calamine::{Data, Range};
use serde::Serialize;

pub use crate::model::Field;

/// The labels of a field in bailleurs' headers: (exact labels, words or phrases that are
/// enough when contained in the label).
fn synonyms(f: Field) -> (&'static [&'static str], &'static [&'static str]) {
    {
        match f {
            Field::Reference => (
                &[
                    "reference",
                    "ref",
                    "ref lgt",
                    "reflgt",
                    "ref logement",
                    "ref log",
                    "reference logement",
                    "reference du logement",
                    "n logement",
                    "no logement",
                    "num logement",
                    "numero logement",
                    "numero de logement",
                    "n de logement",
                    "n lgt",
                    "num lgt",
                    "identifiant",
                    "identifiant logement",
                    "identifiant du logement",
                    "id logement",
                    "id",
                    "id lgt",
                    "code logement",
                    "code lgt",
                    "matricule",
                    "ref bailleur",
                    "reference bailleur",
                    "reference interne",
                    "n",
                    "numero",
                    "lot",
                    "n lot",
                    "numero lot",
                    "ref interne",
                    "cle logement",
                    "ref logt",
                    "reference logt",
                    "n logt",
                    "num logt",
                    "n du logement",
                    "numero du logement",
                ],
                &[
                    "reference logement",
                    "ref logement",
                    "n logement",
                    "numero logement",
                    "identifiant logement",
                    "code logement",
                    "ref lgt",
                ],
            ),
            Field::Reservataire => (
                &[
                    "reservataire",
                    "reservataires",
                    "contingent",
                    "contingents",
                    "titulaire du droit",
                    "organisme reservataire",
                    "titulaire",
                    "beneficiaire",
                    "reservation",
                    "type de reservation",
                    "type reservation",
                    "type contingent",
                    "contingent reservataire",
                    "reservataire du logement",
                    "nom reservataire",
                    "nom du reservataire",
                    "reservataire actuel",
                    "droit de reservation",
                    "titulaire droit",
                    "titulaire du droit de reservation",
                    "reserve par",
                    "reservant",
                    "contingent de reservation",
                    "attributaire",
                    "organisme attributaire",
                ],
                &["reservataire", "contingent", "titulaire", "attributaire"],
            ),
            Field::Commune => (
                &[
                    "commune",
                    "ville",
                    "nom commune",
                    "libelle commune",
                    "nom de la commune",
                    "localite",
                    "commune du logement",
                    "lib commune",
                    "commune logement",
                    "nom ville",
                    "libelle de la commune",
                    "nom commune insee",
                    "lieu",
                ],
                &["commune", "ville", "localite"],
            ),
            Field::CodeInsee => (
                &[
                    "code insee",
                    "insee",
                    "code commune",
                    "cog",
                    "depcom",
                    "code insee commune",
                    "n insee",
                    "code commune insee",
                    "codgeo",
                    "cod insee",
                    "insee commune",
                    "code geo",
                    "code insee de la commune",
                ],
                &["insee"],
            ),
            Field::CodePostal => (&["code postal", "cp", "code post", "postal", "c postal"], &["postal"]),
            Field::Typologie => (
                &[
                    "typologie",
                    "typo",
                    "type",
                    "type logement",
                    "type de logement",
                    "typ",
                    "typologie logement",
                    "type lgt",
                    "typ lgt",
                    "typ log",
                    "type log",
                    "t",
                    "nb pieces",
                    "nombre de pieces",
                    "nombre pieces",
                    "pieces",
                    "nb piece",
                    "nbre pieces",
                    "nb de pieces",
                    "taille",
                    "typologie du logement",
                    "type f",
                    "type t",
                ],
                &["typolog", "pieces"],
            ),
            Field::Financement => (
                &[
                    "financement",
                    "financt",
                    "fin",
                    "financ",
                    "type de financement",
                    "type financement",
                    "mode de financement",
                    "financement initial",
                    "finan",
                    "categorie de financement",
                    "categorie financement",
                    "financement d origine",
                    "nature du financement",
                    "nature financement",
                    "prod fin",
                    "produit",
                    "agrement",
                    "type de pret",
                ],
                &["financ"],
            ),
            Field::Qpv => (
                &[
                    "qpv",
                    "quartier prioritaire",
                    "en qpv",
                    "situe en qpv",
                    "zone qpv",
                    "code qpv",
                    "qpv o n",
                    "qpv oui non",
                    "quartier politique de la ville",
                    "qp",
                    "qpv hors qpv",
                    "localisation qpv",
                    "qpv hqpv",
                    "qpv hors qpv",
                ],
                &["qpv", "quartier prioritaire", "politique de la ville"],
            ),
            Field::IndividuelCollectif => (
                &[
                    "individuel collectif",
                    "ind coll",
                    "indcoll",
                    "ind col",
                    "i c",
                    "type habitat",
                    "type d habitat",
                    "indiv coll",
                    "collectif individuel",
                    "individuel ou collectif",
                    "coll ind",
                    "type de bati",
                    "type batiment",
                    "type immeuble",
                    "nature du bati",
                    "forme urbaine",
                    "type de construction",
                    "ic",
                ],
                &["individuel", "collectif"],
            ),
            Field::DateFinConvention => (
                &[
                    "date fin convention",
                    "date fin conv",
                    "date de fin",
                    "fin de convention",
                    "echeance",
                    "date echeance",
                    "date fin reservation",
                    "fin reservation",
                    "date de fin de convention",
                    "fin convention",
                    "date fin",
                    "date fin de reservation",
                    "date d echeance",
                    "echeance convention",
                    "date expiration",
                    "fin du droit",
                    "date fin droit",
                    "date de fin du droit",
                    "date de fin de reservation",
                    "fin de reservation",
                    "dt fin conv",
                ],
                &[
                    "echeance",
                    "fin conv",
                    "fin de conv",
                    "fin de reserv",
                    "fin reserv",
                    "date fin",
                    "date de fin",
                    "expiration",
                ],
            ),
            Field::AnneeConstruction => (
                &[
                    "annee construction",
                    "annee const",
                    "annee de construction",
                    "date construction",
                    "annee mise en service",
                    "annee de mise en service",
                    "date de construction",
                    "annee",
                    "construction",
                    "an const",
                    "date mise en service",
                    "mise en service",
                    "annee constr",
                    "annee de constr",
                ],
                &["construction", "mise en service", "annee const"],
            ),
            Field::Bailleur => (
                &[
                    "bailleur",
                    "organisme",
                    "nom bailleur",
                    "organisme hlm",
                    "bailleur social",
                    "nom du bailleur",
                    "raison sociale",
                    "organisme gestionnaire",
                    "gestionnaire",
                    "proprietaire",
                    "societe",
                ],
                &["bailleur"],
            ),
            Field::Nature => (
                &[
                    "nature",
                    "type de logement",
                    "categorie",
                    "nature du logement",
                    "categorie de logement",
                    "type de residence",
                    "nature logement",
                    "categorie logement",
                    "type residence",
                    "categorie du logement",
                    "type de structure",
                ],
                &["nature"],
            ),
            Field::Rpls => (&["rpls", "identifiant rpls", "n rpls", "id rpls", "code rpls"], &["rpls"]),
            Field::Surface => {
                (&["surface", "surf hab", "surface habitable", "shab", "sh", "surf", "surface m2"], &["surface"])
            }
            Field::Loyer => (&["loyer", "loyer principal", "montant loyer"], &["loyer"]),
            Field::Adresse => (&["adresse", "adresse du logement", "voie", "rue"], &["adresse"]),
            Field::Residence => (
                &[
                    "residence",
                    "nom residence",
                    "programme",
                    "groupe",
                    "ensemble immobilier",
                    "nom du programme",
                    "batiment",
                ],
                &["residence", "programme"],
            ),
            Field::Etage => (&["etage", "niveau", "n etage"], &["etage"]),
            Field::TauxRotation => (&["taux de rotation", "rotation", "taux rotation"], &["rotation"]),
        }
    }
}

/// How well a header label names a field: what the import knows of bailleurs' headers.
pub trait ScoreEnTete {
    /// 10 exact, 6 contained, 0 not at all.
    fn score(self, label_key: &str) -> u32;
}

impl ScoreEnTete for Field {
    fn score(self, label_key: &str) -> u32 {
        // « N° », « No », « Numéro » alone often number the rows: the dwelling reference only
        // when no column says more (« N° logement », « Réf », « REF_LGT »).
        if self == Field::Reference && is_bare_number_label(label_key) {
            return 2;
        }
        let (exact, contains) = synonyms(self);
        let s = score_synonymes(label_key, exact, contains, false);
        if s != 6 {
            return s;
        }
        // A reference to something else than the dwelling.
        if self == Field::Reference
            && ["convention", "rpls", "programme", "reservation"].iter().any(|w| label_key.contains(w))
        {
            return 0;
        }
        if self == Field::Commune && label_key.contains("code") {
            return 0;
        }
        6
    }
}

/// « N° », « No », « Num », « Numéro », « # » alone: a number, of the row or of the dwelling.
pub fn is_bare_number_label(label_key: &str) -> bool {
    ["n", "no", "num", "numero", "nr", "n o"].contains(&label_key)
}

/// How well a header label key matches synonyms: 10 for an exact one, 6 when it contains one
/// (a short one only at the start of a word, or as a whole word when `mot_entier`), else 0.
/// Shared by the états des lieux and the registers of the follow-up.
pub fn score_synonymes(label_key: &str, exact: &[&str], contains: &[&str], mot_entier: bool) -> u32 {
    if label_key.is_empty() {
        return 0;
    }
    if exact.contains(&label_key) {
        return 10;
    }
    let padded = format!(" {label_key} ");
    let end = if mot_entier { " " } else { "" };
    let hit = contains
        .iter()
        .any(|w| if w.len() <= 6 { padded.contains(&format!(" {w}{end}")) } else { label_key.contains(w) });
    if hit { 6 } else { 0 }
}

/// The header found in a sheet: where it is and which column holds which field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderMatch {
    /// Index (in the sheet's range) of the first header row.
    pub row: usize,
    /// 1 or 2 header rows.
    pub rows: usize,
    pub labels: Vec<String>,
    pub columns: Vec<(Field, usize)>,
    pub score: u32,
}

impl HeaderMatch {
    pub fn column(&self, f: Field) -> Option<usize> {
        self.columns.iter().find(|(g, _)| *g == f).map(|(_, c)| *c)
    }

    pub fn column_field(&self, c: usize) -> Option<Field> {
        self.columns.iter().find(|(_, col)| *col == c).map(|(f, _)| *f)
    }

    /// Maps a column to a field chosen by the user (or ignores it); a field sits in one column.
    pub fn set_column(&mut self, c: usize, f: Option<Field>) {
        self.columns.retain(|(g, col)| *col != c && Some(*g) != f);
        if let Some(f) = f {
            self.columns.push((f, c));
            self.columns.sort_by_key(|(_, col)| *col);
        }
    }

    pub fn data_start(&self) -> usize {
        self.row + self.rows
    }

    /// Whether the header names the dwelling reference and the réservataire.
    pub fn has_mandatory(&self) -> bool {
        self.column(Field::Reference).is_some() && self.column(Field::Reservataire).is_some()
    }

    pub fn has_commune(&self) -> bool {
        [Field::Commune, Field::CodeInsee, Field::CodePostal].iter().any(|f| self.column(*f).is_some())
    }
}

/// Assigns columns to fields from their labels, best scores first, each used once.
pub fn map_columns(labels: &[Vec<String>]) -> (Vec<(Field, usize)>, u32) {
    let mut pairs: Vec<(u32, Field, usize)> = Vec::new();
    for (c, alternatives) in labels.iter().enumerate() {
        for f in Field::ALL {
            let s = alternatives.iter().map(|l| f.score(l)).max().unwrap_or(0);
            if s > 0 {
                pairs.push((s, f, c));
            }
        }
    }
    // Highest score first; on ties the field order of Field::ALL, then the leftmost column.
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_f = Vec::new();
    let mut used_c = Vec::new();
    let mut out = Vec::new();
    let mut total = 0;
    for (s, f, c) in pairs {
        if used_f.contains(&f) || used_c.contains(&c) {
            continue;
        }
        used_f.push(f);
        used_c.push(c);
        out.push((f, c));
        total += s;
    }
    out.sort_by_key(|(_, c)| *c);
    (out, total)
}

/// The keys a header label is scored by: the label, and when it cuts a word with a hyphen at
/// a line break (« Réserva-\ntaire », « Typo-\nlogie », « Réserva-taire »), the label with the
/// word joined again. A column scores its best key.
pub fn label_keys(label: &str) -> Vec<String> {
    let mut keys = vec![key(label)];
    let joined = join_cut_words(label);
    if joined != label {
        keys.push(key(&joined));
    }
    keys
}

/// « Réserva-\ntaire » → « Réservataire »: a hyphen (or soft hyphen) between a letter and a
/// lower-case letter, with or without a line break or spaces after it, is a word cut in two.
fn join_cut_words(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    let mut out = String::with_capacity(label.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '-' | '\u{AD}' | '\u{2010}') && i > 0 && chars[i - 1].is_alphabetic() {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if j < chars.len() && chars[j].is_lowercase() {
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

const SCAN_ROWS: usize = 60;

/// Finds the most header-like row (or pair of rows) among the first rows of a sheet.
pub fn detect_header(range: &Range<Data>) -> Option<HeaderMatch> {
    detect_header_with(range, true)
}

/// Like [`detect_header`]; without `require_reservataire` a header naming the reference and
/// the commune suffices (sheets named after their réservataire).
pub fn detect_header_with(range: &Range<Data>, require_reservataire: bool) -> Option<HeaderMatch> {
    detect(range, if require_reservataire { Exige::Reservataire } else { Exige::Commune })
}

/// The most header-like row of a sheet whatever it names (at least two known columns): what
/// a refusal says was found.
pub fn detect_any_header(range: &Range<Data>) -> Option<HeaderMatch> {
    detect(range, Exige::Rien)
}

/// What a header must name besides the reference.
#[derive(Clone, Copy, PartialEq)]
enum Exige {
    Reservataire,
    Commune,
    Rien,
}

fn detect(range: &Range<Data>, exige: Exige) -> Option<HeaderMatch> {
    let width = range.width();
    let rows: Vec<Vec<String>> =
        range.rows().take(SCAN_ROWS).map(|r| r.iter().map(|c| cell_text(c).into_owned()).collect()).collect();
    let mut best: Option<HeaderMatch> = None;
    let singles: Vec<(Vec<(Field, usize)>, u32)> = rows
        .iter()
        .map(|row| {
            map_columns(
                &(0..width).map(|c| label_keys(row.get(c).map(String::as_str).unwrap_or(""))).collect::<Vec<_>>(),
            )
        })
        .collect();
    for i in 0..rows.len() {
        let (cols, score) = singles[i].clone();
        let labels = rows[i].clone();
        consider(&mut best, exige, HeaderMatch { row: i, rows: 1, labels, columns: cols, score });
        if i + 1 < rows.len() && rows[i].iter().any(|c| !c.trim().is_empty()) {
            // Two header rows: the upper row's merged labels spread over the columns below.
            let mut upper = String::new();
            let mut alts = Vec::with_capacity(width);
            let mut labels = Vec::with_capacity(width);
            for c in 0..width {
                let u = rows[i].get(c).map(String::as_str).unwrap_or("").trim();
                let l = rows[i + 1].get(c).map(String::as_str).unwrap_or("").trim();
                if !u.is_empty() {
                    upper = u.to_string();
                } else if l.is_empty() {
                    upper.clear();
                }
                let combined = format!("{upper} {l}");
                // A label on the lower row refines the upper one; alone, the upper one stands.
                let mut alt = label_keys(&combined);
                alt.extend(label_keys(if l.is_empty() { u } else { l }));
                alts.push(alt);
                labels.push(combined.trim().to_string());
            }
            let (cols, score) = map_columns(&alts);
            // Two rows only when the upper one adds to what the lower one says alone.
            if score <= singles[i + 1].1 {
                continue;
            }
            consider(&mut best, exige, HeaderMatch { row: i, rows: 2, labels, columns: cols, score });
        }
    }
    best
}

fn consider(best: &mut Option<HeaderMatch>, exige: Exige, cand: HeaderMatch) {
    let enough = match exige {
        Exige::Reservataire => cand.has_mandatory(),
        Exige::Commune => cand.column(Field::Reference).is_some() && cand.has_commune(),
        Exige::Rien => true,
    };
    if !enough || cand.columns.len() < 2 {
        return;
    }
    let better = match best {
        None => true,
        Some(b) => cand.score > b.score,
    };
    if better {
        *best = Some(cand);
    }
}

/// The mapping given by one chosen row (the user picked the header row by hand).
pub fn header_at_row(range: &Range<Data>, i: usize) -> HeaderMatch {
    let width = range.width();
    let row: Vec<String> =
        range.rows().nth(i).map(|r| r.iter().map(|c| cell_text(c).into_owned()).collect()).unwrap_or_default();
    let keys: Vec<Vec<String>> = (0..width).map(|c| label_keys(row.get(c).map(String::as_str).unwrap_or(""))).collect();
    let (columns, score) = map_columns(&keys);
    HeaderMatch { row: i, rows: 1, labels: row, columns, score }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(rows: &[&[&str]]) -> Range<Data> {
        let w = rows.iter().map(|r| r.len()).max().unwrap();
        let mut r = Range::new((0, 0), (rows.len() as u32 - 1, w as u32 - 1));
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    r.set_value((i as u32, j as u32), Data::String(v.to_string()));
                }
            }
        }
        r
    }

    #[test]
    fn abbreviated_headers_below_title_rows() {
        let r = range(&[
            &["Etat des lieux des réservations au 01/01/2024", "", "", "", "", ""],
            &["", "", "", "", "", ""],
            &["REF_LGT", "CODE_INSEE", "COMMUNE", "CONTINGENT", "TYPO", "FINANCT"],
            &["0040123", "6152", "VALBONNE", "PREF", "T3", "PLUS"],
        ]);
        let h = detect_header(&r).unwrap();
        assert_eq!(h.row, 2);
        assert_eq!(h.rows, 1);
        assert_eq!(h.column(Field::Reference), Some(0));
        assert_eq!(h.column(Field::CodeInsee), Some(1));
        assert_eq!(h.column(Field::Commune), Some(2));
        assert_eq!(h.column(Field::Reservataire), Some(3));
        assert_eq!(h.column(Field::Typologie), Some(4));
        assert_eq!(h.column(Field::Financement), Some(5));
    }

    #[test]
    fn two_row_merged_headers() {
        let r = range(&[
            &["Référence", "Commune", "", "Réservataire", "Typologie"],
            &["", "Code INSEE", "Nom", "", ""],
            &["1", "06004", "Antibes", "Etat", "T2"],
        ]);
        let h = detect_header(&r).unwrap();
        assert_eq!(h.rows, 2);
        assert_eq!(h.data_start(), 2);
        assert_eq!(h.column(Field::Reference), Some(0));
        assert_eq!(h.column(Field::CodeInsee), Some(1));
        assert_eq!(h.column(Field::Commune), Some(2));
        assert_eq!(h.column(Field::Reservataire), Some(3));
    }

    #[test]
    fn a_pivot_sheet_is_not_a_header() {
        let r = range(&[&["Réservataire", "Antibes", "Vallauris", "Total"], &["Etat", "12", "3", "15"]]);
        assert!(detect_header(&r).is_none());
    }

    #[test]
    fn reservation_end_dates_are_not_references() {
        assert_eq!(Field::Reference.score(&key("Réf. convention")), 0);
        assert_eq!(Field::DateFinConvention.score(&key("Date de fin de convention")), 10);
        assert_eq!(Field::IndividuelCollectif.score(&key("IND/COLL")), 10);
        assert_eq!(Field::Typologie.score(&key("NB_PIECES")), 10);
    }

    #[test]
    fn attributaire_and_words_cut_by_a_hyphen_name_their_field() {
        assert_eq!(Field::Reservataire.score(&key("Attributaire")), 10);
        assert_eq!(label_keys("Réserva-\ntaire"), vec!["reserva taire".to_string(), "reservataire".to_string()]);
        assert_eq!(label_keys("Réserva- taire")[1], "reservataire");
        // Not a cut word: a hyphen before a capital, or between two words kept as they are.
        assert_eq!(label_keys("Code-INSEE"), vec!["code insee".to_string()]);
        for reservataire in ["Réserva-\ntaire", "Réserva-taire", "Attributaire"] {
            let r = range(&[
                &["Réf", "Commune", reservataire, "Typo-\nlogie", "Finance-\nment"],
                &["A1", "Antibes", "Préfecture", "T2", "PLUS"],
            ]);
            let h = detect_header(&r).unwrap();
            assert_eq!(h.column(Field::Reservataire), Some(2), "{reservataire}");
            assert_eq!(h.column(Field::Typologie), Some(3));
            assert_eq!(h.column(Field::Financement), Some(4));
        }
    }
}
