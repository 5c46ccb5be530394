//! The words of the follow-up (domaine.md, « The follow-up of the flux »): a mise à
//! disposition of a freed dwelling, its dated steps, how it ended, the step a convention
//! counts at.

use super::{Date, Financement, Menage, Reservataire, Soustrait, TypologieGrille};
use serde::Serialize;

/// The step at which a convention counts its flux.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Etape {
    MiseADisposition,
    MiseADispositionValidee,
    PropositionCal,
    AttributionCal,
    BailSigne,
}

impl Etape {
    pub const ALL: [Etape; 5] = [
        Etape::MiseADisposition,
        Etape::MiseADispositionValidee,
        Etape::PropositionCal,
        Etape::AttributionCal,
        Etape::BailSigne,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Etape::MiseADisposition => "mise_a_disposition",
            Etape::MiseADispositionValidee => "mise_a_disposition_validee",
            Etape::PropositionCal => "proposition_cal",
            Etape::AttributionCal => "attribution_cal",
            Etape::BailSigne => "bail_signe",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Etape::MiseADisposition => "à la mise à disposition",
            Etape::MiseADispositionValidee => "à la mise à disposition validée par le réservataire",
            Etape::PropositionCal => "à l'examen des candidats en CALEOL",
            Etape::AttributionCal => "à l'attribution en CALEOL",
            Etape::BailSigne => "au bail signé",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Issue {
    BailSigne,
    Reprise,
    Reorientation,
    #[default]
    EnCours,
}

impl Issue {
    pub fn as_str(self) -> &'static str {
        match self {
            Issue::BailSigne => "bail_signe",
            Issue::Reprise => "reprise",
            Issue::Reorientation => "reorientation",
            Issue::EnCours => "en_cours",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Issue::BailSigne => "Bail signé",
            Issue::Reprise => "Repris par le bailleur",
            Issue::Reorientation => "Réorienté",
            Issue::EnCours => "En cours",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "bail_signe" => Issue::BailSigne,
            "reprise" => Issue::Reprise,
            "reorientation" => Issue::Reorientation,
            _ => Issue::EnCours,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionCal {
    Attribution,
    NonAttribution,
    Refus,
}

impl DecisionCal {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionCal::Attribution => "attribution",
            DecisionCal::NonAttribution => "non_attribution",
            DecisionCal::Refus => "refus",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [DecisionCal::Attribution, DecisionCal::NonAttribution, DecisionCal::Refus]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// The steps of a mise à disposition, dated: as a register row gives them and as the dossier
/// keeps them.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Etapes {
    pub date_liberation: Option<Date>,
    pub preavis: Option<u8>,
    pub date_mise_a_disposition: Option<Date>,
    pub date_validation: Option<Date>,
    pub candidats: Option<u32>,
    pub date_candidats: Option<Date>,
    pub date_cal: Option<Date>,
    pub decision_cal: Option<DecisionCal>,
    pub date_bail: Option<Date>,
    pub issue: Issue,
}

impl Etapes {
    /// Whether a mise à disposition with these steps, made on or before `date`, still holds
    /// its dwelling on `date` — then the dwelling cannot be made available to anyone else that
    /// day (one libération, one réservataire at a time). A reprise or a réorientation without
    /// a date ended by the next mise à disposition: it does not hold.
    pub fn occupe(&self, date: Date) -> Option<Occupe> {
        match self.date_bail {
            Some(bail) if bail == date => Some(Occupe::BailLeJour(bail)),
            Some(bail) if bail > date => Some(Occupe::BailApres(bail)),
            None if self.issue == Issue::EnCours => Some(Occupe::SansIssue),
            _ => None,
        }
    }
}

/// How a mise à disposition still holds its dwelling on a later date ([`Etapes::occupe`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occupe {
    /// Its lease is signed that very day: the dwelling is let.
    BailLeJour(Date),
    /// It ended only with a lease signed after that day.
    BailApres(Date),
    /// No issue is noted: it is still open.
    SansIssue,
}

/// Two mises à disposition of the same dwelling, as one stands beside the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceAFace {
    /// The same date, the same réservataire or category outside the flux: the same one.
    Repete,
    /// One still holds the dwelling on the other's date.
    Chevauche,
}

impl MiseADisposition {
    /// How `self` stands beside `autre`, a mise à disposition of the same dwelling: the same
    /// one, overlapping it, or neither (one ended before the other began). Without a date of
    /// mise à disposition, neither.
    pub fn face_a(&self, autre: &MiseADisposition) -> Option<FaceAFace> {
        let (a, b) = (self.etapes.date_mise_a_disposition?, autre.etapes.date_mise_a_disposition?);
        if a == b && self.reservataire == autre.reservataire && self.hors_flux == autre.hors_flux {
            return Some(FaceAFace::Repete);
        }
        let chevauche = if b <= a { autre.etapes.occupe(a) } else { self.etapes.occupe(b) };
        chevauche.map(|_| FaceAFace::Chevauche)
    }
}

/// One mise à disposition of a freed dwelling (or a libération outside the flux).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MiseADisposition {
    pub id: i64,
    pub bailleur: String,
    pub reference: String,
    pub commune: String,
    pub epci: String,
    pub typologie: TypologieGrille,
    pub financement: Financement,
    pub qpv: bool,
    pub annee_construction: Option<i32>,
    /// None for a libération outside the flux.
    pub reservataire: Option<Reservataire>,
    pub hors_flux: Option<Soustrait>,
    /// Its steps, as the register or the window gave them.
    #[serde(flatten)]
    pub etapes: Etapes,
    /// Kept but flagged: a lease before the mise à disposition, a CALEOL without candidate...
    pub signalement: Option<String>,
    /// The household of the lease, when the register says it (CIA objectives).
    pub menage: Menage,
}

impl MiseADisposition {
    /// The date at which this mise à disposition reached a step, if it did.
    pub fn date_etape(&self, e: Etape) -> Option<Date> {
        match e {
            Etape::MiseADisposition => self.etapes.date_mise_a_disposition,
            Etape::MiseADispositionValidee => self.etapes.date_validation.or(self.etapes.date_candidats),
            Etape::PropositionCal => self.etapes.date_cal,
            Etape::AttributionCal => {
                self.etapes.date_cal.filter(|_| self.etapes.decision_cal == Some(DecisionCal::Attribution))
            }
            Etape::BailSigne => self.bail_du_reservataire(),
        }
    }

    /// The lease signed for this mise à disposition's réservataire: none when the bailleur took
    /// the dwelling back (issue « reprise »), even with a lease date — a lease after a reprise is
    /// the bailleur's own (domaine.md, « Attribution objectives »: « its non-réservé leases plus
    /// those made after a reprise »), a chute of the réservataire, never its lease.
    pub fn bail_du_reservataire(&self) -> Option<Date> {
        self.etapes.date_bail.filter(|_| self.etapes.issue != Issue::Reprise)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mad(id: i64, r: &str, jour: u8, bail: Option<u8>, issue: Issue) -> MiseADisposition {
        let d = |j: u8| Date::new(2024, 3, j).unwrap();
        MiseADisposition {
            id,
            bailleur: "Azur".into(),
            reference: "A1".into(),
            commune: "06004".into(),
            epci: "240600585".into(),
            typologie: TypologieGrille::T3,
            financement: Financement::Plus,
            qpv: false,
            annee_construction: None,
            reservataire: Some(Reservataire::new(r)),
            hors_flux: None,
            etapes: Etapes {
                date_mise_a_disposition: Some(d(jour)),
                date_bail: bail.map(d),
                issue,
                ..Default::default()
            },
            signalement: None,
            menage: Default::default(),
        }
    }

    /// One libération, one réservataire at a time: two mises à disposition of a dwelling are
    /// the same one, overlap, or follow each other — whichever is given first.
    #[test]
    fn two_mises_a_disposition_of_a_dwelling_repeat_overlap_or_follow() {
        use FaceAFace::*;
        let etat_ouverte = mad(1, "etat", 10, None, Issue::EnCours);
        let cas = [
            // The same date and réservataire, whatever the steps: the same one.
            (mad(2, "etat", 10, Some(30), Issue::BailSigne), Some(Repete)),
            // Another réservataire on the same day, or later while the State's is open.
            (mad(2, "action-logement", 10, None, Issue::EnCours), Some(Chevauche)),
            (mad(2, "action-logement", 15, Some(30), Issue::BailSigne), Some(Chevauche)),
        ];
        for (autre, attendu) in cas {
            assert_eq!(autre.face_a(&etat_ouverte), attendu, "{autre:?}");
            assert_eq!(etat_ouverte.face_a(&autre), attendu, "{autre:?}");
        }
        // The State's ended by a reprise (no date): the next one follows it.
        let etat_reprise = mad(1, "etat", 10, None, Issue::Reprise);
        let al = mad(2, "action-logement", 15, None, Issue::EnCours);
        assert_eq!((al.face_a(&etat_reprise), etat_reprise.face_a(&al)), (None, None));
        // Leased on the 15th: a mise à disposition that day overlaps (let that day), the 16th not.
        let etat_loue = mad(1, "etat", 10, Some(15), Issue::BailSigne);
        assert_eq!(al.face_a(&etat_loue), Some(Chevauche));
        assert_eq!(
            etat_loue.etapes.occupe(Date::new(2024, 3, 15).unwrap()),
            Some(Occupe::BailLeJour(Date::new(2024, 3, 15).unwrap()))
        );
        let le_16 = mad(2, "action-logement", 16, None, Issue::EnCours);
        assert_eq!((le_16.face_a(&etat_loue), etat_loue.face_a(&le_16)), (None, None));
        // Without a date of mise à disposition: nothing to compare.
        let mut sans_date = mad(2, "etat", 10, None, Issue::EnCours);
        sans_date.etapes.date_mise_a_disposition = None;
        assert_eq!(sans_date.face_a(&etat_ouverte), None);
    }
}
