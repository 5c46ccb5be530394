//! The words of the domain (see `domaine.md`): a dwelling (`Logement`), who holds its
//! reservation right (`Reservataire`), its size (`Typologie`) and its funding (`Financement`).

mod champs;
mod lignes;
mod menage;
mod reference_logement;
mod regle;
mod reservataire;
mod soustrait;
mod suivi;

pub use champs::*;
pub use lignes::*;
pub use menage::*;
pub use reference_logement::{RefLogement, RefLogementInvalide};
pub use regle::Regle;
pub use reservataire::{Portee, Reservataire, ReservataireInvalide, reservataire_compte};
use serde::Serialize;
pub use soustrait::Soustrait;
use std::fmt;
pub use suivi::*;

/// Funding category of a dwelling, after the correspondence table of the dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Financement {
    #[serde(rename = "PLAI")]
    Plai,
    #[serde(rename = "PLUS")]
    Plus,
    #[serde(rename = "PLS")]
    Pls,
    #[serde(rename = "PLI")]
    Pli,
    Autre,
}

impl Financement {
    pub const ALL: [Financement; 5] = [Self::Plai, Self::Plus, Self::Pls, Self::Pli, Self::Autre];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plai => "PLAI",
            Self::Plus => "PLUS",
            Self::Pls => "PLS",
            Self::Pli => "PLI",
            Self::Autre => "Autre",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Financement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The grid column a typology is counted in: T1 (chambre, studio, T1, T1 bis) ... T6+.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TypologieGrille {
    T1,
    T2,
    T3,
    T4,
    T5,
    #[serde(rename = "T6+")]
    T6Plus,
}

impl TypologieGrille {
    pub const ALL: [TypologieGrille; 6] = [Self::T1, Self::T2, Self::T3, Self::T4, Self::T5, Self::T6Plus];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::T1 => "T1",
            Self::T2 => "T2",
            Self::T3 => "T3",
            Self::T4 => "T4",
            Self::T5 => "T5",
            Self::T6Plus => "T6+",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s.trim())
    }
}

impl fmt::Display for TypologieGrille {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The typology of a dwelling as the bailleur declared it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Typologie {
    Chambre,
    Studio,
    /// `T<n>` with `bis` when declared so (T1 bis, T3 bis...).
    Pieces {
        n: u8,
        bis: bool,
    },
}

impl Typologie {
    pub fn grille(self) -> TypologieGrille {
        match self {
            Self::Chambre | Self::Studio => TypologieGrille::T1,
            Self::Pieces { n, .. } => match n {
                0 | 1 => TypologieGrille::T1,
                2 => TypologieGrille::T2,
                3 => TypologieGrille::T3,
                4 => TypologieGrille::T4,
                5 => TypologieGrille::T5,
                _ => TypologieGrille::T6Plus,
            },
        }
    }

    pub fn label(self) -> String {
        let mut s = String::new();
        self.ecrire_label(&mut s);
        s
    }

    /// [`Typologie::label`] written at the end of `out`, without allocating (an import writes
    /// it for every dwelling).
    pub fn ecrire_label(self, out: &mut String) {
        match self {
            Self::Chambre => out.push_str("Chambre"),
            Self::Studio => out.push_str("Studio"),
            Self::Pieces { n, bis } => {
                out.push('T');
                if n >= 100 {
                    out.push(char::from(b'0' + n / 100));
                }
                if n >= 10 {
                    out.push(char::from(b'0' + n / 10 % 10));
                }
                out.push(char::from(b'0' + n % 10));
                if bis {
                    out.push_str("bis");
                }
            }
        }
    }

    pub fn from_label(s: &str) -> Option<Self> {
        match s {
            "Chambre" => Some(Self::Chambre),
            "Studio" => Some(Self::Studio),
            _ => {
                let rest = s.strip_prefix('T')?;
                let (num, bis) = match rest.strip_suffix("bis") {
                    Some(n) => (n, true),
                    None => (rest, false),
                };
                Some(Self::Pieces { n: num.parse().ok()?, bis })
            }
        }
    }
}

/// Individual house or flat in a collective building.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndividuelCollectif {
    Individuel,
    Collectif,
}

impl IndividuelCollectif {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individuel => "individuel",
            Self::Collectif => "collectif",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "individuel" => Some(Self::Individuel),
            "collectif" => Some(Self::Collectif),
            _ => None,
        }
    }
}

/// A calendar date (proleptic Gregorian), compared and printed as `AAAA-MM-JJ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// What a text says as a date, nothing guessed (see [`Date::lire_texte`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTexte {
    /// A whole date: `31/12/2023`, `31-12-2023`, `31.12.2023`, `2023-12-31`, `31 décembre 2023`.
    Date(Date),
    /// `31/12/45`: day and month, and a year of two digits whose century the text does not say.
    DeuxChiffres { jour: u8, mois: u8, annee: u8 },
    /// An integer of five digits: a date serial of a spreadsheet that lost its date format.
    Serie(u32),
    /// Not a date (a bare year, a decimal, a word, an impossible date like 31/02/2024).
    Non,
}

/// The century of two-digit years, as the user decided it for a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Siecle {
    /// `45` is 1945.
    #[serde(rename = "19")]
    Annees1900,
    /// `45` is 2045.
    #[serde(rename = "20")]
    Annees2000,
}

impl Siecle {
    pub fn as_str(self) -> &'static str {
        match self {
            Siecle::Annees1900 => "19",
            Siecle::Annees2000 => "20",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "19" | "1900" => Some(Siecle::Annees1900),
            "20" | "2000" => Some(Siecle::Annees2000),
            _ => None,
        }
    }

    /// The full year of a two-digit year.
    pub fn annee(self, aa: u8) -> i32 {
        match self {
            Siecle::Annees1900 => 1900 + aa as i32,
            Siecle::Annees2000 => 2000 + aa as i32,
        }
    }

    /// « 19xx », « 20xx ».
    pub fn label(self) -> &'static str {
        match self {
            Siecle::Annees1900 => "19xx",
            Siecle::Annees2000 => "20xx",
        }
    }
}

/// The smallest spreadsheet serial read as a date when a number (or a number written as text)
/// stands in a date cell: 10000 is 1927-05-18. Below, a number is a year, a count or a code —
/// never a date (« 3 » is not 03/01/1900, « 2024 » not 31/12/2024).
pub const SERIE_MIN: u32 = 10_000;

impl Date {
    /// Reads a date written as text, strictly: `JJ/MM/AAAA` (or with `-` or `.`), `AAAA-MM-JJ`
    /// (a time after it is ignored), `31 décembre 2023`, `JJ/MM/AA` (century not said), an
    /// integer serial of five digits. Anything else — a bare year, a decimal, a small number,
    /// an Excel error, a word, an impossible date — is [`DateTexte::Non`].
    pub fn lire_texte(raw: &str) -> DateTexte {
        let s = raw.trim();
        if s.is_empty() {
            return DateTexte::Non;
        }
        // « 2024-01-01 00:00:00 », « 2024-01-01T00:00 », « 01/01/2024 00:00 »: the date part.
        let s = s.split(['T', ' ']).next().filter(|p| p.len() >= 8).unwrap_or(s);
        if !s.is_empty() && s.len() == 5 && s.chars().all(|c| c.is_ascii_digit()) {
            return match s.parse::<u32>() {
                Ok(n) if n >= SERIE_MIN => DateTexte::Serie(n),
                _ => DateTexte::Non,
            };
        }
        let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
        if parts.len() == 3 && parts.iter().all(|p| (1..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
        {
            let sep: Vec<char> = s.chars().filter(|c| matches!(c, '/' | '-' | '.')).collect();
            if sep[0] != sep[1] {
                return DateTexte::Non;
            }
            // At most four digits each, so every part parses (found by fuzzing: 3132222222221/22/32).
            let nums: Vec<i32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            let (Ok(m), Ok(j)) =
                (u8::try_from(nums[1]), u8::try_from(if parts[0].len() == 4 { nums[2] } else { nums[0] }))
            else {
                return DateTexte::Non;
            };
            if parts[0].len() == 4 {
                return Date::new(nums[0], m, j).map_or(DateTexte::Non, DateTexte::Date);
            }
            if parts[0].len() > 2 {
                return DateTexte::Non;
            }
            return match parts[2].len() {
                4 => Date::new(nums[2], m, j).map_or(DateTexte::Non, DateTexte::Date),
                2 => {
                    let aa = nums[2] as u8;
                    // The day and the month must be possible in both centuries (29/02 is checked
                    // once the century is known).
                    if Date::new(2000 + aa as i32, m, j).is_some() || Date::new(1900 + aa as i32, m, j).is_some() {
                        DateTexte::DeuxChiffres { jour: j, mois: m, annee: aa }
                    } else {
                        DateTexte::Non
                    }
                }
                _ => DateTexte::Non,
            };
        }
        // 31 décembre 2023
        let words: Vec<String> = crate::text::key(raw).split(' ').map(str::to_string).collect();
        if words.len() == 3 {
            const MONTHS: [&str; 12] = [
                "janvier",
                "fevrier",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "aout",
                "septembre",
                "octobre",
                "novembre",
                "decembre",
            ];
            let d = words[0].trim_end_matches("er").parse().ok();
            let m = MONTHS.iter().position(|m| *m == words[1]).map(|m| m as u8 + 1);
            let y = Some(&words[2]).filter(|y| y.len() == 4).and_then(|y| y.parse().ok());
            if let (Some(d), Some(m), Some(y)) = (d, m, y) {
                return Date::new(y, m, d).map_or(DateTexte::Non, DateTexte::Date);
            }
        }
        DateTexte::Non
    }

    /// A date typed by a person (`26/04/2024`, `2024-04-26`, `26 avril 2024`, `26/04/24` for
    /// 2024): the strict reader of [`Date::lire_texte`], two-digit years in 20xx.
    pub fn from_text(raw: &str) -> Option<Date> {
        match Self::lire_texte(raw) {
            DateTexte::Date(d) => Some(d),
            DateTexte::DeuxChiffres { jour, mois, annee } => Date::new(2000 + annee as i32, mois, jour),
            DateTexte::Serie(_) | DateTexte::Non => None,
        }
    }

    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || !(1800..=2200).contains(&year)
        {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// From an Excel serial day number (1900 date system: 1 = 1900-01-01, with Excel's
    /// phantom 1900-02-29, so serials from 61 are one day ahead of a plain count).
    pub fn from_excel_serial(serial: f64) -> Option<Self> {
        if !serial.is_finite() || serial < 1.0 {
            return None;
        }
        let mut days = serial.floor() as i64;
        if days >= 60 {
            days -= 1;
        }
        // 1899-12-31 is day 0.
        Self::from_days_since_epoch(days - 1 + days_from_civil(1900, 1, 1))
    }

    fn from_days_since_epoch(z: i64) -> Option<Self> {
        let (y, m, d) = civil_from_days(z);
        Self::new(i32::try_from(y).ok()?, m as u8, d as u8)
    }

    pub fn parse_iso(s: &str) -> Option<Self> {
        let mut it = s.trim().splitn(3, '-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        Self::new(y, m, d)
    }

    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(self.year as i64, self.month as i64, self.day as i64)
    }

    pub fn add_days(self, n: i64) -> Option<Self> {
        Self::from_days_since_epoch(self.days_since_epoch() + n)
    }

    /// 0 = Monday ... 6 = Sunday.
    pub fn weekday(self) -> u8 {
        (self.days_since_epoch() + 3).rem_euclid(7) as u8
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written digit by digit (every dwelling's end of convention is written so at import).
        if (0..=9999).contains(&self.year) && self.month <= 99 && self.day <= 99 {
            let (y, m, d) = (self.year as u32, self.month as u32, self.day as u32);
            let c = |n: u32| b'0' + (n % 10) as u8;
            let t = [c(y / 1000), c(y / 100), c(y / 10), c(y), b'-', c(m / 10), c(m), b'-', c(d / 10), c(d)];
            return f.write_str(std::str::from_utf8(&t).map_err(|_| fmt::Error)?);
        }
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's algorithms: days since 1970-01-01 <-> civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// One dwelling of the active stock or of an import, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Logement {
    pub bailleur: String,
    pub reference: String,
    pub commune: String,
    pub epci: String,
    pub reservataire: Reservataire,
    pub financement: Financement,
    pub typologie: Typologie,
    pub qpv: bool,
    pub individuel_collectif: IndividuelCollectif,
    pub date_fin_convention: Option<Date>,
    pub annee_construction: Option<i32>,
    pub nature: Option<String>,
}

impl Logement {
    /// A State PLUS studio of Antibes (CASA), for the tests of each step.
    #[cfg(test)]
    pub fn exemple() -> Logement {
        Logement {
            bailleur: "B".into(),
            reference: "1".into(),
            commune: "06004".into(),
            epci: "240600585".into(),
            reservataire: Reservataire::ETAT,
            financement: Financement::Plus,
            typologie: Typologie::Studio,
            qpv: false,
            individuel_collectif: IndividuelCollectif::Collectif,
            date_fin_convention: None,
            annee_construction: None,
            nature: None,
        }
    }

    /// An extinct right: a reservation whose convention ended strictly before the reference date.
    pub fn is_echu(&self, date_reference: Date) -> bool {
        !self.reservataire.is_non_reserve() && self.date_fin_convention.is_some_and(|d| d < date_reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates written digit by digit are written as `{:04}-{:02}-{:02}` writes them.
    #[test]
    fn dates_are_written_as_iso() {
        let d = |year, month, day| Date { year, month, day }.to_string();
        assert_eq!(d(2030, 12, 31), "2030-12-31");
        assert_eq!(d(1900, 1, 1), "1900-01-01");
        assert_eq!(d(5, 3, 7), "0005-03-07");
        assert_eq!(d(9999, 99, 99), "9999-99-99");
        assert_eq!(d(10_000, 1, 2), "10000-01-02");
        assert_eq!(d(-1, 1, 2), "-001-01-02");
        assert_eq!(d(2024, 100, 255), "2024-100-255");
        assert_eq!(format!("[{:>12}]", Date { year: 2024, month: 2, day: 29 }), "[2024-02-29]");
    }

    /// The label written without allocating is the label, for every number of rooms, and reads
    /// back to the same typology.
    #[test]
    fn typology_labels_written_in_place_are_the_labels() {
        assert_eq!(Typologie::Pieces { n: 3, bis: false }.label(), "T3");
        assert_eq!(Typologie::Pieces { n: 12, bis: true }.label(), "T12bis");
        assert_eq!(Typologie::Pieces { n: 255, bis: false }.label(), "T255");
        assert_eq!(Typologie::Pieces { n: 0, bis: false }.label(), "T0");
        assert_eq!(Typologie::Studio.label(), "Studio");
        let mut t = String::from("x");
        Typologie::Chambre.ecrire_label(&mut t);
        assert_eq!(t, "xChambre");
        for n in 0..=u8::MAX {
            for bis in [false, true] {
                let ty = Typologie::Pieces { n, bis };
                let attendu = if bis { format!("T{n}bis") } else { format!("T{n}") };
                assert_eq!(ty.label(), attendu);
                assert_eq!(Typologie::from_label(&attendu), Some(ty));
            }
        }
    }

    #[test]
    fn excel_serials_convert_to_dates() {
        assert_eq!(Date::from_excel_serial(45292.0), Date::new(2024, 1, 1));
        assert_eq!(Date::from_excel_serial(45291.0), Date::new(2023, 12, 31));
        assert_eq!(Date::from_excel_serial(1.0), Date::new(1900, 1, 1));
        assert_eq!(Date::from_excel_serial(61.0), Date::new(1900, 3, 1));
    }

    #[test]
    fn typologies_group_into_grid_buckets() {
        assert_eq!(Typologie::Studio.grille(), TypologieGrille::T1);
        assert_eq!(Typologie::Pieces { n: 1, bis: true }.grille(), TypologieGrille::T1);
        assert_eq!(Typologie::Pieces { n: 3, bis: true }.grille(), TypologieGrille::T3);
        assert_eq!(Typologie::Pieces { n: 7, bis: false }.grille(), TypologieGrille::T6Plus);
        let t = Typologie::Pieces { n: 3, bis: true };
        assert_eq!(Typologie::from_label(&t.label()), Some(t));
    }

    #[test]
    fn an_extinct_right_ends_strictly_before_the_reference_date() {
        let dr = Date::new(2024, 1, 1).unwrap();
        let mut l = Logement { date_fin_convention: Date::new(2023, 12, 31), ..Logement::exemple() };
        assert!(l.is_echu(dr));
        l.date_fin_convention = Date::new(2024, 1, 1);
        assert!(!l.is_echu(dr));
        l.date_fin_convention = Date::new(2020, 1, 1);
        l.reservataire = Reservataire::non_reserve();
        assert!(!l.is_echu(dr));
    }

    #[test]
    fn weekdays() {
        assert_eq!(Date::new(2024, 1, 1).unwrap().weekday(), 0);
        assert_eq!(Date::new(2026, 11, 25).unwrap().weekday(), 2);
    }
}
