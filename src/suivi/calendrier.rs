//! French working days and the reply deadline of a mise à disposition (domaine.md, « Reply
//! deadline »): 15 jours ouvrés after the day of mise à disposition for a 1-month notice, one
//! month for a 3-month notice (moved to the next jour ouvré), or a number of days a convention
//! sets. Public holidays are computed for each year, Easter and its movable feasts included;
//! those of the dwelling's département too (Alsace-Moselle: Good Friday and 26 December; the
//! overseas départements: the abolition of slavery), and the convention's Whit Monday.

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

/// A national public holiday (Whit Monday included).
pub fn est_ferie(d: Date) -> bool {
    jours_feries(d.year).contains(&d)
}

/// Monday to Friday, except national public holidays.
pub fn est_ouvre(d: Date) -> bool {
    Calendrier::national().est_ouvre(d)
}

/// The `n`-th jour ouvré after `d` (not counting `d`), on the national calendar.
pub fn ajouter_jours_ouvres(d: Date, n: u32) -> Option<Date> {
    Calendrier::national().ajouter_jours_ouvres(d, n)
}

/// The holidays that apply to a mise à disposition: those of the dwelling's département, and
/// the convention's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendrier {
    /// The dwelling's département (its local holidays); none: the national calendar.
    pub departement: Option<String>,
    /// Whit Monday (journée de solidarité) stays a holiday unless the convention says it is
    /// worked.
    pub lundi_pentecote_travaille: bool,
    /// Good Friday in Alsace-Moselle: presumed a holiday in all of 57, 67 and 68 (the law limits
    /// it to communes with a Protestant temple or a mixed church); a convention may say
    /// otherwise.
    pub vendredi_saint: Option<bool>,
}

impl Calendrier {
    pub fn national() -> Self {
        Self::default()
    }

    pub fn du_departement(departement: &str) -> Self {
        Self { departement: Some(departement.to_string()), ..Self::default() }
    }

    fn alsace_moselle(&self) -> bool {
        matches!(self.departement.as_deref(), Some("57" | "67" | "68"))
    }

    /// The holidays of a year with their names, in date order.
    pub fn feries(&self, annee: i32) -> Vec<(Date, &'static str)> {
        let p = paques(annee);
        let d = |m, j| Date::new(annee, m, j).expect("fixed holiday");
        let apres = |n| p.add_days(n).expect("movable feast");
        let mut v = vec![
            (d(1, 1), "jour de l'an"),
            (apres(1), "lundi de Pâques"),
            (d(5, 1), "fête du Travail"),
            (d(5, 8), "victoire de 1945"),
            (apres(39), "Ascension"),
            (d(7, 14), "fête nationale"),
            (d(8, 15), "Assomption"),
            (d(11, 1), "Toussaint"),
            (d(11, 11), "armistice de 1918"),
            (d(12, 25), "Noël"),
        ];
        if !self.lundi_pentecote_travaille {
            v.push((apres(50), "lundi de Pentecôte"));
        }
        if self.alsace_moselle() {
            if self.vendredi_saint.unwrap_or(true) {
                v.push((apres(-2), "Vendredi saint"));
            }
            v.push((d(12, 26), "saint Étienne"));
        }
        let esclavage = match self.departement.as_deref() {
            Some("971") => Some(d(5, 27)),
            Some("972") => Some(d(5, 22)),
            Some("973") => Some(d(6, 10)),
            Some("974") => Some(d(12, 20)),
            Some("976") => Some(d(4, 27)),
            _ => None,
        };
        if let Some(x) = esclavage {
            v.push((x, "abolition de l'esclavage"));
        }
        v.sort();
        v
    }

    /// Whether a day is a holiday of this calendar (no list built: the deadlines of a whole
    /// register ask it for every day they count).
    pub fn est_ferie(&self, d: Date) -> bool {
        let fixe =
            matches!((d.month, d.day), (1, 1) | (5, 1) | (5, 8) | (7, 14) | (8, 15) | (11, 1) | (11, 11) | (12, 25));
        if fixe || (self.alsace_moselle() && (d.month, d.day) == (12, 26)) {
            return true;
        }
        let esclavage = match self.departement.as_deref() {
            Some("971") => Some((5, 27)),
            Some("972") => Some((5, 22)),
            Some("973") => Some((6, 10)),
            Some("974") => Some((12, 20)),
            Some("976") => Some((4, 27)),
            _ => None,
        };
        if esclavage == Some((d.month, d.day)) {
            return true;
        }
        // The movable feasts: only between March and June.
        if !(3..=6).contains(&d.month) {
            return false;
        }
        let ecart = d.days_since_epoch() - paques(d.year).days_since_epoch();
        match ecart {
            1 | 39 => true,
            50 => !self.lundi_pentecote_travaille,
            -2 => self.alsace_moselle() && self.vendredi_saint.unwrap_or(true),
            _ => false,
        }
    }

    /// Monday to Friday, except the holidays of this calendar.
    pub fn est_ouvre(&self, d: Date) -> bool {
        d.weekday() < 5 && !self.est_ferie(d)
    }

    /// The `n`-th jour ouvré after `d` (not counting `d`).
    pub fn ajouter_jours_ouvres(&self, d: Date, n: u32) -> Option<Date> {
        let mut x = d;
        let mut left = n;
        while left > 0 {
            x = x.add_days(1)?;
            if self.est_ouvre(x) {
                left -= 1;
            }
        }
        Some(x)
    }

    /// The first jour ouvré on or after `d`.
    pub fn jour_ouvre_suivant(&self, d: Date) -> Option<Date> {
        let mut x = d;
        while !self.est_ouvre(x) {
            x = x.add_days(1)?;
        }
        Some(x)
    }

    /// The date by which the réservataire must answer.
    pub fn echeance(&self, mise_a_disposition: Date, preavis_mois: u8, regle: RegleDelai) -> Option<Date> {
        match regle {
            RegleDelai::Preavis if preavis_mois <= 1 => self.ajouter_jours_ouvres(mise_a_disposition, 15),
            RegleDelai::Preavis | RegleDelai::UnMois => self.jour_ouvre_suivant(ajouter_mois(mise_a_disposition, 1)?),
            RegleDelai::JoursOuvres(n) => self.ajouter_jours_ouvres(mise_a_disposition, n),
        }
    }
}

/// The same day `n` months later, or the last day of that month (31 January + 1 month is the
/// last day of February).
pub fn ajouter_mois(d: Date, n: i32) -> Option<Date> {
    let total = d.year * 12 + (d.month as i32 - 1) + n;
    let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    (1..=d.day).rev().find_map(|day| Date::new(y, m, day))
}

/// The first jour ouvré on or after `d`, on the national calendar.
pub fn jour_ouvre_suivant(d: Date) -> Option<Date> {
    Calendrier::national().jour_ouvre_suivant(d)
}

/// How a convention sets the reply deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegleDelai {
    /// The decree's rule: 15 jours ouvrés for a 1-month notice, one month for 3 months.
    #[default]
    Preavis,
    /// One month from the mise à disposition whatever the notice (MTPM, CASA).
    UnMois,
    /// A number of jours ouvrés set by the convention.
    JoursOuvres(u32),
}

/// The date by which the réservataire must answer, on the national calendar.
pub fn echeance(mise_a_disposition: Date, preavis_mois: u8, regle: RegleDelai) -> Option<Date> {
    Calendrier::national().echeance(mise_a_disposition, preavis_mois, regle)
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
    fn the_holidays_asked_day_by_day_are_those_of_the_list() {
        for dep in [None, Some("67"), Some("974"), Some("972"), Some("75")] {
            for travaille in [false, true] {
                let c = Calendrier {
                    departement: dep.map(str::to_string),
                    lundi_pentecote_travaille: travaille,
                    vendredi_saint: None,
                };
                for annee in [2019, 2024, 2025, 2038] {
                    let liste: Vec<Date> = c.feries(annee).into_iter().map(|(d, _)| d).collect();
                    let mut x = d(annee, 1, 1);
                    while x.year == annee {
                        assert_eq!(c.est_ferie(x), liste.contains(&x), "{x} {dep:?}");
                        x = x.add_days(1).unwrap();
                    }
                }
            }
        }
    }

    #[test]
    fn alsace_moselle_has_good_friday_and_26_december() {
        // Friday 20 December 2024, 1-month notice: 15 jours ouvrés; 25 December and 1 January are
        // holidays everywhere, 26 December in the Bas-Rhin too.
        let paris = Calendrier::du_departement("75");
        let bas_rhin = Calendrier::du_departement("67");
        assert_eq!(paris.echeance(d(2024, 12, 20), 1, RegleDelai::Preavis), Some(d(2025, 1, 14)));
        assert_eq!(bas_rhin.echeance(d(2024, 12, 20), 1, RegleDelai::Preavis), Some(d(2025, 1, 15)));
        assert_eq!(echeance(d(2024, 12, 20), 1, RegleDelai::Preavis), Some(d(2025, 1, 14)), "national");
        // Good Friday 2024 is 29 March.
        assert!(bas_rhin.est_ferie(d(2024, 3, 29)) && !paris.est_ferie(d(2024, 3, 29)));
        for dep in ["57", "68"] {
            assert!(Calendrier::du_departement(dep).est_ferie(d(2025, 12, 26)), "{dep}");
        }
        // A convention may say Good Friday is worked (no temple in the commune).
        let sans = Calendrier { vendredi_saint: Some(false), ..Calendrier::du_departement("67") };
        assert!(!sans.est_ferie(d(2024, 3, 29)) && sans.est_ferie(d(2024, 12, 26)));
    }

    #[test]
    fn overseas_abolition_of_slavery_and_whit_monday() {
        for (dep, m, j) in [("971", 5, 27), ("972", 5, 22), ("973", 6, 10), ("974", 12, 20), ("976", 4, 27)] {
            assert!(Calendrier::du_departement(dep).est_ferie(d(2025, m, j)), "{dep}");
            assert!(!Calendrier::national().est_ferie(d(2025, m, j)) || (m, j) == (5, 8), "{dep}");
        }
        // Martinique, made available on Wednesday 21 May 2025: the 22nd is a holiday there.
        let martinique = Calendrier::du_departement("972");
        assert_eq!(martinique.ajouter_jours_ouvres(d(2025, 5, 21), 1), Some(d(2025, 5, 23)));
        // Whit Monday (9 June 2025) worked by the convention: one day earlier.
        let pentecote = Calendrier { lundi_pentecote_travaille: true, ..Calendrier::national() };
        assert!(Calendrier::national().est_ferie(d(2025, 6, 9)) && !pentecote.est_ferie(d(2025, 6, 9)));
        assert_eq!(Calendrier::national().echeance(d(2025, 5, 30), 1, RegleDelai::Preavis), Some(d(2025, 6, 23)));
        assert_eq!(pentecote.echeance(d(2025, 5, 30), 1, RegleDelai::Preavis), Some(d(2025, 6, 20)));
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
