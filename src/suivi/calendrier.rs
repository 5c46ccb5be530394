//! French working days and the reply deadline of a mise à disposition (domaine.md, « Reply
//! deadline »): 15 jours ouvrés after the day of mise à disposition for a 1-month notice, one
//! month for a 3-month notice (moved to the next jour ouvré), or a number of days a convention
//! sets. Public holidays are computed for each year, Easter and its movable feasts included.

use crate::model::Date;

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
pub fn paques(annee: i32) -> Date {
    let a = annee % 19;
    let b = annee / 100;
    let c = annee % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(annee, month as u8, day as u8).expect("Easter is a date")
}

/// The eleven French public holidays of a year.
pub fn jours_feries(annee: i32) -> [Date; 11] {
    let p = paques(annee);
    let d = |m, j| Date::new(annee, m, j).expect("fixed holiday");
    let after = |n| p.add_days(n).expect("movable feast");
    [
        d(1, 1),
        after(1), // lundi de Pâques
        d(5, 1),
        d(5, 8),
        after(39), // Ascension
        after(50), // lundi de Pentecôte
        d(7, 14),
        d(8, 15),
        d(11, 1),
        d(11, 11),
        d(12, 25),
    ]
}

pub fn est_ferie(d: Date) -> bool {
    jours_feries(d.year).contains(&d)
}

/// Monday to Friday, except public holidays.
pub fn est_ouvre(d: Date) -> bool {
    d.weekday() < 5 && !est_ferie(d)
}

/// The `n`-th jour ouvré after `d` (not counting `d`).
pub fn ajouter_jours_ouvres(d: Date, n: u32) -> Option<Date> {
    let mut x = d;
    let mut left = n;
    while left > 0 {
        x = x.add_days(1)?;
        if est_ouvre(x) {
            left -= 1;
        }
    }
    Some(x)
}

/// The same day `n` months later, or the last day of that month (31 January + 1 month is the
/// last day of February).
pub fn ajouter_mois(d: Date, n: i32) -> Option<Date> {
    let total = d.year * 12 + (d.month as i32 - 1) + n;
    let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    (1..=d.day).rev().find_map(|day| Date::new(y, m, day))
}

/// The first jour ouvré on or after `d`.
pub fn jour_ouvre_suivant(d: Date) -> Option<Date> {
    let mut x = d;
    while !est_ouvre(x) {
        x = x.add_days(1)?;
    }
    Some(x)
}

/// How a convention sets the reply deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegleDelai {
    /// The decree's rule: 15 jours ouvrés for a 1-month notice, one month for 3 months.
    Preavis,
    /// One month from the mise à disposition whatever the notice (MTPM, CASA).
    UnMois,
    /// A number of jours ouvrés set by the convention.
    JoursOuvres(u32),
}

/// The date by which the réservataire must answer.
pub fn echeance(mise_a_disposition: Date, preavis_mois: u8, regle: RegleDelai) -> Option<Date> {
    match regle {
        RegleDelai::Preavis if preavis_mois <= 1 => ajouter_jours_ouvres(mise_a_disposition, 15),
        RegleDelai::Preavis | RegleDelai::UnMois => jour_ouvre_suivant(ajouter_mois(mise_a_disposition, 1)?),
        RegleDelai::JoursOuvres(n) => ajouter_jours_ouvres(mise_a_disposition, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, j: u8) -> Date {
        Date::new(y, m, j).unwrap()
    }

    #[test]
    fn easter_over_several_years() {
        assert_eq!(paques(2024), d(2024, 3, 31));
        assert_eq!(paques(2025), d(2025, 4, 20));
        assert_eq!(paques(2026), d(2026, 4, 5));
        assert_eq!(paques(2019), d(2019, 4, 21));
        assert_eq!(paques(2038), d(2038, 4, 25));
        assert_eq!(paques(2008), d(2008, 3, 23));
    }

    #[test]
    fn movable_feasts() {
        let f = jours_feries(2024);
        assert!(f.contains(&d(2024, 4, 1)), "lundi de Pâques");
        assert!(f.contains(&d(2024, 5, 9)), "Ascension");
        assert!(f.contains(&d(2024, 5, 20)), "lundi de Pentecôte");
        let f = jours_feries(2025);
        assert!(f.contains(&d(2025, 4, 21)) && f.contains(&d(2025, 5, 29)) && f.contains(&d(2025, 6, 9)));
        assert!(!est_ouvre(d(2024, 12, 25)));
        assert!(est_ouvre(d(2024, 12, 24)));
    }

    #[test]
    fn the_published_deadline_26_april_2024() {
        // Friday 26 April 2024, 1-month notice: 1, 8, 9 and 20 May are holidays → Thursday 23 May.
        assert_eq!(echeance(d(2024, 4, 26), 1, RegleDelai::Preavis), Some(d(2024, 5, 23)));
        // 3-month notice: one month, to the next jour ouvré (26 May 2024 is a Sunday).
        assert_eq!(echeance(d(2024, 4, 26), 3, RegleDelai::Preavis), Some(d(2024, 5, 27)));
        // 25 April 2025: 1 and 8 May are holidays → Tuesday 20 May.
        assert_eq!(echeance(d(2025, 4, 25), 1, RegleDelai::Preavis), Some(d(2025, 5, 20)));
        assert_eq!(echeance(d(2024, 4, 26), 1, RegleDelai::UnMois), Some(d(2024, 5, 27)));
        assert_eq!(echeance(d(2024, 4, 26), 1, RegleDelai::JoursOuvres(5)), Some(d(2024, 5, 6)));
    }

    #[test]
    fn one_month_from_the_31st_is_the_end_of_the_next_month() {
        assert_eq!(ajouter_mois(d(2024, 1, 31), 1), Some(d(2024, 2, 29)));
        assert_eq!(ajouter_mois(d(2025, 1, 31), 1), Some(d(2025, 2, 28)));
        assert_eq!(ajouter_mois(d(2024, 12, 15), 1), Some(d(2025, 1, 15)));
        // 28 February 2025 is a Friday: it stays.
        assert_eq!(echeance(d(2025, 1, 31), 3, RegleDelai::Preavis), Some(d(2025, 2, 28)));
    }
}
