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
