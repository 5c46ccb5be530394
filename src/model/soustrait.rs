//! The one list of soustraits: the libérations taken off the flux, by category.

use crate::text::key;
use serde::{Deserialize, Serialize};

/// The one list of soustraits (`interfaces.md`, `flux`): the libérations taken off the flux,
/// by category, in the flux, the fiche récapitulative, the forecast and the bilans
/// (`hors_flux`, the register's categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Soustrait {
    /// Mutations internes (CUS objective, else the mean of the years entered, else 10 %).
    Mutations,
    /// Relogements ANRU / NPNRU (démolisseur and contributeurs).
    Relogements,
    /// Démolition or heavy rehabilitation outside ANRU: the prefect's agreement.
    RelogementsHorsAnru,
    /// Logements insalubres (LHI), with a relogement obligation.
    Insalubres,
    Orcod,
    /// Relogements liés aux ventes.
    Ventes,
    /// Urgence (prefect).
    Urgence,
    /// Other deductions with the prefect's agreement: gens du voyage, personnels hospitaliers,
    /// judiciaires…
    Autres,
}

impl Soustrait {
    pub const ALL: [Soustrait; 8] = [
        Soustrait::Mutations,
        Soustrait::Relogements,
        Soustrait::RelogementsHorsAnru,
        Soustrait::Insalubres,
        Soustrait::Orcod,
        Soustrait::Ventes,
        Soustrait::Urgence,
        Soustrait::Autres,
    ];

    /// The key of the JSON (`soustraits`, `hors_flux`) and of `--justification CATEGORIE=…`.
    pub fn as_str(self) -> &'static str {
        match self {
            Soustrait::Mutations => "mutations",
            Soustrait::Relogements => "relogements",
            Soustrait::RelogementsHorsAnru => "relogements_hors_anru",
            Soustrait::Insalubres => "insalubres",
            Soustrait::Orcod => "orcod",
            Soustrait::Ventes => "ventes",
            Soustrait::Urgence => "urgence",
            Soustrait::Autres => "autres",
        }
    }

    /// The command line's option (`--relogements-hors-anru N`).
    pub fn option(self) -> &'static str {
        match self {
            Soustrait::Mutations => "--mutations",
            Soustrait::Relogements => "--relogements",
            Soustrait::RelogementsHorsAnru => "--relogements-hors-anru",
            Soustrait::Insalubres => "--insalubres",
            Soustrait::Orcod => "--orcod",
            Soustrait::Ventes => "--ventes",
            Soustrait::Urgence => "--urgence",
            Soustrait::Autres => "--autres",
        }
    }

    /// The line of the documents (fiche, forecast, bilan).
    pub fn label(self) -> &'static str {
        match self {
            Soustrait::Mutations => "Mutations internes",
            Soustrait::Relogements => "Relogements ANRU / NPNRU (démolisseur et contributeurs)",
            Soustrait::RelogementsHorsAnru => "Relogements hors ANRU (démolition, réhabilitation lourde)",
            Soustrait::Insalubres => "Logements insalubres (LHI, obligation de relogement)",
            Soustrait::Orcod => "Relogements ORCOD",
            Soustrait::Ventes => "Relogements liés aux ventes",
            Soustrait::Urgence => "Urgence (préfet)",
            Soustrait::Autres => {
                "Autres déductions avec l'accord du préfet (gens du voyage, personnels hospitaliers, judiciaires…)"
            }
        }
    }

    /// A short label, for tables.
    pub fn court(self) -> &'static str {
        match self {
            Soustrait::Mutations => "Mutations internes",
            Soustrait::Relogements => "Relogements ANRU / NPNRU",
            Soustrait::RelogementsHorsAnru => "Relogements hors ANRU",
            Soustrait::Insalubres => "Logements insalubres (LHI)",
            Soustrait::Orcod => "ORCOD",
            Soustrait::Ventes => "Relogements liés aux ventes",
            Soustrait::Urgence => "Urgence (préfet)",
            Soustrait::Autres => "Autres (accord du préfet)",
        }
    }

    /// Deductions the prefect must agree to (instruction §4.2).
    pub fn accord_prefet(self) -> bool {
        matches!(self, Soustrait::RelogementsHorsAnru | Soustrait::Urgence | Soustrait::Autres)
    }

    /// The category of a key, or of the motifs the first versions saved (« ORCOD », « LHI »,
    /// « gens du voyage », « démolition hors ANRU »…).
    pub fn parse(s: &str) -> Option<Self> {
        if let Some(c) = Self::ALL.into_iter().find(|c| c.as_str() == s.trim()) {
            return Some(c);
        }
        let k = key(s);
        let a = |mots: &[&str]| mots.iter().any(|m| k.contains(m));
        Some(if a(&["mutation"]) {
            Soustrait::Mutations
        } else if a(&["hors anru", "rehabilitation"]) {
            Soustrait::RelogementsHorsAnru
        } else if a(&["orcod"]) {
            Soustrait::Orcod
        } else if a(&["lhi", "insalub"]) {
            Soustrait::Insalubres
        } else if a(&["vente"]) {
            Soustrait::Ventes
        } else if a(&["urgence"]) {
            Soustrait::Urgence
        } else if a(&["anru", "relogement", "demoli", "renouvellement"]) {
            Soustrait::Relogements
        } else if a(&["gens du voyage", "hospitalier", "hopital", "judiciaire", "autre"]) {
            Soustrait::Autres
        } else if a(&["prefet"]) {
            Soustrait::Urgence
        } else {
            return None;
        })
    }
}

impl std::fmt::Display for Soustrait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
