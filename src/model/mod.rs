//! The words of the domain (see `domaine.md`): a dwelling (`Logement`), who holds its
//! reservation right (`Reservataire`), its size (`Typologie`) and its funding (`Financement`).

mod lignes;

pub use lignes::*;
use serde::Serialize;
use std::fmt;

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
        match self {
            Self::Chambre => "Chambre".into(),
            Self::Studio => "Studio".into(),
            Self::Pieces { n, bis: false } => format!("T{n}"),
            Self::Pieces { n, bis: true } => format!("T{n}bis"),
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

/// The canonical id of a réservataire: `etat`, `etat-fonctionnaires`, `action-logement`,
/// `commune:<INSEE>`, `epci:<SIREN>`, `departement:<code>`, `region:<code>`, `defense`,
/// `autre:<slug>` or `non-reserve`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Reservataire(pub String);

impl Reservataire {
    pub const NON_RESERVE: &'static str = "non-reserve";
    pub const ETAT: &'static str = "etat";
    pub const ETAT_FONCTIONNAIRES: &'static str = "etat-fonctionnaires";
    pub const ACTION_LOGEMENT: &'static str = "action-logement";
    pub const DEFENSE: &'static str = "defense";

    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn non_reserve() -> Self {
        Self(Self::NON_RESERVE.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_non_reserve(&self) -> bool {
        self.0 == Self::NON_RESERVE
    }

    /// Whether a string is a well-formed canonical id (used to validate user mappings).
    pub fn is_valid_id(id: &str) -> bool {
        match id.split_once(':') {
            None => matches!(
                id,
                Self::NON_RESERVE | Self::ETAT | Self::ETAT_FONCTIONNAIRES | Self::ACTION_LOGEMENT | Self::DEFENSE
            ),
            Some((kind, rest)) => {
                !rest.is_empty()
                    && matches!(kind, "commune" | "epci" | "departement" | "region" | "autre")
                    && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }
        }
    }
}

impl fmt::Display for Reservataire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A calendar date (proleptic Gregorian), compared and printed as `AAAA-MM-JJ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A date written as text: `31/12/2023`, `31-12-2023`, `2023-12-31`, `31/12/23`,
    /// `31 décembre 2023`, an Excel serial as text, or a bare year (its 31 December).
    pub fn from_text(raw: &str) -> Option<Date> {
        let s = raw.trim();
        let s = s.split(['T', ' ']).next().filter(|p| p.len() >= 8).unwrap_or(s);
        if s.is_empty() {
            return None;
        }
        if let Ok(n) = s.parse::<f64>() {
            if (1800.0..=2200.0).contains(&n) && n.fract() == 0.0 {
                return Date::new(n as i32, 12, 31);
            }
            if (2.0..=100_000.0).contains(&n) {
                return Date::from_excel_serial(n);
            }
            return None;
        }
        let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
        if parts.len() == 3 && parts.iter().all(|p| (1..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
        {
            // At most four digits each, so every part parses (found by fuzzing: 3132222222221/22/32).
            let nums: Vec<i32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            if parts[0].len() == 4 {
                return Date::new(nums[0], u8::try_from(nums[1]).ok()?, u8::try_from(nums[2]).ok()?);
            }
            let year = match parts[2].len() {
                4 => nums[2],
                2 => {
                    if nums[2] < 70 {
                        2000 + nums[2]
                    } else {
                        1900 + nums[2]
                    }
                }
                _ => return None,
            };
            if nums[1] > 12 || nums[0] > 31 {
                return None;
            }
            return Date::new(year, nums[1] as u8, nums[0] as u8);
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
            let d = words[0].trim_end_matches("er").parse().ok()?;
            let m = MONTHS.iter().position(|m| *m == words[1])? as u8 + 1;
            let y = words[2].parse().ok()?;
            return Date::new(y, m, d);
        }
        None
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
            reservataire: Reservataire::new("etat"),
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
