//! What the engine gives: the flux, each réservataire's part on its perimeter, the
//! breakdown by commune, the flux qualifié and the alerts.

use super::{ETAT, FONCTIONNAIRES};
use crate::consolidate::{nom_commune, nom_epci};
use crate::model::{Financement, Regle, Reservataire, TypologieGrille};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a réservataire's rate is measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Perimetre {
    Commune(String),
    Epci(String),
    Departement(String),
}

impl Perimetre {
    pub fn libelle(&self) -> String {
        match self {
            Self::Commune(c) => crate::format::commune_de(&nom_commune(c)),
            Self::Epci(e) => nom_epci(e),
            Self::Departement(d) => crate::format::le_departement(d),
        }
    }
}

/// Serialises as `{"epci": "…"}`, `{"commune": "…"}` or `{"departement": "…"}`.
fn perimetre_json<S: serde::Serializer>(p: &Perimetre, s: S) -> Result<S::Ok, S::Error> {
    let mut m = BTreeMap::new();
    match p {
        Perimetre::Commune(c) => m.insert("commune", c),
        Perimetre::Epci(e) => m.insert("epci", e),
        Perimetre::Departement(d) => m.insert("departement", d),
    };
    m.serialize(s)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartReservataire {
    pub id: Reservataire,
    #[serde(serialize_with = "perimetre_json")]
    pub perimetre: Perimetre,
    /// The assiette of its perimeter.
    pub assiette: u64,
    /// Its active reserved stock inside that assiette.
    pub stock: u64,
    /// The rate its convention states, on its perimeter, **as applied**: a rate asked above a
    /// legal ceiling (the State's 30 % without a préfectoral decree, the fonctionnaires' 5 %)
    /// appears capped.
    pub taux: f64,
    /// What was asked, when the legal ceiling capped it (the alert says so beside it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taux_demande: Option<f64>,
    pub logements: u64,
    /// Where the rate comes from.
    pub origine: OrigineTaux,
    /// The rate after a pro-rata reduction (rule 5), when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taux_reduit: Option<f64>,
    /// A collectivité's reservation granted for land or funding (outside the 20 % cap).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub apport: bool,
}

/// Where a réservataire's rate comes from; written `defaut`, `fixe`, `stock`, `plafonne`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrigineTaux {
    /// The program's default (the State's 30 %, the fonctionnaires' stock share).
    Defaut,
    /// Fixed by the user.
    Fixe,
    /// The réservataire's stock share of its assiette.
    Stock,
    /// The user's, capped by the legal ceiling.
    Plafonne,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alerte {
    pub regle: Regle,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservataire: Option<Reservataire>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
    pub detail: String,
}

impl Alerte {
    pub(super) fn new(regle: Regle, detail: impl Into<String>) -> Self {
        Self { regle, reservataire: None, commune: None, detail: detail.into() }
    }

    pub(super) fn pour(mut self, reservataire: &str) -> Self {
        self.reservataire = Some(reservataire.into());
        self
    }

    pub(super) fn dans(mut self, commune: &str) -> Self {
        self.commune = Some(commune.into());
        self
    }
}

/// A réservataire's logements split by financement × typologie × QPV (indicative).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CelluleQualifiee {
    pub financement: Financement,
    pub typologie: TypologieGrille,
    pub qpv: bool,
    pub logements: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogementsReservataire {
    pub id: Reservataire,
    pub logements: u64,
}

/// The flux in one commune.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxCommune {
    pub commune: String,
    pub parc: u64,
    pub exclus: u64,
    pub exclusions: BTreeMap<String, u64>,
    pub assiette: u64,
    pub flux: u64,
    pub reservataires: Vec<LogementsReservataire>,
}

/// The State's logements outside QPV against its floor (rule 7): ⌊30 % × H⌋, H the part of
/// the flux outside QPV (for a département, of the departmental flux).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct EtatHorsQpv {
    pub logements: u64,
    pub flux_hors_qpv: u64,
    pub plancher: u64,
    /// The floor holds on the département (an EPCI of a departmental flux shows its part).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub departemental: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flux {
    pub bailleur: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epci: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departement: Option<String>,
    pub annee: i32,
    pub parc: u64,
    pub exclus: u64,
    pub exclusions: BTreeMap<String, u64>,
    pub assiette: u64,
    pub taux_rotation: f64,
    pub liberations: u64,
    pub soustraits: BTreeMap<String, u64>,
    pub flux: u64,
    pub parametres_a_confirmer: bool,
    /// The State first (prioritaires, then fonctionnaires), the others by id, non réservé last.
    pub reservataires: Vec<PartReservataire>,
    pub communes: Vec<FluxCommune>,
    pub flux_qualifie: BTreeMap<String, Vec<CelluleQualifiee>>,
    /// The State outside QPV against its floor (rule 7).
    pub etat_hors_qpv: EtatHorsQpv,
    pub alertes: Vec<Alerte>,
    /// With `--departement`: the flux of each EPCI.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub epcis: Vec<Flux>,
    /// The parameters this flux was computed with (for a département, those of each EPCI with
    /// the département's applied): what the documents print as the derivation.
    #[serde(skip)]
    pub parametres: super::FluxParametres,
}

impl Flux {
    pub fn part(&self, id: &str) -> Option<&PartReservataire> {
        self.reservataires.iter().find(|r| r.id == id)
    }

    /// A réservataire's logements (0 when it has no part).
    pub fn logements(&self, id: &str) -> u64 {
        self.part(id).map(|r| r.logements).unwrap_or(0)
    }

    /// The State's logements (prioritaires + fonctionnaires).
    pub fn logements_etat(&self) -> u64 {
        self.logements(&ETAT) + self.logements(&FONCTIONNAIRES)
    }

    /// The EPCI's flux of a départemental computation.
    pub fn de_l_epci(&self, epci: &str) -> Option<&Flux> {
        self.epcis.iter().find(|f| f.epci.as_deref() == Some(epci))
    }

    /// The alerts about one réservataire.
    pub fn alertes_de<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Alerte> + 'a {
        self.alertes.iter().filter(move |a| a.reservataire.as_deref() == Some(id))
    }
}
