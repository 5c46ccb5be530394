//! The period of a bilan: its bounds, and the share of each year it covers.

use crate::model::Date;

/// The period of a bilan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periode {
    pub annee: i32,
    pub semestre: Option<u8>,
    pub debut: Date,
    pub fin: Date,
}

/// A period that cannot be: said in the words of the period, whatever asked for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodeError {
    #[error("année {0} hors du calendrier accepté")]
    Annee(i32),
    #[error("semestre {0} : 1 ou 2")]
    Semestre(u8),
    #[error("période du {} au {} : la fin précède le début", crate::format::date_fr(&.0.to_string()), crate::format::date_fr(&.1.to_string()))]
    FinAvantDebut(Date, Date),
    #[error("une période se donne par sa date de début et sa date de fin, les deux")]
    BorneSeule,
    #[error("une période est un semestre ou un intervalle de dates, pas les deux")]
    SemestreEtDates,
}

impl Periode {
    /// Year N, semester 1 (January–June) or 2 (July–December), or any range of dates.
    pub fn new(
        annee: i32,
        semestre: Option<u8>,
        du: Option<Date>,
        au: Option<Date>,
    ) -> std::result::Result<Self, PeriodeError> {
        let d = |m, j| Date::new(annee, m, j).ok_or(PeriodeError::Annee(annee));
        let (debut, fin) = match (semestre, du, au) {
            (Some(1), None, None) => (d(1, 1)?, d(6, 30)?),
            (Some(2), None, None) => (d(7, 1)?, d(12, 31)?),
            (Some(s), None, None) => return Err(PeriodeError::Semestre(s)),
            (None, None, None) => (d(1, 1)?, d(12, 31)?),
            (None, Some(a), Some(b)) if a <= b => (a, b),
            (None, Some(a), Some(b)) => return Err(PeriodeError::FinAvantDebut(a, b)),
            (None, _, _) => return Err(PeriodeError::BorneSeule),
            (Some(_), _, _) => return Err(PeriodeError::SemestreEtDates),
        };
        Ok(Self { annee, semestre, debut, fin })
    }

    pub fn contient(&self, d: Option<Date>) -> bool {
        d.is_some_and(|d| self.debut <= d && d <= self.fin)
    }

    /// The share of year N the period covers (for objectives pro rata temporis).
    pub fn prorata(&self) -> f64 {
        self.fraction(self.annee)
    }

    /// The share of a year the period covers: a period from 1 March 2024 to 28 February 2025
    /// covers 306/366 of 2024 and 59/365 of 2025.
    pub fn fraction(&self, annee: i32) -> f64 {
        let (Some(y0), Some(y1)) = (Date::new(annee, 1, 1), Date::new(annee, 12, 31)) else { return 0.0 };
        let a = self.debut.max(y0).days_since_epoch();
        let b = self.fin.min(y1).days_since_epoch();
        let len = (y1.days_since_epoch() - y0.days_since_epoch() + 1) as f64;
        ((b - a + 1).max(0) as f64 / len).min(1.0)
    }

    /// The years other than N the period covers (their objectives count pro rata temporis).
    pub fn autres_annees(&self) -> Vec<i32> {
        (self.debut.year..=self.fin.year).filter(|y| *y != self.annee).collect()
    }

    /// The whole of year N, exactly: the bilan of the year (objectives whole, reliquat).
    pub fn est_annuel(&self) -> bool {
        self.semestre.is_none()
            && Date::new(self.annee, 1, 1) == Some(self.debut)
            && Date::new(self.annee, 12, 31) == Some(self.fin)
    }
}
