//! What the flux is computed from, besides the stock: the rates, the libérations, the
//! deductions and exclusions typed, the State's share and its decree, saved per bailleur,
//! EPCI and year.

use crate::model::Reservataire;
pub use crate::model::Soustrait;
use crate::text::key;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The State's default total share (instruction of 28 March 2022 §4.2).
pub const TAUX_ETAT_DEFAUT: f64 = 0.30;
/// Ceiling of the fonctionnaires' share within the State's.
pub const PLAFOND_FONCTIONNAIRES: f64 = 0.05;
/// Collectivités' guarantee-based reservations: at most 20 % of the flux on their territory.
pub const PLAFOND_COLLECTIVITES: f64 = 0.20;

/// A dwelling count excluded from the assiette by hand (`MOTIF=N[@INSEE][:ID]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionManuelle {
    pub motif: String,
    pub logements: u64,
    /// The commune where they are; else spread over the communes by their assiettes.
    #[serde(default)]
    pub commune: Option<String>,
    /// The réservataire whose stock they were; else the stocks are unchanged.
    #[serde(default)]
    pub reservataire: Option<Reservataire>,
}

/// An exclusion typed that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExclusionIllisible {
    #[error("exclusion « {0} » : attendu MOTIF=N[@INSEE][:ID], par exemple « vente=4@06004 »")]
    Forme(String),
    #[error("exclusion « {0} » : le motif manque avant « = »")]
    SansMotif(String),
    #[error("exclusion « {0} » : « {1} » n'est pas un nombre de logements")]
    Nombre(String, String),
}

impl ExclusionManuelle {
    /// Parses `MOTIF=N[@INSEE][:ID]`.
    pub fn parse(s: &str) -> Result<Self, ExclusionIllisible> {
        let (motif, rest) = s.split_once('=').ok_or_else(|| ExclusionIllisible::Forme(s.to_string()))?;
        let motif = motif.trim();
        if motif.is_empty() {
            return Err(ExclusionIllisible::SansMotif(s.to_string()));
        }
        let (rest, reservataire) = match rest.split_once(':') {
            Some((r, id)) => (r, Some(Reservataire::new(id.trim()))),
            None => (rest, None),
        };
        let (n, commune) = match rest.split_once('@') {
            Some((n, c)) => (n, Some(c.trim().to_string())),
            None => (rest, None),
        };
        let logements = crate::format::parse_entier(n)
            .map_err(|_| ExclusionIllisible::Nombre(s.to_string(), n.trim().to_string()))?;
        Ok(Self { motif: motif.to_string(), logements, commune, reservataire })
    }
}

/// How the rotation rate is computed from the years entered (without a rate entered);
/// saved as `departs`, `entrees`, `moyenne`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MethodeRotation {
    /// The mean of the departures.
    Departs,
    /// The mean of the arrivals.
    Entrees,
    /// The mean of both means.
    Moyenne,
}

/// Reads the method as saved: a name the program does not know was read as the departures by
/// the first versions; it still is (no figure changes), and is saved as not said.
fn methode_rotation_compat<'de, D: Deserializer<'de>>(d: D) -> Result<Option<MethodeRotation>, D::Error> {
    Ok(match Option::<String>::deserialize(d)?.as_deref() {
        Some("departs") => Some(MethodeRotation::Departs),
        Some("entrees") => Some(MethodeRotation::Entrees),
        Some("moyenne") => Some(MethodeRotation::Moyenne),
        _ => None,
    })
}

/// Reads the exclusions as saved now, or as `[motif, n]` pairs by the first versions.
pub(super) fn exclusions_compat<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ExclusionManuelle>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Paire(String, u64),
        Complete(ExclusionManuelle),
    }
    Ok(Vec::<Repr>::deserialize(d)?
        .into_iter()
        .map(|r| match r {
            Repr::Paire(motif, logements) => ExclusionManuelle { motif, logements, commune: None, reservataire: None },
            Repr::Complete(e) => e,
        })
        .collect())
}

/// Everything the user enters for one bailleur × EPCI × year; kept in the dossier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FluxParametres {
    /// Turnover rate in percent (5.0 = 5 %).
    pub rotation_pct: Option<f64>,
    /// Departures (or arrivals) of the years actually entered (1 to 3), for the rotation rate.
    #[serde(default)]
    pub departs: Vec<u64>,
    #[serde(default)]
    pub entrees: Vec<u64>,
    /// Which of the years entered give the rotation rate (the departures when not said).
    #[serde(default, deserialize_with = "methode_rotation_compat")]
    pub methode_rotation: Option<MethodeRotation>,
    /// Signed leases of the years entered: libérations = their mean, instead of a rate.
    #[serde(default)]
    pub baux_signes: Vec<u64>,
    /// Mutations internes: a number, or a percentage of the libérations.
    pub mutations: Option<u64>,
    pub mutations_pct: Option<f64>,
    /// The CUS objective, else the mean of the years entered, else 10 % of libérations.
    pub mutations_cus: Option<u64>,
    #[serde(default)]
    pub mutations_3_ans: Vec<u64>,
    /// Why the mutations are what they are (the CUS, the years averaged…), as entered.
    #[serde(default)]
    pub justification_mutations: String,
    /// Other deductions: (motif, number, justification): relogements ANRU/NPNRU, ORCOD,
    /// LHI, ventes, urgence, gens du voyage, démolition hors ANRU...
    #[serde(default)]
    pub soustraits: Vec<(String, u64, String)>,
    /// Exclusions from the assiette entered by hand.
    #[serde(default, deserialize_with = "exclusions_compat")]
    pub exclusions_manuelles: Vec<ExclusionManuelle>,
    /// The State's total share in percent (prioritaires + fonctionnaires); 30 by default.
    pub taux_etat_pct: Option<f64>,
    /// The fonctionnaires' part of it, in percent, as the State requests it for the year;
    /// by default their stock share of the assiette, at most 5 %.
    #[serde(default)]
    pub taux_fonctionnaires_pct: Option<f64>,
    /// A préfet's arrêté (≤ 1 year) allowing a State share above 30 %: its reference.
    #[serde(default)]
    pub arrete_prefectoral: Option<String>,
    /// Rates fixed by hand, in percent, by réservataire id (on its own perimeter).
    #[serde(default)]
    pub taux_fixes: BTreeMap<Reservataire, f64>,
    /// Collectivités whose reservations were granted for land or funding (outside the 20 % cap).
    #[serde(default)]
    pub apports: BTreeSet<Reservataire>,
    /// For the fiche récapitulative: CUS and charte de relogement taken into account.
    #[serde(default)]
    pub cus: Option<bool>,
    #[serde(default)]
    pub charte_relogement: Option<bool>,
    /// Contact at the bailleur, new programmes put into service (let in stock this year, in
    /// the assiette next year), specific dwellings, comments.
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub mises_en_service: u64,
    #[serde(default)]
    pub logements_pmr: u64,
    #[serde(default)]
    pub plai_adaptes: u64,
    /// Other specific dwellings of the assiette, as the DDETS form asks them.
    #[serde(default)]
    pub logements_jeunes: u64,
    #[serde(default)]
    pub logements_seniors: u64,
    #[serde(default)]
    pub personnels_hospitaliers: u64,
    #[serde(default)]
    pub personnels_judiciaires: u64,
    #[serde(default)]
    pub habitat_participatif: u64,
    #[serde(default)]
    pub commentaires: String,
    /// The other specific dwellings of the assiette as declared for the DDETS form, by
    /// [`Specifique::as_str`]: a category absent was never declared (« non renseigné »), never 0.
    #[serde(default)]
    pub specifiques: BTreeMap<String, u64>,
    /// New operations entering the assiette next year, as declared (`None`: not declared).
    #[serde(default)]
    pub operations_nouvelles: Option<u64>,
    /// Of the relogements ANRU / NPNRU, those the bailleur takes in as a contributor (the
    /// others are its own tenants, as the demolisher); `None`: not said.
    #[serde(default)]
    pub relogements_contributeur: Option<u64>,
    /// The prefect's agreement recorded for a deduction that needs it, by category
    /// ([`Soustrait::as_str`]): its reference (« courrier du 12/01/2024 »).
    #[serde(default)]
    pub accords_prefet: BTreeMap<String, String>,
    /// The year these parameters were saved for, when it is an earlier year than the one
    /// computed: they are proposed « à confirmer ». Not saved.
    #[serde(skip)]
    pub annee_source: Option<i32>,
}

impl FluxParametres {
    /// The State's total rate (a fraction) and whether it is the program's default.
    pub fn taux_etat(&self) -> (f64, bool) {
        match self.taux_etat_pct {
            Some(p) => (p / 100.0, false),
            None => (TAUX_ETAT_DEFAUT, true),
        }
    }

    /// The count entered for a category other than the mutations (the first versions' motifs
    /// read into their category), `None` when none was entered.
    pub fn soustrait(&self, c: Soustrait) -> Option<u64> {
        let mut found = None;
        for (m, n, _) in &self.soustraits {
            if Soustrait::parse(m).unwrap_or(Soustrait::Autres) == c {
                *found.get_or_insert(0) += n;
            }
        }
        found
    }

    /// Sets the count of a category (mutations: a number), keeping its justification.
    pub fn fixer_soustrait(&mut self, c: Soustrait, n: u64) {
        if c == Soustrait::Mutations {
            self.mutations = Some(n);
            self.mutations_pct = None;
            return;
        }
        let justification = self.justification(c);
        self.soustraits.retain(|(m, _, _)| Soustrait::parse(m).unwrap_or(Soustrait::Autres) != c);
        self.soustraits.push((c.as_str().to_string(), n, justification));
    }

    /// The justification entered for a category (never the first versions' « ligne de
    /// commande »), empty when none was.
    pub fn justification(&self, c: Soustrait) -> String {
        if c == Soustrait::Mutations {
            return self.justification_mutations.trim().to_string();
        }
        let mut v: Vec<String> = Vec::new();
        for (m, _, j) in &self.soustraits {
            let cat = Soustrait::parse(m).unwrap_or(Soustrait::Autres);
            let j = j.trim();
            if cat != c || j.is_empty() || j == JUSTIFICATION_TECHNIQUE {
                continue;
            }
            // A motif of its own (« gens du voyage ») says what the deduction is.
            let own = Soustrait::ALL.iter().all(|x| x.as_str() != m.trim());
            v.push(if own && cat == Soustrait::Autres { format!("{m} : {j}") } else { j.to_string() });
        }
        v.join(" ; ")
    }

    /// Records the justification of a category (a category without a count gets 0, so that
    /// the justification is kept).
    pub fn fixer_justification(&mut self, c: Soustrait, texte: &str) {
        let texte = texte.trim().to_string();
        if c == Soustrait::Mutations {
            self.justification_mutations = texte;
            return;
        }
        let n = self.soustrait(c).unwrap_or(0);
        self.soustraits.retain(|(m, _, _)| Soustrait::parse(m).unwrap_or(Soustrait::Autres) != c);
        self.soustraits.push((c.as_str().to_string(), n, texte));
    }

    /// A kind of specific dwellings as declared (the first versions' counts above 0 kept; their
    /// 0 was never a declaration), `None` when it was not.
    pub fn specifique(&self, c: Specifique) -> Option<u64> {
        if let Some(n) = self.specifiques.get(c.as_str()) {
            return Some(*n);
        }
        let ancien = match c {
            Specifique::PlaiAdaptes => self.plai_adaptes,
            Specifique::Jeunes => self.logements_jeunes,
            Specifique::Seniors => self.logements_seniors,
            Specifique::Hospitaliers => self.personnels_hospitaliers,
            Specifique::Judiciaires => self.personnels_judiciaires,
            Specifique::HabitatParticipatif => self.habitat_participatif,
            Specifique::Pmr => self.logements_pmr,
        };
        (ancien > 0).then_some(ancien)
    }

    /// Declares a kind of specific dwellings (`None`: not declared).
    pub fn fixer_specifique(&mut self, c: Specifique, n: Option<u64>) {
        match c {
            Specifique::PlaiAdaptes => self.plai_adaptes = 0,
            Specifique::Jeunes => self.logements_jeunes = 0,
            Specifique::Seniors => self.logements_seniors = 0,
            Specifique::Hospitaliers => self.personnels_hospitaliers = 0,
            Specifique::Judiciaires => self.personnels_judiciaires = 0,
            Specifique::HabitatParticipatif => self.habitat_participatif = 0,
            Specifique::Pmr => self.logements_pmr = 0,
        }
        match n {
            Some(n) => self.specifiques.insert(c.as_str().to_string(), n),
            None => self.specifiques.remove(c.as_str()),
        };
    }

    /// The new operations as declared (the first versions' count above 0 kept).
    pub fn nouvelles_operations(&self) -> Option<u64> {
        self.operations_nouvelles.or((self.mises_en_service > 0).then_some(self.mises_en_service))
    }

    /// Declares the new operations (`None`: not declared).
    pub fn fixer_nouvelles_operations(&mut self, n: Option<u64>) {
        self.mises_en_service = 0;
        self.operations_nouvelles = n;
    }

    /// The prefect's agreement recorded for a category, if any.
    pub fn accord_prefet(&self, c: Soustrait) -> Option<&str> {
        self.accords_prefet.get(c.as_str()).map(String::as_str).map(str::trim).filter(|s| !s.is_empty())
    }

    /// Whether the user entered anything (a saved, empty parameter set is not « saisi »).
    pub fn saisis(&self) -> bool {
        let mut blank = self.clone();
        blank.annee_source = None;
        blank != Self::default()
    }
}

/// The other specific dwellings of the assiette the DDETS form asks for, then the PMR-USH
/// ones (of which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Specifique {
    PlaiAdaptes,
    Jeunes,
    Seniors,
    Hospitaliers,
    Judiciaires,
    HabitatParticipatif,
    Pmr,
}

impl Specifique {
    pub const ALL: [Specifique; 7] = [
        Specifique::PlaiAdaptes,
        Specifique::Jeunes,
        Specifique::Seniors,
        Specifique::Hospitaliers,
        Specifique::Judiciaires,
        Specifique::HabitatParticipatif,
        Specifique::Pmr,
    ];

    /// The key saved and of `--logements-specifiques CATEGORIE=N`.
    pub fn as_str(self) -> &'static str {
        match self {
            Specifique::PlaiAdaptes => "plai-adaptes",
            Specifique::Jeunes => "jeunes",
            Specifique::Seniors => "seniors",
            Specifique::Hospitaliers => "hospitaliers",
            Specifique::Judiciaires => "judiciaires",
            Specifique::HabitatParticipatif => "habitat-participatif",
            Specifique::Pmr => "pmr",
        }
    }

    /// The line of the form.
    pub fn label(self) -> &'static str {
        match self {
            Specifique::PlaiAdaptes => "PLAI adaptés",
            Specifique::Jeunes => "logements jeunes",
            Specifique::Seniors => "logements seniors",
            Specifique::Hospitaliers => "personnels hospitaliers",
            Specifique::Judiciaires => "personnels judiciaires",
            Specifique::HabitatParticipatif => "habitat participatif",
            Specifique::Pmr => "logements PMR-USH",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let k = key(s).replace(' ', "-");
        Self::ALL.into_iter().find(|c| c.as_str() == k)
    }
}

/// Deductions that need the préfet's agreement (instruction §4.2).
pub fn accord_prefet_requis(motif: &str) -> bool {
    Soustrait::parse(motif).is_some_and(Soustrait::accord_prefet)
        || ["gens du voyage", "hospitalier", "hopital", "judiciaire"].iter().any(|m| key(motif).contains(m))
}

/// What the first versions wrote as a justification when the count came from the command
/// line: not a justification (never printed).
const JUSTIFICATION_TECHNIQUE: &str = "ligne de commande";
